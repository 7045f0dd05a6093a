// Kubernetes NetworkPolicy semantics on the cyclonus / upstream e2e layout.
// Expected answers follow the API reference (NetworkPolicySpec, NetworkPolicyPeer,
// NetworkPolicyPort) and kubernetes.io/docs/concepts/services-networking/network-policies.
import { describe, expect, it } from 'vitest';
import { analyze, connText, cyclonusCluster, netpol, ns, pairs, pod, reach } from './helpers';

type P = { ns: string; pod: string };

const denyIngress = (n: string) => netpol(n, 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });

const MATRIX_CASES: Array<{ name: string; policies: unknown[]; allowed: (s: P, d: P) => boolean; proto?: 'TCP' | 'UDP' | 'SCTP'; port?: number }> = [
  { name: 'no policy: everything is allowed', policies: [], allowed: () => true },
  { name: 'deny all ingress in x (ingress absent, policyTypes Ingress)', policies: [denyIngress('x')], allowed: (_s, d) => d.ns !== 'x' },
  {
    name: 'ingress: [] is deny all ingress',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [] })],
    allowed: (_s, d) => d.ns !== 'x',
  },
  { name: 'ingress: [{}] allows all', policies: [denyIngress('x'), netpol('x', 'all', { podSelector: {}, ingress: [{}] })], allowed: () => true },
  {
    name: 'from: [] (empty) is every source',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 80 }] }] })],
    allowed: () => true,
  },
  {
    name: 'allow from the same namespace only (podSelector {} in from)',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    allowed: (s, d) => d.ns !== 'x' || s.ns === 'x',
  },
  {
    name: 'namespaceSelector {} is every namespace',
    policies: [netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    allowed: () => true,
  },
  {
    name: 'namespaceSelector alone: every pod of matching namespaces',
    policies: [netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    allowed: (s, d) => !(d.ns === 'x' && d.pod === 'a') || s.ns === 'y',
  },
  {
    name: 'podSelector and namespaceSelector in one peer: AND',
    policies: [
      netpol('x', 'p', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    allowed: (s, d) => !(d.ns === 'x' && d.pod === 'a') || (s.ns === 'y' && s.pod === 'b'),
  },
  {
    name: 'podSelector and namespaceSelector as two peers: OR, podSelector in the policy namespace',
    policies: [
      netpol('x', 'p', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    allowed: (s, d) => !(d.ns === 'x' && d.pod === 'a') || s.ns === 'y' || (s.ns === 'x' && s.pod === 'b'),
  },
  {
    name: 'namespaceSelector {} with podSelector: that pod in every namespace',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'c' } } }] }] })],
    allowed: (s, d) => d.ns !== 'x' || s.pod === 'c',
  },
  {
    name: 'matchExpressions NotIn on namespaces',
    policies: [
      netpol('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] }] }),
    ],
    allowed: (s, d) => d.ns !== 'x' || s.ns !== 'y',
  },
  {
    name: 'matchExpressions In and DoesNotExist on pods',
    policies: [
      netpol('x', 'p', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'nothing', operator: 'DoesNotExist' }, { key: 'pod', operator: 'Exists' }] } }] }],
      }),
    ],
    allowed: (s, d) => d.ns !== 'x' || d.pod === 'c' || s.ns === 'x',
  },
  {
    name: 'policyTypes omitted with egress rules: isolated for ingress and egress',
    policies: [netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    allowed: (s, d) => !(d.ns === 'x' && d.pod === 'a') && (!(s.ns === 'x' && s.pod === 'a') || (d.ns === 'x' && d.pod === 'b')),
  },
  {
    name: 'policyTypes Egress only: ingress rules are ignored, ingress stays open',
    policies: [netpol('x', 'p', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'zz' } } }] }] })],
    allowed: (s) => s.ns !== 'x',
  },
  {
    name: 'egress: [] with policyTypes omitted does not isolate egress',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [{}], egress: [] })],
    allowed: () => true,
  },
  {
    name: 'a connection needs the egress of the source and the ingress of the destination',
    policies: [
      netpol('x', 'egress-to-y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      netpol('y', 'b-from-z', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    allowed: (s, d) => (s.ns !== 'x' || d.ns === 'y') && (!(d.ns === 'y' && d.pod === 'b') || s.ns === 'z'),
  },
  {
    name: 'policies add up: the union of two policies on the same pods',
    policies: [
      netpol('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      netpol('x', 'from-z', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    allowed: (s, d) => d.ns !== 'x' || s.ns !== 'x',
  },
  {
    name: 'named port: only the named TCP port 81 (TCP 80 is denied)',
    policies: [netpol('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    allowed: (_s, d) => d.ns !== 'x',
    port: 80,
  },
  {
    name: 'a policy in another namespace does not select pods here',
    policies: [netpol('y', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] })],
    allowed: (_s, d) => !(d.ns === 'y' && d.pod === 'a'),
  },
];

describe('NetworkPolicy reachability on TCP/80 (cyclonus layout)', () => {
  it.each(MATRIX_CASES)('$name', ({ policies, allowed, proto, port }) => {
    const a = analyze([...cyclonusCluster(), ...policies]);
    expect(a.model.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect([...reach(a, proto ?? 'TCP', port ?? 80)].sort()).toEqual([...pairs(allowed)].sort());
  });
});

const PORT_CASES: Array<{ name: string; ports: unknown[]; want: string }> = [
  { name: 'number, protocol defaults to TCP', ports: [{ port: 80 }], want: 'TCP 80' },
  { name: 'endPort range', ports: [{ port: 80, endPort: 81, protocol: 'TCP' }], want: 'TCP 80-81' },
  { name: 'protocol without port = every port of it', ports: [{ protocol: 'UDP' }], want: 'UDP 1-65535' },
  { name: 'SCTP', ports: [{ port: 81, protocol: 'SCTP' }], want: 'SCTP 81' },
  { name: 'named port resolves on the destination pod', ports: [{ port: 'serve-81-udp', protocol: 'UDP' }], want: 'UDP 81' },
  { name: 'named port on another protocol does not resolve', ports: [{ port: 'serve-81-tcp', protocol: 'UDP' }], want: '' },
  { name: 'named port missing on the pod allows nothing', ports: [{ port: 'http' }], want: '' },
  { name: 'several ports add up', ports: [{ port: 80 }, { port: 81, protocol: 'UDP' }, { port: 'serve-80-sctp', protocol: 'SCTP' }], want: 'SCTP 80,TCP 80,UDP 81' },
  { name: 'ports: [] = all ports', ports: [], want: 'All Connections' },
];

describe('NetworkPolicy ports (x/b -> x/a)', () => {
  it.each(PORT_CASES)('$name', ({ ports, want }) => {
    const a = analyze([...cyclonusCluster(), netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }], ports }] })]);
    expect(connText(a, 'x/b', 'x/a')).toBe(want);
  });

  it('a named port resolves to different numbers on different pods, per destination', () => {
    const a = analyze([
      ns('q'),
      pod('q', 'client', { role: 'client' }),
      pod('q', 'web1', { role: 'web' }, [{ name: 'http', containerPort: 8080 }]),
      pod('q', 'web2', { role: 'web' }, [{ name: 'http', containerPort: 9090 }]),
      pod('q', 'other', { role: 'web' }, [{ name: 'metrics', containerPort: 9100 }]),
      netpol('q', 'web', { podSelector: { matchLabels: { role: 'web' } }, ingress: [{ ports: [{ port: 'http' }] }] }),
      netpol('q', 'client', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
    ]);
    expect(connText(a, 'q/client', 'q/web1')).toBe('TCP 8080');
    expect(connText(a, 'q/client', 'q/web2')).toBe('TCP 9090');
    expect(connText(a, 'q/client', 'q/other')).toBe('');
    // web1 -> web2 (not isolated for egress): web2's ingress resolves http on web2.
    expect(connText(a, 'q/web1', 'q/web2')).toBe('TCP 9090');
    // The client's egress to external addresses: a named port never matches outside the cluster.
    expect(a.connections().filter((c) => c.src === 'q/client[Pod]' && !c.dst.startsWith('q/'))).toEqual([]);
  });
});

