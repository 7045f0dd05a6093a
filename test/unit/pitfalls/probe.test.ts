import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFactSet } from '../../../src/main/core/facts/types';
import { KubeClient } from '../../../src/main/core/kube/client';
import { probeCluster } from '../../../src/main/core/probes/cluster';
import { boundMessage, meshNamespace, systemPod } from '../../../src/main/core/probes/cluster-diagnostics';

/**
 * The diagnostic facts of the cluster probe (k8s.systemPods, k8s.systemEvents, mesh.workloads,
 * mesh.resources) against a stand-in API server that answers with objects read from the test
 * control plane (kind-cilium with the variants istio-mesh-wireguard and cilium-agent-verifier-failure
 * applied; test/fixtures/pitfalls/api, see the README there).
 */

const fx = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/pitfalls/api', name), 'utf8')) as { items: Record<string, unknown>[] };

type Handler = (url: URL, req: IncomingMessage) => { status?: number; body?: unknown } | undefined;
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function fake(handler: Handler): Promise<{ client: KubeClient; seen: string[]; accepts: Map<string, string> }> {
  const seen: string[] = [];
  const accepts = new Map<string, string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}${url.search}`);
    accepts.set(url.pathname, String(req.headers.accept));
    const r = handler(url, req) ?? { status: 404, body: { kind: 'Status', message: `${url.pathname} not found`, reason: 'NotFound', code: 404 } };
    res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(r.body ?? {}));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'kind-lab', cluster: 'c', user: 'u' }], currentContext: 'kind-lab' });
  return { client: new KubeClient(kc, 'kind-lab'), seen, accepts };
}

const list = (items: unknown[]) => ({ body: { kind: 'List', apiVersion: 'v1', metadata: {}, items } });

/** A FailedCreatePodSandBox Event as cilium/cilium#10627 shows it (dockershim era), and one of another CNI. */
const sandboxEvents = [
  {
    metadata: { name: 'pod-to-a-allowed-cnp-5899c44899-lmsr8.15fd7f0c2b9a1c0e', namespace: 'default', uid: 'e1' },
    involvedObject: { kind: 'Pod', name: 'pod-to-a-allowed-cnp-5899c44899-lmsr8', namespace: 'default' },
    reason: 'FailedCreatePodSandBox',
    type: 'Warning',
    count: 12,
    lastTimestamp: '2020-03-18T09:10:00Z',
    source: { component: 'kubelet' },
    message:
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "3948297ee605c722e867e3cda372cd2708c16f40e2cb0c036ac543890fee98e6" network for pod "pod-to-a-allowed-cnp-5899c44899-lmsr8": networkPlugin cni failed to set up pod "pod-to-a-allowed-cnp-5899c44899-lmsr8_default" network: unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full',
  },
  {
    metadata: { name: 'web-0.15fd7f0c2b9a1c0f', namespace: 'default', uid: 'e2' },
    involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default' },
    reason: 'FailedCreatePodSandBox',
    type: 'Warning',
    count: 1,
    lastTimestamp: '2020-03-18T09:11:00Z',
    source: { component: 'kubelet' },
    message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized',
  },
];

function meshCluster(over: Handler = () => undefined): Handler {
  return (u, req) => {
    const hit = over(u, req);
    if (hit) return hit;
    const sel = u.searchParams.get('labelSelector');
    const field = u.searchParams.get('fieldSelector');
    switch (u.pathname) {
      case '/version':
        return { body: { gitVersion: 'v1.34.4' } };
      case '/apis/apps/v1/daemonsets':
        return { body: fx('daemonsets.json') };
      case '/api/v1/namespaces/kube-system/pods':
        return sel === 'k8s-app=cilium' ? { body: fx('pods-cilium-agent.json') } : sel === 'k8s-app=kube-dns' ? { body: fx('pods-coredns.json') } : undefined;
      case '/api/v1/namespaces/kube-system/events':
        return field === 'type=Warning' ? { body: fx('events-kube-system-warning.json') } : undefined;
      case '/api/v1/events':
        return field === 'reason=FailedCreatePodSandBox' ? list(sandboxEvents) : undefined;
      case '/apis/apps/v1/deployments':
        return sel === 'app=istiod' ? { body: fx('deployments-istiod.json') } : list([]);
      case '/apis/apiextensions.k8s.io/v1/customresourcedefinitions':
        return { body: fx('crd-names.json') };
      case '/apis/security.istio.io/v1/peerauthentications':
        return { body: fx('peerauthentications.json') };
      case '/apis/security.istio.io/v1/authorizationpolicies':
        return list([]);
      case '/api/v1/namespaces':
        return { body: fx('namespaces.json') };
    }
    return undefined;
  };
}

const KEYS = ['k8s.systemPods', 'k8s.systemEvents', 'mesh.workloads', 'mesh.resources'] as const;

describe('diagnostic facts from the API', () => {
  it('asks with label and field selectors, metadata for CRDs and namespaces, and converts what the kubelet and the mesh wrote', async () => {
    const f = await fake(meshCluster());
    const r = await probeCluster(f.client, [...KEYS]);
    expect(f.seen).toEqual(
      expect.arrayContaining([
        '/api/v1/namespaces/kube-system/pods?limit=50&labelSelector=k8s-app%3Dcilium',
        '/api/v1/namespaces/kube-system/pods?limit=50&labelSelector=k8s-app%3Dkube-dns',
        '/api/v1/namespaces/kube-system/events?limit=500&fieldSelector=type%3DWarning',
        '/api/v1/events?limit=500&fieldSelector=reason%3DFailedCreatePodSandBox',
        '/apis/apps/v1/deployments?limit=500&labelSelector=app%3Distiod',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=500',
        '/apis/security.istio.io/v1/peerauthentications?limit=500',
      ]),
    );
    expect(f.seen.some((s) => s.startsWith('/api/v1/pods'))).toBe(false);
    expect(f.accepts.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).toMatch(/as=PartialObjectMetadataList/);
    expect(f.accepts.get('/api/v1/namespaces')).toMatch(/as=PartialObjectMetadataList/);
    // The facts parse as a snapshot would hold them.
    const facts = parseFactSet(r.facts);

    const pods = facts['k8s.systemPods'];
    expect(pods?.state).toBe('known');
    if (pods?.state !== 'known') return;
    expect(pods.value.map((p) => p.app)).toEqual(['cilium-agent', 'cilium-agent', 'cilium-agent', 'coredns', 'coredns']);
    const bad = pods.value.filter((p) => !p.ready);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ app: 'cilium-agent', node: 'lab-worker', phase: 'Running' });
    const agent = bad[0]!.containers.find((c) => c.name === 'cilium-agent')!;
    expect(agent).toMatchObject({ init: false, ready: false, restarts: 4, waiting: null, lastTerminated: { exitCode: 137, reason: 'Error' } });
    expect(agent.lastTerminated!.message).toContain('BPF program is too large. Processed 1000001 insn');
    // The chart's init containers are there too, completed.
    expect(bad[0]!.containers.filter((c) => c.init).map((c) => c.name)).toEqual(['config', 'mount-cgroup', 'apply-sysctl-overwrites', 'mount-bpf-fs', 'clean-cilium-state', 'install-cni-binaries']);
    // Only the pod in trouble is kept as a raw object.
    expect(r.raw.systempods?.map((p) => (p as { metadata: { name: string } }).metadata.name)).toEqual([bad[0]!.name]);

    const events = facts['k8s.systemEvents'];
    expect(events?.state).toBe('known');
    if (events?.state !== 'known') return;
    expect(events.value.map((e) => `${e.object.name} ${e.reason}`).sort()).toEqual(
      [`${bad[0]!.name} BackOff`, `${bad[0]!.name} Unhealthy`, `${bad[0]!.name} Unhealthy`, 'cilium-envoy-c9z49 FailedScheduling', 'cilium-envoy-sgpxc FailedScheduling', 'pod-to-a-allowed-cnp-5899c44899-lmsr8 FailedCreatePodSandBox'].sort(),
    );
    expect(events.value.find((e) => e.reason === 'BackOff')).toMatchObject({ type: 'Warning', component: 'kubelet', count: 3, object: { kind: 'Pod', namespace: 'kube-system' } });

    const ws = facts['mesh.workloads'];
    expect(ws?.state === 'known' && ws.value.map((w) => `${w.kind} ${w.namespace}/${w.name}`).sort()).toEqual(['DaemonSet istio-system/istio-cni-node', 'Deployment istio-system/istiod']);
    const res = facts['mesh.resources'];
    expect(res?.state === 'known' && res.value).toEqual({
      crds: ['authorizationpolicies.security.istio.io', 'peerauthentications.security.istio.io'],
      peerAuthentications: [{ namespace: 'istio-system', name: 'default', mode: 'STRICT', selector: false, portLevel: {} }],
      authorizationPolicies: [],
      namespaces: [{ namespace: 'bookinfo', mesh: 'istio', how: 'label istio-injection=enabled (sidecars)' }],
    });
  });

  it('a server that serves only v1beta1 of PeerAuthentication (Istio before 1.22) is read at v1beta1', async () => {
    const f = await fake(meshCluster((u) => (u.pathname === '/apis/security.istio.io/v1/peerauthentications' ? { status: 404, body: { kind: 'Status', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' } } : u.pathname === '/apis/security.istio.io/v1beta1/peerauthentications' ? { body: fx('peerauthentications.json') } : undefined)));
    const r = await probeCluster(f.client, ['mesh.resources']);
    expect(r.facts['mesh.resources']).toMatchObject({ state: 'known', value: { peerAuthentications: [{ mode: 'STRICT' }] } });
  });

  it('a forbidden list makes only its fact unknown, naming what is missing', async () => {
    const forbidden = { status: 403, body: { kind: 'Status', reason: 'Forbidden', code: 403, message: 'events is forbidden: User "alice" cannot list resource "events" in API group "" in the namespace "kube-system"' } };
    const f = await fake(meshCluster((u) => (u.pathname.endsWith('/events') ? forbidden : undefined)));
    const r = await probeCluster(f.client, [...KEYS]);
    expect(r.facts['k8s.systemEvents']).toMatchObject({ state: 'unknown', reason: 'forbidden' });
    expect(r.facts['k8s.systemPods']?.state).toBe('known');
    expect(r.facts['mesh.resources']?.state).toBe('known');
  });

  it('a cluster without a mesh: no mesh workloads, no mesh CRDs, no custom-resource requests', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: { gitVersion: 'v1.34.4' } };
      if (u.pathname === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions') return list([{ metadata: { name: 'ciliumnodes.cilium.io' } }]);
      if (u.pathname === '/apis/apps/v1/daemonsets' || u.pathname === '/apis/apps/v1/deployments' || u.pathname === '/api/v1/namespaces') return list([]);
      return undefined;
    });
    const r = await probeCluster(f.client, ['mesh.workloads', 'mesh.resources']);
    expect(r.facts['mesh.workloads']).toMatchObject({ state: 'known', value: [] });
    expect(r.facts['mesh.resources']).toMatchObject({ state: 'known', value: { crds: [], peerAuthentications: [], authorizationPolicies: [], namespaces: [] } });
    expect(f.seen.some((s) => s.includes('istio.io/'))).toBe(false);
  });
});

describe('converters', () => {
  it('a pod in CrashLoopBackOff: waiting reason and the previous run', () => {
    const p = fx('pods-coredns.json').items[0]!;
    const row = systemPod(p, 'coredns');
    expect(row).toMatchObject({ app: 'coredns', namespace: 'kube-system', ready: true, phase: 'Running' });
    const crashing = structuredClone(p) as { status: { containerStatuses: Record<string, unknown>[] } };
    crashing.status.containerStatuses[0] = { ...crashing.status.containerStatuses[0], ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:00Z' } } };
    expect(systemPod(crashing, 'coredns').containers[0]).toEqual({ name: 'coredns', init: false, ready: false, restarts: 7, waiting: 'CrashLoopBackOff', lastTerminated: { reason: 'Error', exitCode: 1, message: '', finishedAt: '2026-01-01T00:00:00Z' } });
  });

  it('long messages keep their head and their tail', () => {
    const text = `program tail_x: load program: ${'x'.repeat(10_000)} processed 1000001 insns (limit 1000000)`;
    const b = boundMessage(text);
    expect(b.length).toBeLessThanOrEqual(4000);
    expect(b.startsWith('program tail_x: load program:')).toBe(true);
    expect(b.endsWith('processed 1000001 insns (limit 1000000)')).toBe(true);
  });

  it('how namespaces join a mesh', () => {
    expect(meshNamespace({ name: 'a', labels: { 'istio.io/rev': 'canary' } })).toEqual({ namespace: 'a', mesh: 'istio', how: 'label istio.io/rev=canary (sidecars)' });
    expect(meshNamespace({ name: 'b', labels: { 'istio.io/dataplane-mode': 'ambient' } })?.how).toBe('label istio.io/dataplane-mode=ambient (ztunnel)');
    expect(meshNamespace({ name: 'c', annotations: { 'linkerd.io/inject': 'enabled' } })?.mesh).toBe('linkerd');
    expect(meshNamespace({ name: 'd', labels: { 'istio-injection': 'disabled', 'istio.io/rev': 'x' } })).toBeNull();
  });
});
