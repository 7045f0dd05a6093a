// large: a benchmark cluster, N nodes and M pods (default 5,000 and 100,000), with the
// kube-proxy-free Cilium setup of kind-cilium. Pods are created pre-bound (spec.nodeName)
// so the scheduler is not the bottleneck; objects go through the API with bounded
// concurrency. Timings and component memory are recorded in the state file.
import { randomBytes } from 'node:crypto';
import { memoryOf } from '../procs';
import { versions } from '../paths';
import type { KubeObject } from '../kube';
import { mapLimit } from '../kube';
import type { SeedContext } from '../seed';
import { waitDeploymentReady, waitNodesReady, waitServiceAccount, waitServiceEndpoints } from '../seed';
import { readState, updateState } from '../state';
import { helmInstallCilium, installCiliumCrds, writeAgentState } from './cilium';
import { waitCiliumRunning } from './kind-cilium';
import { controlPlaneMirrorPods, coreDNS, kindNode, kindNodeInfo, kindNodeSpecs, kubeadmObjects, localPathStorage, nthAddress } from './kind';
import type { KindClusterInfo } from './kind';
import type { Profile, ProfileOptions } from './types';

const PODS_PER_NAMESPACE = 1000;
const PODS_PER_APP = 50;

function counts(o: ProfileOptions): { nodes: number; pods: number; endpoints: boolean } {
  const nodes = Math.max(2, Math.floor(Number(o.nodes ?? 5000)));
  const pods = Math.max(0, Math.floor(Number(o.pods ?? 100_000)));
  return { nodes, pods, endpoints: o.endpoints === true || o.endpoints === 'true' };
}

function benchPod(i: number, node: string): KubeObject {
  const nsIndex = Math.floor(i / PODS_PER_NAMESPACE);
  const app = `app-${String(Math.floor((i % PODS_PER_NAMESPACE) / PODS_PER_APP)).padStart(2, '0')}`;
  const namespace = `bench-${String(nsIndex).padStart(3, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${randomBytes(5).toString('hex')}`,
      namespace,
      labels: { app, tier: i % 3 === 0 ? 'frontend' : 'backend' },
    },
    spec: {
      nodeName: node,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          args: ['netexec', '--http-port=8080'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  };
}

