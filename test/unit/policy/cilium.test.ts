// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy semantics, from
// docs.cilium.io (Layer 3, Layer 4, Layer 7, Deny Policies, Using Kubernetes
// Constructs in Policy) and the API comments of pkg/policy/api.
import { describe, expect, it } from 'vitest';
import { trace } from '../../../src/main/core/policy';
import { analyze, ccnp, cnp, connText, cyclonusCluster, netpol, ns, pairs, pod, reach } from './helpers';

type P = { ns: string; pod: string };
const xa = (d: P) => d.ns === 'x' && d.pod === 'a';

const MATRIX: Array<{ name: string; policies: unknown[]; allowed: (s: P, d: P) => boolean }> = [
  {
    name: 'CNP: an empty fromEndpoints selector is limited to the policy namespace',
    policies: [cnp('x', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] })],
    allowed: (s, d) => d.ns !== 'x' || s.ns === 'x',
  },
  {
    name: 'CNP: fromEndpoints by pod label stays in the policy namespace',
    policies: [cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { pod: 'b' } }] }] })],
    allowed: (s, d) => !xa(d) || (s.ns === 'x' && s.pod === 'b'),
  },
  {
    name: 'CNP: the k8s:io.kubernetes.pod.namespace label lifts the namespace scope',
    policies: [
      cnp('x', 'p', {
        endpointSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y', 'k8s:pod': 'b' } }] }],
      }),
    ],
    allowed: (s, d) => !xa(d) || (s.ns === 'y' && s.pod === 'b'),
  },
  {
    name: 'CNP: namespace label in matchExpressions also lifts the scope',
    policies: [
      cnp('x', 'p', {
        endpointSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['y', 'z'] }] }] }],
      }),
    ],
    allowed: (s, d) => !xa(d) || s.ns !== 'x',
  },
  {
    name: 'CNP: the endpointSelector applies only to pods of the policy namespace',
    policies: [cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { pod: 'zz' } }] }] })],
    allowed: (_s, d) => !xa(d),
  },
  {
    name: 'CCNP: selectors match pods of every namespace',
    policies: [ccnp('p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { pod: 'b' } }] }] })],
    allowed: (s, d) => d.pod !== 'a' || s.pod === 'b',
  },
  {
    name: 'CCNP: io.cilium.k8s.namespace.labels selects by namespace labels',
    policies: [ccnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.ns': 'z' } }] }] })],
    allowed: (s) => s.ns === 'z',
  },
  {
    name: 'ingress: [] does not apply (no isolation)',
    policies: [cnp('x', 'p', { endpointSelector: {}, ingress: [], egress: [{ toEntities: ['all'] }] })],
    allowed: () => true,
  },
  {
    name: 'a deny-only policy still puts the direction in default deny',
    policies: [cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingressDeny: [{ fromEntities: ['world'] }] })],
    allowed: (_s, d) => !xa(d),
  },
  {
    name: 'enableDefaultDeny ingress false: only the deny rule bites',
    policies: [cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { pod: 'b' } }] }] })],
    allowed: (s, d) => !xa(d) || !(s.ns === 'x' && s.pod === 'b'),
  },
  {
    name: 'deny wins over a Kubernetes NetworkPolicy allow',
    policies: [
      netpol('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
      ccnp('deny-y', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y' } }] }] }),
    ],
    allowed: (s, d) => d.ns !== 'x' || s.ns !== 'y',
  },
  {
    name: 'fromEntities cluster allows every pod',
    policies: [cnp('x', 'p', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })],
    allowed: () => true,
  },
  {
    name: 'fromEntities world allows no pod',
    policies: [cnp('x', 'p', { endpointSelector: {}, ingress: [{ fromEntities: ['world'] }] })],
    allowed: (_s, d) => d.ns !== 'x',
  },
  {
    name: 'egress toEndpoints {} in a CNP: only the namespace',
    policies: [cnp('y', 'p', { endpointSelector: {}, egress: [{ toEndpoints: [{}] }] })],
    allowed: (s, d) => s.ns !== 'y' || d.ns === 'y',
  },
];

