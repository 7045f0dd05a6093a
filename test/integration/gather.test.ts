// The fact gatherer against the real control plane: every cluster check seen passing on the
// shared clusters as seeded, and failing through variants applied on an instance of our own
// (the shared clusters serve other test files meanwhile), plus RBAC and the debug pod.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/shared/api/checks-types';
import { factsNeeded, runChecks, selectChecks } from '../../src/main/core/checks/index';
import { factsFromObjects, type RawObject } from '../../src/main/core/facts';
import { gatherFacts, type GatherResult, type GatherTarget } from '../../src/main/core/gather/index';
import { KubeClient } from '../../src/main/core/kube/client';
import { runDebugPod } from '../../src/main/core/probes/debug-pod';
import type { ProgressEvent } from '../../src/main/core/probes/cluster';
import { applyVariant, ensureCluster, issueUserKubeconfig, Kube, releaseCluster, revertVariant, type ClusterHandle } from '../../scripts/testcluster/index';
import type { Variant } from '../../scripts/testcluster/profiles/types';
import {
  ciliumConfigKprStrict,
  ciliumNodeIpamExhausted,
  ciliumNodeIpamLeak,
  corednsScaledToZero,
  kubeDnsSelectsNothing,
  nodeOldKernel,
  nodeWithoutPodCIDR,
  secondCniKindnet,
} from '../../scripts/testcluster/profiles/variants';
import { testCluster } from '../helpers/testcluster';

/** The checks that cluster facts alone decide (the others read node.* facts). */
const CLUSTER_CHECKS = ['kernel.version', 'ipam.pool', 'kubeproxy.status', 'dns.coredns', 'cni.detect'];

const clients: KubeClient[] = [];
afterAll(() => clients.forEach((c) => c.close()));

function clientFor(kubeconfig: string, context: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(context);
  const c = new KubeClient(kc, context);
  clients.push(c);
  return c;
}

async function check(target: GatherTarget, ids = CLUSTER_CHECKS): Promise<{ r: GatherResult; by: Record<string, Finding>; events: ProgressEvent[] }> {
  const checks = selectChecks(ids);
  const events: ProgressEvent[] = [];
  const r = await gatherFacts(target, factsNeeded(checks), { onProgress: (e) => events.push(e) });
  const by = Object.fromEntries(runChecks(r.facts, {}, checks).map((f) => [f.checkId, f]));
  return { r, by, events };
}

const statuses = (by: Record<string, Finding>) => Object.fromEntries(Object.entries(by).map(([k, f]) => [k, f.status]));

/**
 * The shared clusters serve other test runs and their controllers lag on a busy machine
 * (a DaemonSet's numberReady behind its Ready pods): check until `settled` or time runs out,
 * and return the last result either way.
 */
async function checkSettled(target: GatherTarget, settled: (by: Record<string, Finding>) => boolean, ids = CLUSTER_CHECKS, timeoutMs = 90_000): Promise<Awaited<ReturnType<typeof check>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await check(target, ids);
    if (settled(r.by) || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 2000));
  }
}
const allPass = (by: Record<string, Finding>) => Object.values(by).every((f) => f.status === 'pass');