describe('NetworkPolicy ipBlock', () => {
  const base = () => [ns('x'), pod('x', 'a', { pod: 'a' }), pod('x', 'b', { pod: 'b' })];
  const ext = (a: ReturnType<typeof analyze>, dst: string) =>
    Object.fromEntries(
      a
        .connections()
        .filter((c) => c.dst === dst && /^\d/.test(c.src))
        .map((c) => [c.src, c.conn.toText()]),
    );

  it('cidr with except: the except range is cut out, the rest of the space is its own range', () => {
    const a = analyze([
      ...base(),
      netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }] }] }),
    ]);
    expect(ext(a, 'x/a[Pod]')).toEqual({ '10.0.0.0-10.0.255.255': 'TCP 80', '10.2.0.0-10.255.255.255': 'TCP 80' });
    // x/b is not isolated: every external range reaches it.
    expect(ext(a, 'x/b[Pod]')).toEqual({
      '0.0.0.0-9.255.255.255': 'All Connections',
      '10.0.0.0-10.0.255.255': 'All Connections',
      '10.1.0.0-10.1.255.255': 'All Connections',
      '10.2.0.0-10.255.255.255': 'All Connections',
      '11.0.0.0-255.255.255.255': 'All Connections',
    });
    // ipBlock does not select pods: x/b -> x/a is denied.
    expect(connText(a, 'x/b', 'x/a')).toBe('');
  });

  it('overlapping blocks of two policies add up: an address in one block’s except but in another block is allowed', () => {
    const a = analyze([
      ...base(),
      netpol('x', 'p1', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }),
      netpol('x', 'p2', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.1.2.0/24' } }], ports: [{ port: 443 }] }] }),
    ]);
    expect(ext(a, 'x/a[Pod]')).toEqual({
      '10.0.0.0-10.0.255.255': 'All Connections',
      '10.1.2.0-10.1.2.255': 'TCP 443',
      '10.2.0.0-10.255.255.255': 'All Connections',
    });
  });

  it('egress to an ipBlock only: other pods are not reachable, the block is', () => {
    const a = analyze([...base(), netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] })]);
    const out = a.connections().filter((c) => c.src === 'x/a[Pod]');
    expect(out.map((c) => [c.dst, c.conn.toText()])).toEqual([['192.168.0.0-192.168.255.255', 'All Connections']]);
  });

  it('IPv6 blocks partition the IPv6 space too', () => {
    const a = analyze([...base(), netpol('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] })]);
    expect(a.connections().filter((c) => c.src === 'x/a[Pod]').map((c) => c.dst)).toEqual(['2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff']);
    expect(a.extOut.length).toBe(4); // 0.0.0.0/0, and ::/0 cut before and after the block
  });
});