describe('Cilium reachability on TCP/80 (cyclonus layout)', () => {
  it.each(MATRIX)('$name', ({ policies, allowed }) => {
    const a = analyze([...cyclonusCluster(), ...policies]);
    expect(a.model.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect([...reach(a, 'TCP', 80)].sort()).toEqual([...pairs(allowed)].sort());
  });
});

describe('Cilium deny policies (the table of docs.cilium.io "Deny Policies")', () => {
  // Allow policies on the server: L3 from the client, L4 80/TCP and 81/TCP.
  const allow = cnp('x', 'allow', {
    endpointSelector: { matchLabels: { pod: 'a' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { pod: 'b' } }] }, { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '81', protocol: 'TCP' }] }] }],
  });
  const denyL4 = cnp('x', 'deny-80', { endpointSelector: { matchLabels: { pod: 'a' } }, ingressDeny: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
  const denyL3 = cnp('x', 'deny-client', { endpointSelector: { matchLabels: { pod: 'a' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { pod: 'b' } }] }] });
  it.each([
    ['allow only', [allow], true, true],
    ['deny L4 80', [allow, denyL4], false, true],
    ['deny L3 client', [allow, denyL3], false, false],
    ['deny L4 80 and L3 client', [allow, denyL4, denyL3], false, false],
    ['deny L4 80 without allow policies', [denyL4], false, false],
  ])('%s', (_name, policies, to80, to81) => {
    const a = analyze([...cyclonusCluster(), ...(policies as unknown[])]);
    for (const [port, want] of [
      [80, to80],
      [81, to81],
    ] as const) {
      expect(trace(a, { src: 'x/b[Pod]', dst: 'x/a[Pod]', protocol: 'TCP', port }).allowed, `port ${port}`).toBe(want);
    }
  });

  it('trace names the deny rule', () => {
    const a = analyze([...cyclonusCluster(), allow, denyL4]);
    const t = trace(a, { src: 'x/b[Pod]', dst: 'x/a[Pod]', protocol: 'TCP', port: 80 });
    expect(t.ingress.verdict).toBe('denied');
    expect(t.ingress.reason).toBe('denied by CiliumNetworkPolicy x/deny-80 ingressDeny rule 1');
  });
});

describe('Cilium L4', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['protocol omitted = ANY (TCP, UDP, SCTP)', [{ port: '80' }], 'SCTP 80,TCP 80,UDP 80'],
    ['protocol ANY', [{ port: '81', protocol: 'ANY' }], 'SCTP 81,TCP 81,UDP 81'],
    ['port 0 = every port of the protocol', [{ port: '0', protocol: 'UDP' }], 'UDP 1-65535'],
    ['endPort range', [{ port: '80', endPort: 81, protocol: 'TCP' }], 'TCP 80-81'],
    ['named port resolves on the destination', [{ port: 'serve-81-udp', protocol: 'UDP' }], 'UDP 81'],
  ];
  it.each(cases)('%s', (_name, ports, want) => {
    const a = analyze([...cyclonusCluster(), cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports }] }] })]);
    expect(connText(a, 'x/b', 'x/a')).toBe(want);
  });

  it('a rule with only toPorts allows those ports from every peer, the world included', () => {
    const a = analyze([ns('x'), pod('x', 'a', { pod: 'a' }), pod('x', 'b', { pod: 'b' }), cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] })]);
    expect(connText(a, 'x/b', 'x/a')).toBe('TCP 443');
    expect(connText(a, '0.0.0.0-255.255.255.255', 'x/a')).toBe('TCP 443');
  });

  it('a Kubernetes and a Cilium policy on the same pod add up', () => {
    const a = analyze([
      ...cyclonusCluster(),
      netpol('x', 'k8s', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] }] }),
      cnp('x', 'cil', { endpointSelector: { matchLabels: { pod: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y', pod: 'c' } }], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] }] }),
    ]);
    expect(connText(a, 'x/b', 'x/a')).toBe('TCP 80');
    expect(connText(a, 'y/c', 'x/a')).toBe('TCP 81');
    expect(connText(a, 'z/a', 'x/a')).toBe('');
  });
});

