// kind-default: a plain `kind create cluster` with two workers: kindnet, kube-proxy in
// iptables mode, CoreDNS, local-path storage; no Cilium.
import { versions } from '../paths';
import { waitDaemonSetReady, waitNodesReady, waitPodsRunning, waitServiceEndpoints } from '../seed';
import { KIND_NETWORK, kindNet, kindNodeInfo, kubeProxy, seedKindBase } from './kind';
import type { Profile } from './types';

export const kindDefault: Profile = {
  name: 'kind-default',
  description: 'kind cluster "kind" (1 control plane, 2 workers) with kindnet and kube-proxy (iptables)',
  context: 'kind-kind',
  network: KIND_NETWORK,
  async seed(ctx) {
    const v = versions();
    const cluster = 'kind';
    const { nodes } = await seedKindBase(ctx, {
      cluster,
      kubernetesVersion: v.KUBERNETES_VERSION,
      network: ctx.network,
      workers: 2,
      nodeInfo: kindNodeInfo(v.KUBERNETES_VERSION),
      caFile: ctx.caFile,
    });
    await ctx.apply([
      ...kubeProxy({ kubernetesVersion: v.KUBERNETES_VERSION, clusterCIDR: ctx.network.clusterCIDR, controlPlaneEndpoint: `${cluster}-control-plane:6443` }),
      ...kindNet({ podSubnet: ctx.network.clusterCIDR }),
    ]);
    await waitNodesReady(ctx, { count: nodes.length, names: nodes.map((n) => n.name) });
    ctx.log('waiting for kindnet, kube-proxy, CoreDNS and kube-dns endpoints');
    await Promise.all([
      waitDaemonSetReady(ctx, 'kube-system', 'kube-proxy', nodes.length),
      waitDaemonSetReady(ctx, 'kube-system', 'kindnet', nodes.length),
      waitPodsRunning(ctx, { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns', count: 2 }),
      waitPodsRunning(ctx, { namespace: 'local-path-storage', count: 1 }),
      waitServiceEndpoints(ctx, 'kube-system', 'kube-dns', 2),
    ]);
  },
};
