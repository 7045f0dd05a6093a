import { describe, expect, it } from 'vitest';
import { asCidr, compareWithCluster, containedDifferences, discoverApiServer, generateBaseline, objectPath, type ApiReader } from '../../../src/main/core/baseline';
import { trace } from '../../../src/main/core/policy';
import { LabError } from '../../../src/shared/errors';
import { analyze, ns, pod } from '../policy/helpers';

// A kind-like cluster for the analyzer: the namespace to lock down, CoreDNS in kube-system,
// and a client in another namespace.
const cluster = () => [
  ns('lab-apps', { 'kubernetes.io/metadata.name': 'lab-apps' }),
  ns('kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }),
  ns('other', { 'kubernetes.io/metadata.name': 'other' }),
  pod('lab-apps', 'web', { app: 'web' }, [{ containerPort: 80, protocol: 'TCP' }]),
  pod('lab-apps', 'db', { app: 'db' }, [{ containerPort: 5432, protocol: 'TCP' }]),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
  ]),
  pod('other', 'client', { app: 'client' }),
];

const K8S = generateBaseline({ namespace: 'lab-apps', flavor: 'kubernetes', apiServer: { addresses: ['172.18.0.2'], ports: [6443] } });
const CILIUM = generateBaseline({ namespace: 'lab-apps', flavor: 'cilium' });