describe('Cilium CIDR, entities and FQDNs', () => {
  const base = () => [ns('x'), pod('x', 'a', { pod: 'a' }), pod('x', 'b', { pod: 'b' })];
  const egressOf = (a: ReturnType<typeof analyze>) => a.connections().filter((c) => c.src === 'x/a[Pod]').map((c) => `${c.dst} ${c.conn.toText()}`);

  it('toCIDRSet with except and a bare toCIDR address', () => {
    const a = analyze([...base(), cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, egress: [{ toCIDR: ['20.1.1.1'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }] })]);
    expect(egressOf(a)).toEqual([
      '10.0.0.0-10.95.255.255 All Connections',
      '10.112.0.0-10.255.255.255 All Connections',
      '20.1.1.1-20.1.1.1 All Connections',
    ]);
  });

  it('toEntities world: every external range, no pod', () => {
    const a = analyze([...base(), cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, egress: [{ toEntities: ['world'] }] })]);
    expect(egressOf(a)).toEqual(['0.0.0.0-255.255.255.255 All Connections']);
  });

  it('egressDeny to world wins over a NetworkPolicy ipBlock allow', () => {
    const a = analyze([
      ...base(),
      netpol('x', 'k8s', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
      cnp('x', 'deny', { endpointSelector: { matchLabels: { pod: 'a' } }, egressDeny: [{ toEntities: ['world'] }] }),
    ]);
    expect(egressOf(a)).toEqual(['x/b[Pod] All Connections']);
  });

  it('toFQDNs becomes a named external peer; the world ranges are not allowed by it', () => {
    const a = analyze([
      ...base(),
      cnp('x', 'p', {
        endpointSelector: { matchLabels: { pod: 'a' } },
        egress: [
          { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.cilium.io' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        ],
      }),
    ]);
    expect(egressOf(a)).toEqual(['fqdn:*.cilium.io TCP 443', 'fqdn:api.example.com TCP 443']);
    const t = trace(a, { src: 'x/a[Pod]', dst: 'fqdn:docs.cilium.io', protocol: 'TCP', port: 443 });
    expect(t.allowed).toBe(true);
    expect(t.egress.allowedBy.map((r) => r.text)).toEqual(['CiliumNetworkPolicy x/p egress rule 1']);
    expect(trace(a, { src: 'x/a[Pod]', dst: 'fqdn:example.org', protocol: 'TCP', port: 443 }).allowed).toBe(false);
  });

  it('toServices selects the pods behind a Service by its selector', () => {
    const a = analyze([
      ...base(),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b-svc', namespace: 'x' }, spec: { selector: { pod: 'b' }, ports: [{ port: 80 }] } },
      cnp('x', 'p', { endpointSelector: { matchLabels: { pod: 'a' } }, egress: [{ toServices: [{ k8sService: { serviceName: 'b-svc', namespace: 'x' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
    ]);
    expect(egressOf(a)).toEqual(['x/b[Pod] TCP 80']);
  });

  it('a clusterwide nodeSelector (host policy) is reported and skipped', () => {
    const a = analyze([...base(), ccnp('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })]);
    expect(a.model.policies).toEqual([]);
    expect(a.model.issues.map((i) => `${i.severity} ${i.path}`)).toEqual(['warning spec.nodeSelector']);
  });
});

describe('Cilium L7 (trace)', () => {
  const objs = () => [
    ns('x'),
    pod('x', 'client', { app: 'client' }),
    pod('x', 'server', { app: 'server' }, [{ name: 'http', containerPort: 80 }]),
    cnp('x', 'l7', {
      endpointSelector: { matchLabels: { app: 'server' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public/.*' }] } }] }],
    }),
  ];

  it.each([
    ['GET', '/public/index.html', true],
    ['GET', '/private', false],
    ['POST', '/public/x', false],
  ])('%s %s', (method, path, want) => {
    const t = trace(analyze(objs()), { src: 'x/client[Pod]', dst: 'x/server[Pod]', protocol: 'TCP', port: 80, method, path });
    expect(t.allowed).toBe(want);
    expect(t.l7?.restricted).toBe(true);
  });

  it('without a request the port is allowed at L4 and reported as L7-restricted; connlist counts the port', () => {
    const a = analyze(objs());
    const t = trace(a, { src: 'x/client[Pod]', dst: 'x/server[Pod]', protocol: 'TCP', port: 80 });
    expect(t.allowed).toBe(true);
    expect(t.l7?.rules).toEqual(['GET /public/.*']);
    expect(connText(a, 'x/client', 'x/server')).toBe('TCP 80');
  });

  it('an L4-only allow of the same port lets every request through', () => {
    const a = analyze([...objs(), cnp('x', 'l4', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })]);
    const t = trace(a, { src: 'x/client[Pod]', dst: 'x/server[Pod]', protocol: 'TCP', port: 80, method: 'DELETE', path: '/private' });
    expect(t.allowed).toBe(true);
    expect(t.l7).toBeUndefined();
  });
});

describe('an empty Cilium rule', () => {
  it('`ingress: [{}]` isolates and allows nothing, while a toPorts-only rule allows its ports from anywhere', async () => {
    const { parseText, analyzeObjects, trace } = await import('../../../src/main/core/policy');
    const text = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: app, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-all, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{}]
`;
    const r = parseText(text, 'empty.yaml');
    const denied = analyzeObjects(r.objects, r.issues);
    const t = trace(denied, { src: 'app/client[Pod]', dst: 'app/web[Pod]', protocol: 'TCP', port: 80 });
    expect(t.allowed).toBe(false);
    expect(t.ingress.isolated).toBe(true);
    const withPorts = parseText(text.replace('ingress: [{}]', 'ingress: [{toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]'), 'ports.yaml');
    expect(trace(analyzeObjects(withPorts.objects, withPorts.issues), { src: 'app/client[Pod]', dst: 'app/web[Pod]', protocol: 'TCP', port: 80 }).allowed).toBe(true);
  });
});