export const large: Profile = {
  name: 'large',
  description: 'benchmark cluster: --nodes N (5000) kwok nodes, --pods M (100000) pods pre-bound to them, Cilium as in kind-cilium (CiliumEndpoints with --endpoints)',
  context: 'large',
  // 5,000 /24 node CIDRs do not fit in kind's 10.244.0.0/16 (256 of them); use a /9 clear of the service CIDR.
  network: { serviceCIDR: '10.96.0.0/16', clusterCIDR: '10.128.0.0/9', nodeCIDRMaskSize: 24 },
  defaults: { nodes: 5000, pods: 100_000 },
  tuning() {
    return {
      flags: {
        'kube-apiserver': ['--max-requests-inflight=1000', '--max-mutating-requests-inflight=500'],
        'kube-controller-manager': ['--kube-api-qps=1000', '--kube-api-burst=2000', '--concurrent-daemonset-syncs=4', '--node-monitor-grace-period=400s'],
        'kube-scheduler': ['--kube-api-qps=1000', '--kube-api-burst=2000'],
        // kwok logs every pod patch at INFO: ~70 MB and real CPU for 100,000 pods.
        kwok: ['--v=WARN'],
      },
      // Leases renewed every 75 s instead of 10 s: 5,000 nodes would otherwise cost 500 writes/s.
      kwok: { nodeLeaseDurationSeconds: 300, podPlayStageParallelism: 32, nodePlayStageParallelism: 16, nodeLeaseParallelism: 16 },
    };
  },
  async seed(ctx: SeedContext, opts) {
    const { nodes: nodeCount, pods: podCount, endpoints } = counts(opts);
    const v = versions();
    const cluster = 'large';
    const t: Record<string, number> = {};
    const mark = async <T>(k: string, fn: () => Promise<T>): Promise<T> => {
      const s = Date.now();
      const r = await fn();
      t[k] = Date.now() - s;
      ctx.log(`${k}: ${(t[k] / 1000).toFixed(1)} s`);
      return r;
    };

    await mark('crds', () => installCiliumCrds(ctx));
    const specs = kindNodeSpecs(cluster, nodeCount - 1);
    const info: KindClusterInfo = { cluster, kubernetesVersion: v.KUBERNETES_VERSION, network: ctx.network, controlPlane: specs[0] as KindClusterInfo['controlPlane'], caFile: ctx.caFile };
    const nodeInfo = kindNodeInfo(v.KUBERNETES_VERSION);
    await mark('nodesCreated', () => ctx.create(specs.map((n) => kindNode(cluster, n, nodeInfo)), { concurrency: 32, ignoreExists: true }));
    await ctx.apply(kubeadmObjects(info));
    await waitServiceAccount(ctx, 'kube-system');
    const cp = await ctx.kube.get('v1', 'Node', info.controlPlane.name);
    await ctx.create(controlPlaneMirrorPods(info, String(cp?.metadata.uid)), { ignoreExists: true });
    await ctx.apply([...coreDNS({ dnsIP: nthAddress(ctx.network.serviceCIDR, 10) }), ...localPathStorage()]);
    await mark('nodesReady', () => waitNodesReady(ctx, { count: nodeCount, timeoutMs: 30 * 60_000 }));
    await helmInstallCilium(ctx, { clusterName: cluster, k8sServiceHost: `${cluster}-control-plane`, k8sServicePort: 6443 });

    // Namespaces first (their default ServiceAccount comes from the controller-manager).
    const nsCount = Math.ceil(podCount / PODS_PER_NAMESPACE);
    const namespaces = Array.from({ length: nsCount }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
    await ctx.create(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'datapath-lab/bench': 'true' } } })), { concurrency: 16, ignoreExists: true });
    await mapLimit(namespaces, 16, (n) => waitServiceAccount(ctx, n));

    // Pods pre-bound round-robin to the workers (the control plane keeps its NoSchedule taint).
    const workers = specs.slice(1).map((s) => s.name);
    let done = 0;
    let lastReport = Date.now();
    await mark('podsCreated', () =>
      mapLimit(Array.from({ length: podCount }, (_, i) => i), 48, async (i) => {
        await ctx.kube.create(benchPod(i, workers[i % workers.length] as string), { retries: 6 });
        done++;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          ctx.log(`pods created: ${done}/${podCount}`);
        }
      }),
    );
    await mark('podsRunning', () =>
      ctx.waitFor(
        `${podCount} bench pods Running`,
        async () => {
          // Stop at the first pod that is not Running yet. Pages must be big: a selective list
          // with limit=1 returns mostly empty pages with a continue token.
          const pending = await ctx.kube.list('v1', 'Pod', { fieldSelector: 'status.phase!=Running', labelSelector: 'app', limit: 5000, max: 1 });
          return pending.length === 0;
        },
        { timeoutMs: 60 * 60_000, intervalMs: 5000 },
      ),
    );
    await mark('systemPodsRunning', async () => {
      await waitCiliumRunning(ctx, nodeCount, 30 * 60_000);
      await waitDeploymentReady(ctx, 'kube-system', 'coredns', 2, 10 * 60_000);
      await waitServiceEndpoints(ctx, 'kube-system', 'kube-dns', 2, 10 * 60_000);
    });
    const written = await mark('agentState', () => writeAgentState(ctx, { clusterName: cluster, ipamUsed: true, endpoints, concurrency: 32 }));
    ctx.log(`agent state: ${written.nodes} CiliumNodes, ${written.identities} identities, ${written.endpoints} endpoints`);

    // Record what it took (the state file keeps it; docs/test-control-plane.md quotes it).
    const s = readState(ctx.name);
    const memory: Record<string, { rssMiB: number; peakMiB: number }> = {};
    for (const [c, rec] of Object.entries(s?.components ?? {})) {
      const m = rec ? memoryOf(rec.pid) : undefined;
      if (m) memory[c] = { rssMiB: Math.round(m.rss / 2 ** 20), peakMiB: Math.round(m.peak / 2 ** 20) };
    }
    updateState(ctx.name, (st) => {
      st.metrics = { ...st.metrics, large: { nodes: nodeCount, pods: podCount, endpoints: written.endpoints, seedPhasesMs: t, memoryAfterSeed: memory } };
    });
    ctx.log(`memory after seeding (RSS MiB): ${Object.entries(memory).map(([c, m]) => `${c} ${m.rssMiB} (peak ${m.peakMiB})`).join(', ')}`);
  },
};