describe('shared clusters as seeded', () => {
  it('kind-cilium (shared): exactly the needed facts are gathered; Cilium, its config and its nodes are read', async () => {
    // Other test runs use this cluster meanwhile (e.g. a pod made unready): assert what the
    // gatherer controls here; the pristine "everything passes" is on our own instance below.
    const c = testCluster('kind-cilium');
    const { r, by, events } = await check({ kind: 'cluster', client: clientFor(c.kubeconfig, c.context) });
    const needed = factsNeeded(selectChecks(CLUSTER_CHECKS));
    expect(Object.keys(r.facts).sort()).toEqual([...needed].sort());
    expect(by['cni.detect']!.summary).toMatch(/^Cilium 1\.18\.\d+/);
    expect(by['kubeproxy.status']).toMatchObject({ status: 'pass', summary: 'Services implemented by Cilium (kube-proxy replacement)' });
    expect(by['kernel.version']!.summary).toMatch(/^3 nodes: every kernel meets Cilium 1\.18's minimum 5\.10/);
    expect(r.facts['cilium.config']).toMatchObject({ state: 'known', value: { namespace: 'kube-system', data: { ipam: 'kubernetes', 'kube-proxy-replacement': 'true' } } });
    expect(r.facts['cilium.nodes']?.state === 'known' && r.facts['cilium.nodes'].value.map((n) => n.name).sort()).toEqual(['lab-control-plane', 'lab-worker', 'lab-worker2']);
    // kube-proxy is not installed (kubeProxyMode none): its ConfigMap is not found, not an error.
    expect(r.facts['kubeproxy.config']).toMatchObject({ state: 'unknown', reason: 'not-found' });
    // Node facts on a plain cluster target: not applicable, with how to get them.
    expect(r.facts['node.kernel.release']).toMatchObject({ state: 'unknown', reason: 'not-applicable', detail: expect.stringContaining('debug pod') });
    expect(events.filter((e) => e.state === 'started').length).toBe(needed.length);
    expect(events.filter((e) => e.state !== 'started').length).toBe(needed.length);
    expect(r.durations.total).toBeGreaterThan(0);
  });

  it('kind-default: cni.detect says kindnet, kubeproxy.status passes with iptables', async () => {
    const c = testCluster('kind-default');
    const { r, by } = await checkSettled({ kind: 'cluster', client: clientFor(c.kubeconfig, c.context) }, (b) => b['cni.detect']?.status === 'pass' && b['dns.coredns']?.status === 'pass');
    expect(by['cni.detect']).toMatchObject({ status: 'pass', summary: 'kindnet (kind) v20250512-df8de77b' });
    expect(by['kubeproxy.status']).toMatchObject({ status: 'pass', summary: 'Services implemented by kube-proxy (iptables)' });
    expect(r.facts['kubeproxy.config']).toMatchObject({ state: 'known', value: { mode: 'iptables' } });
    expect(by['dns.coredns']!.status).toBe('pass');
    expect(by['kernel.version']!.status).toBe('pass');
    // No Cilium: no CRD, no cilium-config; the IPAM check does not apply.
    expect(r.facts['cilium.nodes']).toMatchObject({ state: 'unknown', reason: 'not-found', detail: expect.stringContaining('Cilium is not installed') });
    expect(by['ipam.pool']!.status).toBe('not-applicable');
  });

  it('the raw objects read back by factsFromObjects give the same facts', async () => {
    const c = testCluster('kind-cilium');
    const { r } = await check({ kind: 'cluster', client: clientFor(c.kubeconfig, c.context) });
    const again = factsFromObjects(Object.entries(r.raw).filter(([k]) => k !== 'pods' && k !== 'version').flatMap(([, v]) => v as RawObject[]));
    for (const k of ['k8s.nodes', 'k8s.workloads', 'cilium.config', 'cilium.nodes', 'kubeadm.networking', 'dns.service', 'dns.endpoints', 'k8s.service.kubernetes'] as const) {
      const a = r.facts[k];
      const b = again[k];
      expect(b?.state, k).toBe('known');
      if (a?.state === 'known' && b?.state === 'known') expect(b.value, k).toEqual(a.value);
    }
    expect(JSON.stringify(r.raw)).not.toContain('managedFields');
  });

  it('kind target: cluster facts from the API, node facts from the node containers (docker has no engine here: unknown in docker’s words)', async () => {
    const c = testCluster('kind-cilium');
    const { r, by } = await check({ kind: 'kind', client: clientFor(c.kubeconfig, c.context) }, ['kernel.version', 'kernel.btf', 'net.mtu']);
    const rel = r.facts['node.kernel.release'];
    expect(rel).toMatchObject({ state: 'unknown' });
    if (rel?.state === 'unknown') expect(rel.detail).toMatch(/^(docker: Cannot connect to the Docker daemon|neither docker nor podman)/);
    // The kernel release still comes from each Node's nodeInfo.
    expect(by['kernel.version']!.status).toBe('pass');
    expect(by['kernel.btf']!.status).toBe('unknown');
    expect(by['kernel.btf']!.details?.[0]?.summary).toMatch(/node\.kernel\.btf: (unreachable: docker: Cannot connect to the Docker daemon|not-found: neither docker nor podman)/);
  });
});

describe('variants on a kind-cilium instance of our own', () => {
  let own: ClusterHandle;
  let client: KubeClient;
  const target = (): GatherTarget => ({ kind: 'cluster', client });
  const withVariant = async (v: Variant, fn: () => Promise<void>) => {
    await applyVariant(own.name, v);
    try {
      await fn();
    } finally {
      await revertVariant(own.name, v);
    }
  };

  beforeAll(async () => {
    own = await ensureCluster('kind-cilium', { name: 'gather-variants', hold: true, log: () => {} });
    client = clientFor(own.kubeconfig, own.context);
  }, 600_000);
  afterAll(async () => {
    if (own) await releaseCluster(own.name, { log: () => {} });
  }, 120_000);

  it('as seeded: every cluster check passes', async () => {
    const { by } = await checkSettled(target(), allPass);
    expect(statuses(by)).toEqual({ 'kernel.version': 'pass', 'ipam.pool': 'pass', 'kubeproxy.status': 'pass', 'dns.coredns': 'pass', 'cni.detect': 'pass' });
    expect(by['cni.detect']!.summary).toMatch(/^Cilium 1\.18\.\d+$/);
    expect(by['dns.coredns']!.summary).toBe('coredns 2/2 ready, Service 10.96.0.10 on 53/UDP+TCP with 2 ready endpoint(s)');
    expect(by['ipam.pool']!.summary).toMatch(/^kubernetes IPAM: 3 nodes have room/);
  });

  it('CoreDNS scaled to 0 → dns.coredns fails', async () => {
    await withVariant(corednsScaledToZero, async () => {
      const { by } = await check(target(), ['dns.coredns']);
      expect(by['dns.coredns']).toMatchObject({ status: 'fail', summary: 'coredns is scaled to 0; the DNS Service has no ready endpoint: every lookup times out' });
    });
  });

  it('kube-dns endpoints gone → dns.coredns fails', async () => {
    await withVariant(kubeDnsSelectsNothing, async () => {
      const { by, r } = await check(target(), ['dns.coredns']);
      expect(r.facts['dns.endpoints']).toMatchObject({ state: 'known', value: { ready: [] } });
      expect(by['dns.coredns']).toMatchObject({ status: 'fail', summary: 'the DNS Service has no ready endpoint: every lookup times out' });
    });
  });

  it('kube-proxy-replacement "strict" on a 1.18 agent → kubeproxy.status fails', async () => {
    await withVariant(ciliumConfigKprStrict, async () => {
      const { by } = await check(target(), ['kubeproxy.status']);
      expect(by['kubeproxy.status']!.status).toBe('fail');
      expect(by['kubeproxy.status']!.summary).toMatch(/kube-proxy-replacement "strict" was removed in Cilium 1\.16: the 1\.18 agent refuses to start/);
    });
  });

  it('a node without a pod CIDR → ipam.pool fails', async () => {
    await withVariant(nodeWithoutPodCIDR, async () => {
      const { by, r } = await check(target(), ['ipam.pool']);
      const n = r.facts['k8s.nodes'];
      expect(n?.state === 'known' && n.value.find((x) => x.name === 'datapath-lab-no-podcidr')?.podCIDRs).toEqual([]);
      expect(by['ipam.pool']!.status).toBe('fail');
      expect(by['ipam.pool']!.summary).toMatch(/1 node exhausted or without a pod CIDR \(datapath-lab-no-podcidr\)/);
      expect(by['ipam.pool']!.details?.find((d) => d.subject === 'datapath-lab-no-podcidr')?.summary).toMatch(/no spec.podCIDRs/);
    });
  });

  it('a node on kernel 5.4 → kernel.version fails', async () => {
    await withVariant(nodeOldKernel, async () => {
      const { by } = await check(target(), ['kernel.version']);
      expect(by['kernel.version']!.status).toBe('fail');
      expect(by['kernel.version']!.summary).toMatch(/^4 nodes against Cilium 1\.18's minimum 5\.10.*: 1 fail \(datapath-lab-old-kernel\)/);
    });
  });

  it('a leaked CiliumNode allocation → ipam.pool warns', async () => {
    // Earlier variants re-created CoreDNS pods: their old allocations are leaks too (no agent
    // runs to release them), so count against what is there before.
    const before = Number(/(\d+) leaked allocation/.exec((await check(target(), ['ipam.pool'])).by['ipam.pool']!.summary)?.[1] ?? 0);
    await withVariant(ciliumNodeIpamLeak, async () => {
      const { by } = await check(target(), ['ipam.pool']);
      expect(by['ipam.pool']!.status).toBe('warn');
      expect(by['ipam.pool']!.summary).toMatch(new RegExp(`kubernetes IPAM: ${before + 1} leaked allocations?`));
      expect(by['ipam.pool']!.details?.some((d) => /default\/ghost-7d9f4c/.test(d.summary))).toBe(true);
    });
  });

  it('a node near IPAM exhaustion → ipam.pool fails', async () => {
    await withVariant(ciliumNodeIpamExhausted, async () => {
      const { by } = await check(target(), ['ipam.pool']);
      expect(by['ipam.pool']!.status).toBe('fail');
      expect(by['ipam.pool']!.summary).toMatch(/1 node exhausted or without a pod CIDR \(lab-worker\)/);
    });
  });

  it('kindnet next to Cilium → cni.detect fails', async () => {
    await withVariant(secondCniKindnet, async () => {
      const { by } = await check(target(), ['cni.detect']);
      expect(by['cni.detect']!.status).toBe('fail');
      expect(by['cni.detect']!.summary).toMatch(/2 CNIs run at once \(cilium\+kindnet\)/);
    });
  });

  it('a user with only get/list on nodes: unknown findings naming the missing permissions, not errors', async () => {
    const admin = Kube.fromKubeconfig(own.kubeconfig, own.context);
    const user = 'gather-nodes-only';
    const name = 'datapath-lab-test-nodes-only';
    try {
      await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] });
      await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] });
      const kubeconfig = await issueUserKubeconfig(own.name, { user });
      const { r, by } = await check({ kind: 'cluster', client: clientFor(kubeconfig, own.context) });
      expect(r.facts['k8s.nodes']?.state).toBe('known');
      expect(r.facts['k8s.workloads']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('gather-nodes-only cannot list daemonsets (API group apps) at cluster scope') });
      expect(r.facts['cilium.config']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('gather-nodes-only cannot get configmaps in namespace kube-system') });
      expect(r.facts['k8s.pods']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('cannot list pods') });
      expect(r.facts['cilium.nodes']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('cannot list ciliumnodes (API group cilium.io)') });
      expect(statuses(by)).toEqual({ 'kernel.version': 'pass', 'ipam.pool': 'unknown', 'kubeproxy.status': 'unknown', 'dns.coredns': 'unknown', 'cni.detect': 'unknown' });
      expect(by['cni.detect']!.summary).toMatch(/^cannot list the DaemonSets that run CNIs: k8s\.workloads: forbidden: gather-nodes-only cannot list daemonsets/);
      expect(by['ipam.pool']!.summary).toMatch(/cilium\.config: forbidden: gather-nodes-only cannot get configmaps in namespace kube-system/);
      expect(by['dns.coredns']!.summary).toMatch(/dns\.service: forbidden: gather-nodes-only cannot get services in namespace kube-system/);
    } finally {
      await admin.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', name);
      await admin.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', name);
      admin.close();
    }
  });

  it('gatherer with debug pods on chosen nodes: those time out on kwok (no container runs), the others say why they were not read; no pod is left', async () => {
    const pods: string[] = [];
    // Debug pods without the options the user agreed to (image): refused.
    await expect(gatherFacts({ kind: 'cluster', client, nodeFacts: 'debug-pod' }, ['node.kernel.btf'])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const g = await gatherFacts({ kind: 'cluster', client, nodeFacts: 'debug-pod' }, factsNeeded(selectChecks(['kernel.btf'])), {
      debugPod: { image: 'busybox:1.37', nodes: ['lab-worker'], timeoutMs: 3000, onPod: (n, s) => pods.push(`${n}:${s}`) },
    });
    const f = runChecks(g.facts, {}, selectChecks(['kernel.btf']))[0]!;
    expect(f.status).toBe('unknown');
    expect(f.details?.find((d) => d.subject === 'lab-worker')?.summary).toMatch(/timeout: the debug pod did not finish within 3 s \(phase Running\)/);
    expect(f.details?.find((d) => d.subject === 'lab-control-plane')?.summary).toMatch(/not-applicable: no debug pod ran on this node \(debug pods ran on 1 of 3 nodes/);
    expect(pods).toEqual(expect.arrayContaining(['lab-worker:Running', 'lab-worker:deleted']));
    const admin = Kube.fromKubeconfig(own.kubeconfig, own.context);
    try {
      expect(await admin.list('v1', 'Pod', { labelSelector: 'app.kubernetes.io/name=datapath-lab-node-probe' })).toEqual([]);
    } finally {
      admin.close();
    }
  });

  it('debug pod: created, Running on kwok (which runs no container), then deleted and gone', async () => {
    const states: string[] = [];
    const r = await runDebugPod(client, 'lab-worker', { image: 'busybox:1.37', timeoutMs: 8000, pollMs: 250, onState: (s) => states.push(s) });
    expect(states).toContain('Running');
    expect(states[states.length - 1]).toBe('deleted');
    expect(r.deleted).toBe(true);
    const f = r.facts['node.kernel.release'];
    expect(f?.state === 'known' && f.value['lab-worker']).toMatchObject({ state: 'unknown', reason: 'timeout' });
    const admin = Kube.fromKubeconfig(own.kubeconfig, own.context);
    try {
      expect(await admin.get('v1', 'Pod', r.pod, r.namespace)).toBeUndefined();
      expect(await admin.list('v1', 'Pod', { namespace: 'default', labelSelector: 'app.kubernetes.io/name=datapath-lab-node-probe' })).toEqual([]);
    } finally {
      admin.close();
    }
  });
});
