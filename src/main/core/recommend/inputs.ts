import { detectCnis, type DetectedCni } from '../checks/cni-detect';
import { parseKernelRelease, type KernelRelease } from '../checks/lib/kernel';
import type { FactKey, FactSet } from '../facts/types';
import { cmp, kernelsByRelease } from '../report/versions';

/**
 * What the recommender reads from a FactSet, with "unknown" kept as null: node and pod
 * counts, kernel releases per node, the CNI running now, the platform, architectures,
 * cgroup modes, and what the values file needs (pod CIDR, API server endpoint).
 */

/** Facts the recommender asks the gatherer for. */
export const RECOMMEND_FACT_KEYS: readonly FactKey[] = [
  'k8s.version',
  'k8s.nodes',
  'k8s.podCount',
  'k8s.workloads',
  'kubeproxy.config',
  'kubeadm.networking',
  'cilium.config',
  'node.kernel.release',
  'node.kernel.config',
  'node.cgroup',
];

export type Platform = 'kind' | 'eks' | 'gke' | 'aks' | 'openshift';

export interface RecommendInputs {
  nodes: number | null;
  pods: number | null;
  kernels: { release: string; nodes: string[]; parsed: KernelRelease | null }[];
  /** The CNI running now (the first primary one), null when none was found or workloads are unknown. */
  cni: DetectedCni | null;
  /** Whether the workloads could be read at all (null cni then means "none found"). */
  workloadsKnown: boolean;
  platform: Platform | null;
  /** Why the platform was recognised ("node label eks.amazonaws.com/nodegroup"). */
  platformEvidence: string | null;
  architectures: string[];
  osImages: string[];
  /** Nodes whose cgroup mode is v1 or none (socket load balancing needs cgroup v2). */
  cgroupV1Nodes: string[];
  /** Nodes whose kernel config lacks an option the L7/FQDN proxy needs, with the options. */
  l7MissingNodes: { node: string; options: string[] }[];
  kubeProxy: boolean | null;
  podCIDR: string | null;
  /** host:port of the API server as pods reach it without kube-proxy, when it can be told. */
  apiServer: { host: string; port: string; from: string } | null;
  clusterName: string;
}

const L7_OPTIONS = ['NETFILTER_XT_TARGET_TPROXY', 'NETFILTER_XT_TARGET_MARK', 'NETFILTER_XT_TARGET_CT', 'NETFILTER_XT_MATCH_MARK', 'NETFILTER_XT_MATCH_SOCKET'];

const PLATFORM_LABELS: readonly [Platform, string][] = [
  ['eks', 'eks.amazonaws.com/nodegroup'],
  ['eks', 'eks.amazonaws.com/compute-type'],
  ['gke', 'cloud.google.com/gke-nodepool'],
  ['aks', 'kubernetes.azure.com/cluster'],
  ['aks', 'kubernetes.azure.com/agentpool'],
  ['openshift', 'node.openshift.io/os_id'],
];

const CNI_PLATFORM: Record<string, Platform> = { kindnet: 'kind', 'aws-vpc-cni': 'eks', 'gke-dataplane-v2': 'gke', 'azure-cni': 'aks', 'ovn-kubernetes': 'openshift' };

export interface TargetHint {
  kind?: string;
  name?: string;
  server?: string | null;
}

