import type { FactSet, NodeSummary, Workload } from '../../../src/main/core/facts/types';
import { known, unknown } from '../../../src/shared/facts';

/**
 * Fake clusters for the recommender, built the way the probes report them: Node summaries
 * with status.nodeInfo, the CNI's DaemonSet with its real image name, kube-proxy's DaemonSet,
 * kubeadm's podSubnet. Kernel strings are real `uname -r` outputs (see checks-reference.md).
 */

export const CNI_IMAGES: Record<string, { name: string; namespace: string; image: string }> = {
  kindnet: { name: 'kindnet', namespace: 'kube-system', image: 'docker.io/kindest/kindnetd:v20250512-df8de77b' },
  calico: { name: 'calico-node', namespace: 'calico-system', image: 'docker.io/calico/node:v3.30.3' },
  cilium: { name: 'cilium', namespace: 'kube-system', image: 'quay.io/cilium/cilium:v1.18.6' },
  flannel: { name: 'kube-flannel-ds', namespace: 'kube-flannel', image: 'ghcr.io/flannel-io/flannel:v0.26.7' },
  'aws-vpc-cni': { name: 'aws-node', namespace: 'kube-system', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1' },
  'gke-dataplane-v2': { name: 'anetd', namespace: 'kube-system', image: 'gke.gcr.io/cilium/cilium:v1.14.12-gke.8' },
};

export interface FakeCluster {
  nodes?: number;
  kernel?: string | string[];
  arch?: string;
  labels?: Record<string, string>;
  osImage?: string;
  pods?: number;
  cni?: keyof typeof CNI_IMAGES | null;
  kubeProxy?: boolean;
  podSubnet?: string | null;
  /** Facts the probe could not read. */
  unknownNodes?: boolean;
  cgroupV1?: boolean;
}

const ds = (name: string, namespace: string, image: string, env: Record<string, string> = {}): Workload => ({
  kind: 'DaemonSet', namespace, name, labels: {}, images: [image], initImages: [], desired: 3, ready: 3, available: 3, updated: 3, env,
});

export function fakeCluster(c: FakeCluster = {}): FactSet {
  const n = c.nodes ?? 3;
  const kernels = Array.isArray(c.kernel) ? c.kernel : [c.kernel ?? '6.8.0-1015-aws'];
  const nodes: NodeSummary[] = Array.from({ length: n }, (_, i) => ({
    name: i === 0 ? 'lab-control-plane' : `lab-worker${i}`,
    labels: { 'kubernetes.io/hostname': `node-${i}`, ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}), ...(c.labels ?? {}) },
    taints: [],
    addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 2}` }],
    podCIDRs: [`10.244.${i}.0/24`],
    ready: 'True',
    networkUnavailable: null,
    unschedulable: false,
    info: { kernelVersion: kernels[i % kernels.length]!, osImage: c.osImage ?? 'Ubuntu 24.04.1 LTS', containerRuntimeVersion: 'containerd://2.1.1', kubeletVersion: 'v1.34.4', architecture: c.arch ?? 'amd64' },
  }));
  const workloads: Workload[] = [];
  const cni = c.cni === undefined ? 'kindnet' : c.cni;
  if (cni) {
    const w = CNI_IMAGES[cni]!;
    workloads.push(ds(w.name, w.namespace, w.image, cni === 'cilium' ? { KUBERNETES_SERVICE_HOST: 'lab-control-plane', KUBERNETES_SERVICE_PORT: '6443' } : {}));
  }
  if (c.kubeProxy ?? true) workloads.push(ds('kube-proxy', 'kube-system', 'registry.k8s.io/kube-proxy:v1.34.4'));
  const facts: FactSet = {
    'k8s.version': known({ gitVersion: 'v1.34.4' }, '/version'),
    'k8s.nodes': c.unknownNodes ? unknown('forbidden', 'cannot list nodes (needs list on nodes)') : known(nodes, 'Node list'),
    'k8s.podCount': known(c.pods ?? n * 12, 'Pod list (limit=1)'),
    'k8s.workloads': known(workloads, 'DaemonSets and Deployments'),
    'kubeadm.networking': known({ serviceSubnet: '10.96.0.0/16', podSubnet: c.podSubnet === undefined ? '10.244.0.0/16' : c.podSubnet, dnsDomain: 'cluster.local' }, 'ConfigMap kube-system/kubeadm-config'),
  };
  if (c.cgroupV1) {
    facts['node.cgroup'] = known(Object.fromEntries(nodes.map((x) => [x.name, known({ mode: 'v1' as const, v2Mount: null, controllers: [] }, '/proc/mounts')])), 'node probe');
  }
  return facts;
}
