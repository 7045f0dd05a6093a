import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeDir, diffConnectivity, lint } from '../../../src/main/core/policy';
import { analyze, cnp, netpol, ns, pod } from './helpers';

const FIX = join(__dirname, '../../fixtures/policy');

const cluster = () => [
  ns('app'),
  ns('kube-system'),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ]),
  pod('app', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]),
  pod('app', 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }]),
];
const dnsEgress = (proto: string[]) =>
  netpol('app', 'dns', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: proto.map((p) => ({ protocol: p, port: 53 })) }],
  });

const ids = (policies: unknown[]) =>
  lint(analyze([...cluster(), ...policies]))
    .filter((f) => f.id !== 'ignored-kinds')
    .map((f) => `${f.id} ${f.rule ?? f.policy ?? ''}`);

describe('lint', () => {
  it.each([
    ['a policy that selects no pod', [netpol('app', 'ghost', { podSelector: { matchLabels: { app: 'ghost' } }, ingress: [{}] })], ['policy-selects-no-pod NetworkPolicy app/ghost']],
    [
      'a rule whose selectors match no peer',
      [netpol('app', 'p', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }] })],
      ['rule-matches-no-peer NetworkPolicy app/p ingress rule 1'],
    ],
    [
      'a named port no selected pod has',
      [netpol('app', 'p', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 'postgres' }] }] })],
      ['named-port-unresolved NetworkPolicy app/p ingress rule 1'],
    ],
    [
      'a rule covered by a broader rule of another policy',
      [
        netpol('app', 'narrow', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }),
        netpol('app', 'broad', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
      ],
      ['redundant-policy NetworkPolicy app/narrow', 'redundant-rule NetworkPolicy app/narrow ingress rule 1'],
    ],
    [
      'two rules that partly overlap',
      [
        netpol('app', 'p1', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432, endPort: 5440 }] }] }),
        netpol('app', 'p2', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 5430, endPort: 5435 }] }] }),
      ],
      ['overlapping-rules NetworkPolicy app/p1 ingress rule 1'],
    ],
    ['egress default-deny without DNS', [netpol('app', 'deny', { podSelector: {}, policyTypes: ['Egress'] })], ['egress-without-dns NetworkPolicy app/deny']],
    ['egress default-deny with UDP 53 only (TCP fallback missing)', [dnsEgress(['UDP'])], ['egress-without-dns NetworkPolicy app/dns']],
    ['egress default-deny with UDP and TCP 53', [dnsEgress(['UDP', 'TCP'])], []],
  ])('%s', (_name, policies, want) => {
    expect(ids(policies as unknown[])).toEqual(want);
  });

  it('tells apart a DNS block at kube-dns ingress from one in the pod’s egress', () => {
    const f = lint(analyze([...cluster(), dnsEgress(['UDP', 'TCP']), netpol('kube-system', 'lock', { podSelector: {}, policyTypes: ['Ingress'] })])).find((x) => x.id === 'egress-without-dns');
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain("its egress allows it; the kube-dns pods' ingress policies block it");
  });

  it('without kube-dns in the input, DNS egress is checked against a typical CoreDNS pod', () => {
    const objs = (policies: unknown[]) => [ns('app'), pod('app', 'web', { app: 'web' }), ...policies];
    expect(lint(analyze(objs([netpol('app', 'deny', { podSelector: {}, policyTypes: ['Egress'] })]))).some((f) => f.id === 'egress-without-dns')).toBe(true);
    expect(lint(analyze(objs([dnsEgress(['UDP', 'TCP'])]))).some((f) => f.id === 'egress-without-dns')).toBe(false);
    const cilium = cnp('app', 'dns', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] });
    expect(lint(analyze(objs([cilium]))).some((f) => f.id === 'egress-without-dns')).toBe(false);
  });

  it('keeps one of two identical rules (only the first is flagged)', () => {
    const p = (name: string) => netpol('app', name, { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] });
    expect(ids([p('first'), p('second')])).toEqual(['redundant-policy NetworkPolicy app/first', 'redundant-rule NetworkPolicy app/first ingress rule 1']);
  });

  it('reports parse errors as findings', async () => {
    const f = lint(await analyzeDir(join(FIX, 'broken')));
    expect(f.filter((x) => x.severity === 'error').map((x) => `${x.id} ${x.line}`)).toEqual(['parse-error 10', 'parse-error 23', 'parse-error 13']);
  });
});

describe('diffConnectivity', () => {
  it('lists what a change loses (the shop: cart now listens on a named port it does not have)', async () => {
    const before = await analyzeDir(join(FIX, 'shop'));
    const after = await analyzeDir(join(FIX, 'shop-after'));
    const d = diffConnectivity(before.connections(), after.connections());
    expect(d.lost.map((c) => `${c.src} => ${c.dst} : ${c.lost.toText()}`)).toEqual(['shop/frontend[Deployment] => shop/cart[Deployment] : TCP 7070']);
    expect(d.gained).toEqual([]);
  });

  it('refines external ranges so a narrower block on one side compares exactly', () => {
    const base = [ns('x'), pod('x', 'a', { app: 'a' })];
    const before = analyze([...base, netpol('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]);
    const after = analyze([...base, netpol('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })]);
    const d = diffConnectivity(before.connections(), after.connections());
    expect(d.lost.map((c) => `${c.src} => ${c.dst} : ${c.lost.toText()}`)).toEqual(['x/a[Pod] => 10.1.0.0-10.1.255.255 : All Connections']);
    expect(d.gained).toEqual([]);
  });

  it('reports gains and partial losses per port', () => {
    const base = [ns('x'), pod('x', 'a', { app: 'a' }), pod('x', 'b', { app: 'b' })];
    const pol = (ports: unknown[]) => netpol('x', 'p', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports }] });
    const d = diffConnectivity(analyze([...base, pol([{ port: 80, endPort: 90 }])]).connections(), analyze([...base, pol([{ port: 85, endPort: 95 }])]).connections());
    const ab = d.changed.find((c) => c.src === 'x/a[Pod]' && c.dst === 'x/b[Pod]');
    expect(ab?.lost.toText()).toBe('TCP 80-84');
    expect(ab?.gained.toText()).toBe('TCP 91-95');
  });
});
