// kind-bare: what `kind create cluster --name bare` with disableDefaultCNI and kubeProxyMode
// none (two workers) looks like through the API before any CNI is installed: the nodes, kubeadm's
// objects (kubeadm-config, cluster-info, the kubernetes Service endpoints at the control plane),
// the control-plane mirror pods, CoreDNS, kube-dns and local-path storage; no kindnet, no
// kube-proxy, no Cilium and no Cilium CRDs. The Quick-start walkthrough installs Cilium on it.
//
// One difference from a real kind cluster: kwok marks the nodes Ready and runs CoreDNS, where
// real nodes stay NotReady (NetworkPluginNotReady) and CoreDNS Pending until a CNI runs.
import { versions } from '../paths';
import { waitNodesReady, waitPodsRunning, waitServiceEndpoints } from '../seed';
import { KIND_NETWORK, kindNodeInfo, seedKindBase } from './kind';
import type { Profile } from './types';

export const kindBare: Profile = {
  name: 'kind-bare',
  description: 'kind cluster "bare" (1 control plane, 2 workers) without CNI and without kube-proxy, ready for a Cilium install',
  context: 'kind-bare',
  network: KIND_NETWORK,
  async seed(ctx) {
    const v = versions();
    const { nodes } = await seedKindBase(ctx, {
      cluster: 'bare',
      kubernetesVersion: v.KUBERNETES_VERSION,
      network: ctx.network,
      workers: 2,
      nodeInfo: kindNodeInfo(v.KUBERNETES_VERSION),
      caFile: ctx.caFile,
    });
    await waitNodesReady(ctx, { count: nodes.length, names: nodes.map((n) => n.name) });
    ctx.log('waiting for CoreDNS and kube-dns endpoints');
    await Promise.all([
      waitPodsRunning(ctx, { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns', count: 2 }),
      waitPodsRunning(ctx, { namespace: 'local-path-storage', count: 1 }),
      waitServiceEndpoints(ctx, 'kube-system', 'kube-dns', 2),
    ]);
  },
};