export function deriveInputs(facts: FactSet, target: TargetHint = {}): RecommendInputs {
  const nodesF = facts['k8s.nodes'];
  const nodes = nodesF?.state === 'known' ? nodesF.value : null;
  const podsF = facts['k8s.podCount'];
  const podRowsF = facts['k8s.pods'];
  const pods = podsF?.state === 'known' ? podsF.value : podRowsF?.state === 'known' ? podRowsF.value.length : null;
  const wf = facts['k8s.workloads'];
  const workloads = wf?.state === 'known' ? wf.value : null;
  const cnis = workloads ? detectCnis(workloads).filter((c) => !c.meta) : [];
  const cni = cnis[0] ?? null;

  let platform: Platform | null = null;
  let platformEvidence: string | null = null;
  for (const n of nodes ?? []) {
    const hit = PLATFORM_LABELS.find(([, label]) => label in n.labels);
    if (hit) {
      platform = hit[0];
      platformEvidence = `node label ${hit[1]} on ${n.name}`;
      break;
    }
  }
  if (!platform && cni && CNI_PLATFORM[cni.id]) {
    platform = CNI_PLATFORM[cni.id]!;
    platformEvidence = `${cni.name} runs (DaemonSet ${cni.workload.namespace}/${cni.workload.name})`;
  }
  if (!platform && target.kind === 'kind') {
    platform = 'kind';
    platformEvidence = 'the target is a kind cluster';
  }

  const cg = facts['node.cgroup'];
  const cgroupV1Nodes = cg?.state === 'known' ? Object.entries(cg.value).filter(([, f]) => f.state === 'known' && (f.value.mode === 'v1' || f.value.mode === 'none')).map(([n]) => n).sort(cmp) : [];
  const kc = facts['node.kernel.config'];
  const l7MissingNodes =
    kc?.state === 'known'
      ? Object.entries(kc.value)
          .flatMap(([node, f]) => {
            if (f.state !== 'known') return [];
            const missing = L7_OPTIONS.filter((o) => f.value.options[o] !== 'y' && f.value.options[o] !== 'm');
            return missing.length ? [{ node, options: missing }] : [];
          })
          .sort((a, b) => cmp(a.node, b.node))
      : [];

  const kp = facts['kubeproxy.config'];
  const kubeProxyDs = workloads?.some((w) => w.kind === 'DaemonSet' && w.namespace === 'kube-system' && w.name.includes('kube-proxy')) ?? false;
  const kubeProxy = workloads === null && kp?.state !== 'known' ? null : kubeProxyDs || kp?.state === 'known';

  const ka = facts['kubeadm.networking'];
  const podCIDR = ka?.state === 'known' && ka.value.podSubnet ? ka.value.podSubnet : null;

  return {
    nodes: nodes ? nodes.length : null,
    pods,
    kernels: kernelsByRelease(facts).map((k) => ({ ...k, parsed: parseKernelRelease(k.release) })),
    cni,
    workloadsKnown: workloads !== null,
    platform,
    platformEvidence,
    architectures: [...new Set((nodes ?? []).map((n) => n.info.architecture).filter(Boolean))].sort(cmp),
    osImages: [...new Set((nodes ?? []).map((n) => n.info.osImage).filter(Boolean))].sort(cmp),
    cgroupV1Nodes,
    l7MissingNodes,
    kubeProxy,
    podCIDR,
    apiServer: apiServerEndpoint(facts, target, platform),
    clusterName: clusterNameOf(facts, target),
  };
}

/**
 * How pods reach the API server without kube-proxy (k8sServiceHost/Port, Calico's
 * kubernetesServiceEndpoint): what the running Cilium agent already uses; on kind the
 * control-plane container's name; a kubeadm control-plane node's InternalIP; else the
 * kubeconfig's server when it is not a loopback address.
 */
function apiServerEndpoint(facts: FactSet, target: TargetHint, platform: Platform | null): RecommendInputs['apiServer'] {
  const wf = facts['k8s.workloads'];
  if (wf?.state === 'known') {
    for (const w of wf.value) {
      const host = w.env.KUBERNETES_SERVICE_HOST;
      if (host && w.kind === 'DaemonSet') return { host, port: w.env.KUBERNETES_SERVICE_PORT ?? '6443', from: `the environment of DaemonSet ${w.namespace}/${w.name}` };
    }
  }
  const nf = facts['k8s.nodes'];
  const nodes = nf?.state === 'known' ? nf.value : [];
  const cp = nodes.filter((n) => 'node-role.kubernetes.io/control-plane' in n.labels || 'node-role.kubernetes.io/master' in n.labels).sort((a, b) => cmp(a.name, b.name));
  if (platform === 'kind' && cp[0]) return { host: cp[0].name, port: '6443', from: `kind's control-plane container ${cp[0].name}` };
  const ip = cp[0]?.addresses.find((a) => a.type === 'InternalIP')?.address;
  if (cp[0] && ip) return { host: ip, port: '6443', from: `the InternalIP of control-plane node ${cp[0].name}` };
  if (target.server) {
    try {
      const u = new URL(target.server);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (!/^(127\.|localhost$|::1$)/.test(host)) return { host, port: u.port || '443', from: 'the kubeconfig server' };
    } catch {
      /* not a URL */
    }
  }
  return null;
}

function clusterNameOf(facts: FactSet, target: TargetHint): string {
  const cfg = facts['cilium.config'];
  const fromCilium = cfg?.state === 'known' ? cfg.value.data['cluster-name'] : undefined;
  let raw = fromCilium && fromCilium !== 'default' ? fromCilium : (target.name ?? 'cluster');
  // context names as the clouds write them: arn:aws:eks:REGION:ACCOUNT:cluster/NAME, gke_PROJECT_ZONE_NAME
  raw = /^arn:aws[\w-]*:eks:[^:]*:\d*:cluster\/(.+)$/.exec(raw)?.[1] ?? /^gke_[^_]+_[^_]+_(.+)$/.exec(raw)?.[1] ?? raw;
  // Cilium cluster names: lower-case alphanumerics and dashes, at most 32 characters
  return (
    raw
      .toLowerCase()
      .replace(/^kind-/, '')
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'cluster'
  );
}