describe('baseline policies', () => {
  it('kubernetes flavor: default deny, DNS to kube-dns on 53 UDP and TCP, the API server endpoint by address', () => {
    expect(K8S.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy/lab-apps/default-deny-all',
      'NetworkPolicy/lab-apps/allow-dns-egress',
      'NetworkPolicy/lab-apps/allow-apiserver-egress',
    ]);
    expect(K8S.objects[0]!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(K8S.objects[2]!.spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '172.18.0.2/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }] });
    for (const o of K8S.objects) expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'datapath-lab' });
    expect(K8S.yaml.split('---\n')).toHaveLength(3);
    expect(K8S.notes.join(' ')).toMatch(/cannot name the API server/);
  });

  it.each([
    ['web → CoreDNS 53/UDP', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'UDP', 53, true],
    ['web → CoreDNS 53/TCP', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'TCP', 53, true],
    ['web → CoreDNS metrics 9153', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'TCP', 9153, false],
    ['web → db in the same namespace', 'lab-apps/web[Pod]', 'lab-apps/db[Pod]', 'TCP', 5432, false],
    ['client in another namespace → web', 'other/client[Pod]', 'lab-apps/web[Pod]', 'TCP', 80, false],
    ['web → the API server endpoint 172.18.0.2:6443', 'lab-apps/web[Pod]', '172.18.0.2', 'TCP', 6443, true],
    ['web → the API server on another port', 'lab-apps/web[Pod]', '172.18.0.2', 'TCP', 443, false],
    ['web → the internet', 'lab-apps/web[Pod]', '8.8.8.8', 'TCP', 443, false],
    ['pods of other namespaces are untouched', 'other/client[Pod]', 'kube-system/coredns[Pod]', 'TCP', 9153, true],
  ] as const)('kubernetes flavor, analyzed: %s', (_, src, dst, protocol, port, allowed) => {
    const a = analyze([...cluster(), ...K8S.objects]);
    expect(trace(a, { src, dst, protocol, port }).allowed).toBe(allowed);
  });

  it('cilium flavor: empty rules select into default deny, DNS by endpoint labels, the API server as the kube-apiserver entity', () => {
    expect(CILIUM.objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([
      'cilium.io/v2/CiliumNetworkPolicy/default-deny-all',
      'cilium.io/v2/CiliumNetworkPolicy/allow-dns-egress',
      'cilium.io/v2/CiliumNetworkPolicy/allow-apiserver-egress',
    ]);
    expect(CILIUM.objects[0]!.spec).toMatchObject({ endpointSelector: {}, ingress: [{}], egress: [{}] });
    expect(CILIUM.objects[2]!.spec).toMatchObject({ egress: [{ toEntities: ['kube-apiserver'] }] });
    expect(CILIUM.notes.join(' ')).toMatch(/kube-apiserver/);
  });

  it.each([
    ['web → CoreDNS 53/UDP', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'UDP', 53, true],
    ['web → CoreDNS 53/TCP', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'TCP', 53, true],
  ] as const)('cilium flavor, analyzed: %s', (_, src, dst, protocol, port, allowed) => {
    const a = analyze([...cluster(), ...CILIUM.objects]);
    expect(trace(a, { src, dst, protocol, port }).allowed).toBe(allowed);
  });

  // Cilium's documented default deny is a rule section with one empty rule (examples/policies/l3/
  // egress-default-deny: `egress: [{}]`): in cilium/cilium v1.18.6 pkg/policy/rule.go mergeEgress, a
  // rule with no selector and no toPorts merges nothing, so it allows nothing (the policy analyzer's
  // parseL3 reads such a rule as no peer; a rule with only toPorts stays "any peer").
  it.each([
    ['web → CoreDNS metrics', 'lab-apps/web[Pod]', 'kube-system/coredns[Pod]', 'TCP', 9153],
    ['web → db', 'lab-apps/web[Pod]', 'lab-apps/db[Pod]', 'TCP', 5432],
    ['client → web', 'other/client[Pod]', 'lab-apps/web[Pod]', 'TCP', 80],
    ['web → the internet', 'lab-apps/web[Pod]', '8.8.8.8', 'TCP', 443],
  ] as const)('cilium flavor, analyzed: %s is denied (the empty rule allows nothing)', (_, src, dst, protocol, port) => {
    const a = analyze([...cluster(), ...CILIUM.objects]);
    expect(trace(a, { src, dst, protocol, port }).allowed).toBe(false);
  });

  it('cilium flavor: the default-deny policy isolates both directions of every pod in the namespace', () => {
    const a = analyze([...cluster(), ...CILIUM.objects]);
    const t = trace(a, { src: 'lab-apps/web[Pod]', dst: 'lab-apps/db[Pod]', protocol: 'TCP', port: 5432 });
    expect(t.egress.isolated).toBe(true);
    expect(t.egress.isolatedBy.join(' ')).toContain('default-deny-all');
    expect(t.ingress.isolated).toBe(true);
  });

  it('addresses become /32 or /128; CIDRs stay; default ports are 443 and 6443', () => {
    expect(asCidr('172.18.0.2')).toBe('172.18.0.2/32');
    expect(asCidr('fc00:f853:ccd:e793::3')).toBe('fc00:f853:ccd:e793::3/128');
    expect(asCidr('[fc00::3]')).toBe('fc00::3/128');
    expect(asCidr('10.0.0.0/24')).toBe('10.0.0.0/24');
    expect(() => asCidr('kind-control-plane')).toThrow(/not an IP address/);
    const b = generateBaseline({ namespace: 'x', flavor: 'kubernetes', apiServer: { addresses: ['10.0.0.1', '10.0.0.1'], ports: [] } });
    expect((b.objects[2]!.spec as { egress: unknown[] }).egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
  });

  it('refuses a bad namespace and the kubernetes flavor without API server addresses', () => {
    expect(() => generateBaseline({ namespace: 'Lab_Apps', flavor: 'cilium' })).toThrow(/DNS-1123/);
    expect(() => generateBaseline({ namespace: 'lab', flavor: 'kubernetes' })).toThrow(/API server/);
  });
});

/** An in-memory API: objects by path; 403 for paths in `forbidden`. */
function fakeApi(objects: Record<string, unknown>, forbidden: string[] = []): ApiReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async get<T>(path: string): Promise<T> {
      calls.push(path);
      if (forbidden.some((f) => path.startsWith(f))) throw new LabError('FORBIDDEN', `forbidden: ${path}`);
      if (!(path in objects)) throw new LabError('NOT_FOUND', `${path} was not found (404)`);
      return structuredClone(objects[path]) as T;
    },
  };
}

