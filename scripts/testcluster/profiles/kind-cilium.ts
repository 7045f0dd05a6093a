// kind-cilium: what `kind create cluster --name lab` (disableDefaultCNI, kubeProxyMode none,
// two workers) followed by a kube-proxy-free Cilium 1.18 install looks like through the API.
import { versions } from '../paths';
import type { SeedContext } from '../seed';
import { waitDaemonSetReady, waitDeploymentReady, waitNodesReady, waitPodsRunning, waitServiceEndpoints } from '../seed';
import { helmInstallCilium, installCiliumCrds, writeAgentState } from './cilium';
import { KIND_NETWORK, kindNodeInfo, seedKindBase } from './kind';
import type { KindNodeSpec } from './kind';
import type { Profile } from './types';

/** Cilium's node condition once the agent runs (it replaces the CNI's NetworkUnavailable). */
export async function markCiliumUp(ctx: SeedContext, nodes: KindNodeSpec[]): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const n of nodes) {
    await ctx.kube.patch(
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name },
        status: { conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'CiliumIsUp', message: 'Cilium is running on this node', lastHeartbeatTime: now, lastTransitionTime: now }] },
      },
      { subresource: 'status' },
    );
  }
}

/** Waits for a kube-proxy-free Cilium install on `nodeCount` nodes to be Running. */
export async function waitCiliumRunning(ctx: SeedContext, nodeCount: number, timeoutMs = 180_000): Promise<void> {
  await Promise.all([
    waitDaemonSetReady(ctx, 'kube-system', 'cilium', nodeCount, timeoutMs),
    waitDaemonSetReady(ctx, 'kube-system', 'cilium-envoy', nodeCount, timeoutMs),
    waitDeploymentReady(ctx, 'kube-system', 'cilium-operator', 1, timeoutMs),
  ]);
}

export const kindCilium: Profile = {
  name: 'kind-cilium',
  description: 'kind cluster "lab" (1 control plane, 2 workers), no kube-proxy, Cilium 1.18 with kube-proxy replacement, VXLAN, kubernetes IPAM',
  context: 'kind-lab',
  network: KIND_NETWORK,
  async seed(ctx) {
    const v = versions();
    const cluster = 'lab';
    await installCiliumCrds(ctx);
    const { nodes } = await seedKindBase(ctx, {
      cluster,
      kubernetesVersion: v.KUBERNETES_VERSION,
      network: ctx.network,
      workers: 2,
      nodeInfo: kindNodeInfo(v.KUBERNETES_VERSION),
      caFile: ctx.caFile,
    });
    await helmInstallCilium(ctx, { clusterName: `kind-${cluster}`, k8sServiceHost: `${cluster}-control-plane`, k8sServicePort: 6443 });
    await waitNodesReady(ctx, { count: nodes.length, names: nodes.map((n) => n.name) });
    await markCiliumUp(ctx, nodes);
    ctx.log('waiting for Cilium, CoreDNS and kube-dns endpoints');
    await Promise.all([
      waitCiliumRunning(ctx, nodes.length),
      waitPodsRunning(ctx, { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns', count: 2 }),
      waitPodsRunning(ctx, { namespace: 'local-path-storage', count: 1 }),
      waitServiceEndpoints(ctx, 'kube-system', 'kube-dns', 2),
    ]);
    const written = await writeAgentState(ctx, { clusterName: `kind-${cluster}`, ipamUsed: true, endpoints: true });
    ctx.log(`agent state: ${written.nodes} CiliumNodes, ${written.identities} identities, ${written.endpoints} endpoints`);
  },
};