describe('comparing with the cluster', () => {
  it('API paths of the kinds the walkthroughs apply', () => {
    expect(objectPath(K8S.objects[0]!)).toBe('/apis/networking.k8s.io/v1/namespaces/lab-apps/networkpolicies/default-deny-all');
    expect(objectPath(CILIUM.objects[1]!)).toBe('/apis/cilium.io/v2/namespaces/lab-apps/ciliumnetworkpolicies/allow-dns-egress');
    expect(objectPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-apps' } })).toBe('/api/v1/namespaces/lab-apps');
    expect(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBe('/api/v1/namespaces/default/configmaps/x');
    expect(() => objectPath({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(/unknown kind/);
  });

  it.each([
    ['same scalar', 53, 53, []],
    ['a port the server echoes as a number', '53', 53, []],
    ['a changed port', 53, 54, ['p: applied 53, in the cluster 54']],
    ['extra fields the server added are fine', { a: 1 }, { a: 1, b: 2 }, []],
    ['a missing field', { a: 1, c: 3 }, { a: 1 }, ['p.c: applied 3, in the cluster nothing']],
    ['a list of another length', [1, 2], [1], ['p: applied 2 items, in the cluster 1']],
    ['an empty selector matches an empty selector', { podSelector: {} }, { podSelector: {} }, []],
  ] as const)('%s', (_, want, have, diffs) => {
    expect(containedDifferences(want, have, 'p')).toEqual(diffs);
  });

  it('absent, same, differs (server defaults ignored) and unknown when forbidden', async () => {
    const [deny, dns, api] = K8S.objects;
    const liveDeny = { ...structuredClone(deny), metadata: { ...deny!.metadata, uid: 'u1', resourceVersion: '7', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [] } };
    const liveDns = structuredClone(dns) as unknown as { spec: { egress: { ports: { port: number }[] }[] } };
    liveDns.spec.egress[0]!.ports[1]!.port = 5353;
    const reader = fakeApi({ [objectPath(deny!)]: liveDeny, [objectPath(dns!)]: liveDns }, []);
    const r = await compareWithCluster([deny!, dns!, api!], reader);
    expect(r.map((d) => d.state)).toEqual(['same', 'differs', 'absent']);
    expect(r[1]!.differences).toEqual(['spec.egress[0].ports[1].port: applied 53, in the cluster 5353']);
    const forbidden = await compareWithCluster([deny!], fakeApi({}, ['/apis/networking.k8s.io']));
    expect(forbidden[0]).toMatchObject({ state: 'unknown', differences: [expect.stringMatching(/forbidden/)] });
  });
});

describe('finding the API server for the NetworkPolicy', () => {
  // EndpointSlice and Endpoints of default/kubernetes as kind's apiserver writes them.
  const slices = { items: [{ addressType: 'IPv4', endpoints: [{ addresses: ['172.18.0.2'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] };
  const endpoints = { subsets: [{ addresses: [{ ip: '172.18.0.3' }], ports: [{ name: 'https', port: 6443 }] }] };
  const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes';
  const ENDPOINTS = '/api/v1/namespaces/default/endpoints/kubernetes';

  it('from the EndpointSlice, then Endpoints, then the server address', async () => {
    expect(await discoverApiServer(fakeApi({ [SLICES]: slices }))).toEqual({ addresses: ['172.18.0.2'], ports: [6443], source: 'EndpointSlice default/kubernetes' });
    expect(await discoverApiServer(fakeApi({ [ENDPOINTS]: endpoints }, [SLICES]))).toMatchObject({ addresses: ['172.18.0.3'], source: 'Endpoints default/kubernetes' });
    expect(await discoverApiServer(fakeApi({}), 'https://127.0.0.1:41234')).toMatchObject({ addresses: ['127.0.0.1'], ports: [41234] });
    await expect(discoverApiServer(fakeApi({}), 'https://my-cluster.example.com')).rejects.toThrow(/could not be read/);
  });

  it('skips endpoints that are not ready', async () => {
    const notReady = { items: [{ endpoints: [{ addresses: ['172.18.0.9'], conditions: { ready: false } }, { addresses: ['172.18.0.2'] }], ports: [{ port: 6443 }] }] };
    expect((await discoverApiServer(fakeApi({ [SLICES]: notReady }))).addresses).toEqual(['172.18.0.2']);
  });
});
