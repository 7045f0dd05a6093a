import semver from 'semver';
import type { CiliumValues, ValuesFinding } from '../../../shared/api/walkthrough';
import type { FactSet, NodeSummary } from '../facts/types';
import { findKubeProxy } from '../checks/kubeproxy-status';
import { known, nameList, nodeFact, nodeNames, plural } from '../checks/lib/finding';
import { compareKernel, parseKernelRelease } from '../checks/lib/kernel';
import { parseCidr } from '../checks/lib/cidr';
import { kprMode } from './model';

/**
 * The values linter: rules about combinations of values and about the target, each with the
 * field (Helm path), what goes wrong, and the fix (in words and as a patch the form can apply).
 * Pure: the target's facts come in `facts`; nothing unknown is guessed.
 */

export interface LintContext {
  /** The version being installed ("1.18.6"); rules that changed over releases use it. Default: 1.18. */
  ciliumVersion?: string;
  /** Target facts: k8s.nodes, node.kernel.release, k8s.workloads, kubeproxy.config, kubeadm.networking. */
  facts?: FactSet;
  /** Where the API server listens (EndpointSlice default/kubernetes), to suggest k8sServiceHost/Port. */
  apiServer?: { host: string; port: number } | null;
  /** Host names the API server is known by (the kubeconfig's server), besides node names and addresses. */
  apiServerNames?: string[];
}

/** The facts the linter reads, for the gatherer. */
export const LINT_FACTS = ['k8s.nodes', 'node.kernel.release', 'k8s.workloads', 'kubeproxy.config', 'kubeadm.networking'] as const;

const DOC = {
  kpr: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/ (kube-proxy-replacement "strict"/"partial"/"disabled" deprecated in 1.14, removed in 1.16; "probe" removed in 1.13)',
  netkit: 'https://docs.cilium.io/en/stable/operations/performance/tuning/#netkit-device-mode (Requirements: kernel >= 6.8, eBPF host-routing; the 1.18 agent exits with "netkit devices need kernel 6.7.0 or newer and CONFIG_NETKIT")',
  hostRouting: 'https://docs.cilium.io/en/stable/operations/performance/tuning/#ebpf-host-routing (Requirements: eBPF-based kube-proxy replacement, eBPF-based masquerading)',
  operator: 'cilium/cilium install/kubernetes/cilium/values.yaml: operator.affinity podAntiAffinity requiredDuringSchedulingIgnoredDuringExecution on kubernetes.io/hostname; operator.tolerations',
  k8sIpam: 'https://docs.cilium.io/en/stable/network/concepts/ipam/kubernetes/ (the agent waits for the Node’s spec.podCIDRs)',
  kprHost: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/#quick-start (k8sServiceHost / k8sServicePort: without kube-proxy the agent cannot reach the API server through the kubernetes Service)',
  native: 'https://docs.cilium.io/en/stable/network/concepts/routing/#native-routing (ipv4-native-routing-cidr is required when IPv4 masquerading is on)',
  ipam: 'https://docs.cilium.io/en/stable/network/concepts/ipam/ (cluster-pool-ipv4-cidr and cluster-pool-ipv4-mask-size are read in cluster-pool mode only)',
  bpfMasq: 'https://docs.cilium.io/en/stable/network/concepts/masquerading/#ebpf-based ("depends on the BPF NodePort feature"); cilium/cilium daemon/cmd/daemon.go: "BPF masquerade requires NodePort"',
  hubble: 'https://docs.cilium.io/en/stable/observability/hubble/hubble-ui/ (hubble-ui reads flows from hubble-relay)',
  mtu: 'https://docs.cilium.io/en/stable/network/concepts/routing/ (MTU 0 detects the device MTU)',
  values: 'cilium/cilium install/kubernetes/cilium/values.yaml',
};

/** The operator pods' default tolerations (values.yaml operator.tolerations, 1.18). */
const OPERATOR_TOLERATED = new Set(['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master', 'node.kubernetes.io/not-ready', 'node.cloudprovider.kubernetes.io/uninitialized']);

function versionOf(ctx: LintContext): string {
  return semver.coerce(ctx.ciliumVersion ?? '1.18')?.version ?? '1.18.0';
}

const at = (ctx: LintContext, v: string) => semver.gte(versionOf(ctx), v);
const versionLabel = (ctx: LintContext) => ctx.ciliumVersion ?? '1.18';
/** Kube-proxy replacement on, counting the legacy "strict" (flagged by its own rule). */
const kprOn = (v: CiliumValues) => ['true', 'strict', 'probe'].includes(kprMode(v.kubeProxyReplacement));

/** Nodes an operator pod can be scheduled on: not cordoned, every NoSchedule/NoExecute taint tolerated. */
export function operatorSchedulableNodes(nodes: readonly NodeSummary[]): NodeSummary[] {
  return nodes.filter((n) => !n.unschedulable && n.taints.every((t) => t.effect === 'PreferNoSchedule' || OPERATOR_TOLERATED.has(t.key)));
}

/** Each node's kernel release: node facts first, else the Node's status.nodeInfo. */
function nodeKernels(facts: FactSet): { node: string; release: string | null }[] {
  const nodes = known(facts, 'k8s.nodes')?.value ?? [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return nodeNames(facts, ['node.kernel.release']).map((node) => {
    const f = nodeFact(facts, 'node.kernel.release', node);
    if (f?.state === 'known') return { node, release: f.value };
    const k = byName.get(node)?.info.kernelVersion;
    return { node, release: k || null };
  });
}

type Rule = (v: CiliumValues, ctx: LintContext) => ValuesFinding[];

const kprLegacy: Rule = (v, ctx) => {
  const mode = kprMode(v.kubeProxyReplacement);
  if (mode === 'true' || mode === 'false') return [];
  const to = mode === 'strict' || mode === 'probe' ? true : false;
  const why =
    mode === 'partial'
      ? '"partial" enabled a chosen set of features; use false and enable those features one by one (nodePort.enabled, socketLB.enabled, …), or true for all of them'
      : mode === 'disabled'
        ? '"disabled" is false'
        : `"${mode}" is true`;
  const removedIn = mode === 'probe' ? '1.13.0' : '1.16.0';
  const removed = at(ctx, removedIn);
  const deprecated = mode !== 'probe' && at(ctx, '1.14.0');
  if (!removed && !deprecated) return [];
  return [
    {
      rule: 'kpr-legacy-mode',
      severity: removed ? 'error' : 'warning',
      field: 'kubeProxyReplacement',
      message: removed
        ? `kubeProxyReplacement "${mode}" was removed in Cilium ${removedIn.slice(0, 4)}: the ${versionLabel(ctx)} agent refuses to start with it.`
        : `kubeProxyReplacement "${mode}" is deprecated since 1.14 and removed in 1.16.`,
      fix: `Use kubeProxyReplacement: ${to} (${why}).`,
      patch: { kubeProxyReplacement: to },
      reference: DOC.kpr,
    },
  ];
};

const netkitKernel: Rule = (v, ctx) => {
  const mode = v.bpf.datapathMode;
  if (mode === 'veth') return [];
  const out: ValuesFinding[] = [];
  if (!at(ctx, '1.16.0')) {
    out.push({ rule: 'netkit-kernel', severity: 'error', field: 'bpf.datapathMode', message: `bpf.datapathMode ${mode} arrived in Cilium 1.16; ${versionLabel(ctx)} does not know it.`, fix: 'Use veth, or install Cilium 1.16 or later.', patch: { 'bpf.datapathMode': 'veth' }, reference: DOC.netkit });
    return out;
  }
  const kernels = ctx.facts ? nodeKernels(ctx.facts) : [];
  const old: string[] = [];
  const unknown: string[] = [];
  for (const k of kernels) {
    const parsed = k.release ? parseKernelRelease(k.release) : null;
    if (!parsed) unknown.push(k.node);
    else if (compareKernel(parsed, '6.8') === 'older') old.push(`${k.node} (${k.release})`);
  }
  if (old.length) {
    out.push({
      rule: 'netkit-kernel',
      severity: 'error',
      field: 'bpf.datapathMode',
      message: `bpf.datapathMode ${mode} needs kernel 6.8 or later with CONFIG_NETKIT on every node; ${plural(old.length, 'node')} ${old.length === 1 ? 'runs an older kernel' : 'run older kernels'}: ${nameList(old)}. The agent exits on them.`,
      fix: 'Use veth on these nodes (or upgrade their kernels; netkit can be enabled per node with CiliumNodeConfig).',
      patch: { 'bpf.datapathMode': 'veth' },
      reference: DOC.netkit,
    });
  } else if (kernels.length === 0 || unknown.length) {
    out.push({
      rule: 'netkit-kernel',
      severity: 'info',
      field: 'bpf.datapathMode',
      message: kernels.length === 0 ? `bpf.datapathMode ${mode} needs kernel 6.8 or later with CONFIG_NETKIT; the target’s node kernels are not known here.` : `bpf.datapathMode ${mode} needs kernel 6.8 or later; the kernels of ${nameList(unknown)} are not known.`,
      fix: 'Run the kernel.version and kernel.config checks on the target first.',
      reference: DOC.netkit,
    });
  }
  if (!kprOn(v) || !v.bpf.masquerade) {
    out.push({
      rule: 'netkit-host-routing',
      severity: 'warning',
      field: 'bpf.datapathMode',
      message: `netkit is meant to run with eBPF host-routing, which needs kube-proxy replacement and BPF masquerading (kubeProxyReplacement: ${kprMode(v.kubeProxyReplacement)}, bpf.masquerade: ${v.bpf.masquerade}); without it traffic goes through the host stack and netkit's gain is lost.`,
      fix: 'Set kubeProxyReplacement: true and bpf.masquerade: true (with k8sServiceHost/Port), or use veth.',
      patch: { kubeProxyReplacement: true, 'bpf.masquerade': true },
      reference: DOC.hostRouting,
    });
  }
  return out;
};

const operatorReplicas: Rule = (v, ctx) => {
  const replicas = v.operator.replicas;
  if (replicas === 0) {
    return [{ rule: 'operator-replicas', severity: 'warning', field: 'operator.replicas', message: 'operator.replicas 0: no cilium-operator runs, so nothing hands out pod CIDRs (cluster-pool), garbage-collects identities or registers the CRDs.', fix: 'Use at least 1.', patch: { 'operator.replicas': 1 }, reference: DOC.operator }];
  }
  const nodes = ctx.facts ? known(ctx.facts, 'k8s.nodes')?.value : undefined;
  if (!nodes) return [];
  const ok = operatorSchedulableNodes(nodes);
  if (replicas <= ok.length) return [];
  const max = Math.max(1, ok.length);
  return [
    {
      rule: 'operator-replicas',
      severity: 'warning',
      field: 'operator.replicas',
      message: `operator.replicas ${replicas}, but only ${plural(ok.length, 'node')} can take an operator pod${ok.length < nodes.length ? ` (${nodes.length - ok.length} cordoned or tainted)` : ''}: the operator pods must run on different nodes (required anti-affinity), so ${replicas - ok.length} stay${replicas - ok.length === 1 ? 's' : ''} Pending.`,
      fix: `Use operator.replicas: ${max}.`,
      patch: { 'operator.replicas': max },
      reference: DOC.operator,
    },
  ];
};

const kubernetesIpam: Rule = (v, ctx) => {
  if (v.ipam.mode !== 'kubernetes') return [];
  const nodes = ctx.facts ? known(ctx.facts, 'k8s.nodes')?.value : undefined;
  if (!nodes) return [];
  const missing = nodes.filter((n) => n.podCIDRs.length === 0).map((n) => n.name);
  if (!missing.length) return [];
  return [
    {
      rule: 'kubernetes-ipam-podcidrs',
      severity: 'error',
      field: 'ipam.mode',
      message: `ipam.mode kubernetes takes each node’s pod addresses from its spec.podCIDRs, but ${plural(missing.length, 'node')} ha${missing.length === 1 ? 's' : 've'} none: ${nameList(missing)}. The agents there wait and never get ready.`,
      fix: 'Let kube-controller-manager allocate node CIDRs (--allocate-node-cidrs=true with --cluster-cidr; kubeadm: networking.podSubnet), or use ipam.mode: cluster-pool.',
      patch: { 'ipam.mode': 'cluster-pool' },
      reference: DOC.k8sIpam,
    },
  ];
};

const kprApiServer: Rule = (v, ctx) => {
  if (!kprOn(v)) return [];
  const suggest = ctx.apiServer ? { k8sServiceHost: ctx.apiServer.host, k8sServicePort: ctx.apiServer.port } : undefined;
  const where = ctx.apiServer ? ` The cluster’s API server endpoint is ${ctx.apiServer.host}:${ctx.apiServer.port} (EndpointSlice default/kubernetes).` : ' On kind: <cluster>-control-plane and 6443; elsewhere the address in `kubectl get endpointslice -n default kubernetes`, or "auto" on kubeadm clusters.';
  if (v.k8sServiceHost && v.k8sServicePort === undefined && v.k8sServiceHost !== 'auto') {
    return [{ rule: 'kpr-apiserver-address', severity: 'error', field: 'k8sServicePort', message: `k8sServiceHost ${v.k8sServiceHost} is set without k8sServicePort.`, fix: `Set k8sServicePort (6443 for kubeadm and kind).${where}`, patch: { k8sServicePort: ctx.apiServer?.port ?? 6443 }, reference: DOC.kprHost }];
  }
  if (v.k8sServiceHost) {
    // A host that is none of the cluster's nodes (kind: <cluster>-control-plane), node addresses,
    // API server endpoints or server names is likely another cluster's (a kind cluster renamed).
    const nodes = ctx.facts ? known(ctx.facts, 'k8s.nodes')?.value : undefined;
    if (!nodes || v.k8sServiceHost === 'auto') return [];
    const names = new Set<string>([...nodes.flatMap((n) => [n.name, ...n.addresses.map((a) => a.address)]), ...(ctx.apiServer ? [ctx.apiServer.host] : []), ...(ctx.apiServerNames ?? [])]);
    if (names.has(v.k8sServiceHost)) return [];
    const cp = nodes.find((n) => 'node-role.kubernetes.io/control-plane' in n.labels)?.name;
    const suggestion = ctx.apiServer?.host ?? cp;
    return [
      {
        rule: 'kpr-apiserver-address',
        severity: 'warning',
        field: 'k8sServiceHost',
        message: `k8sServiceHost ${v.k8sServiceHost} is not a node, node address or API server endpoint of this cluster${cp ? ` (its control plane is ${cp})` : ''}: without kube-proxy the agents can only reach the API server there.`,
        fix: suggestion ? `Use k8sServiceHost: ${suggestion}${ctx.apiServer ? ` and k8sServicePort: ${ctx.apiServer.port}` : ''} (or keep it if it is a load balancer in front of the API servers).` : 'Use the API server’s own address (or keep it if it is a load balancer in front of the API servers).',
        ...(suggestion ? { patch: { k8sServiceHost: suggestion, ...(ctx.apiServer ? { k8sServicePort: ctx.apiServer.port } : {}) } } : {}),
        reference: DOC.kprHost,
      },
    ];
  }
  const ws = ctx.facts ? known(ctx.facts, 'k8s.workloads')?.value : undefined;
  const kubeProxy = ws ? findKubeProxy(ws) : undefined;
  if (kubeProxy) return [];
  return [
    {
      rule: 'kpr-apiserver-address',
      severity: ws ? 'error' : 'warning',
      field: 'k8sServiceHost',
      message: ws
        ? 'kubeProxyReplacement is true and the cluster runs no kube-proxy, but k8sServiceHost is empty: the agent reaches the API server through the kubernetes Service, which nothing translates yet, and never starts.'
        : 'kubeProxyReplacement is true and k8sServiceHost is empty: without kube-proxy the agent cannot reach the API server (whether kube-proxy runs is not known here).',
      fix: `Set k8sServiceHost and k8sServicePort to the API server’s own address.${where}`,
      ...(suggest ? { patch: suggest } : {}),
      reference: DOC.kprHost,
    },
  ];
};

/** The pod CIDR to suggest for native routing: kubeadm's podSubnet, else the cluster-pool list. */
function podCidrHint(v: CiliumValues, ctx: LintContext): string | null {
  const kubeadm = ctx.facts ? known(ctx.facts, 'kubeadm.networking')?.value.podSubnet : null;
  const first = kubeadm?.split(',').find((c) => parseCidr(c.trim())?.family === 4);
  if (first) return first.trim();
  if (v.ipam.mode === 'cluster-pool') return v.ipam.operator?.clusterPoolIPv4PodCIDRList?.[0] ?? '10.0.0.0/8';
  return null;
}

const nativeRouting: Rule = (v, ctx) => {
  const out: ValuesFinding[] = [];
  if (v.routingMode === 'native') {
    if (!v.ipv4NativeRoutingCIDR) {
      const hint = podCidrHint(v, ctx);
      out.push({
        rule: 'native-routing-cidr',
        severity: 'error',
        field: 'ipv4NativeRoutingCIDR',
        message: 'routingMode native with IPv4 masquerading (on by default) needs ipv4NativeRoutingCIDR: the range reachable without masquerading. The agent refuses to start without it.',
        fix: hint ? `Set ipv4NativeRoutingCIDR to the pod network, e.g. ${hint}.` : 'Set ipv4NativeRoutingCIDR to the pod network (the cluster’s pod CIDR).',
        ...(hint ? { patch: { ipv4NativeRoutingCIDR: hint } } : {}),
        reference: DOC.native,
      });
    }
    if (v.tunnelProtocol !== undefined) {
      out.push({ rule: 'routing-mode-settings', severity: 'warning', field: 'tunnelProtocol', message: `tunnelProtocol ${v.tunnelProtocol} has no effect with routingMode native.`, fix: 'Remove tunnelProtocol (or use routingMode tunnel).', patch: { tunnelProtocol: null }, reference: DOC.values });
    }
  } else if (v.autoDirectNodeRoutes) {
    out.push({ rule: 'routing-mode-settings', severity: 'warning', field: 'autoDirectNodeRoutes', message: 'autoDirectNodeRoutes is for routingMode native; with tunnel it has no effect.', fix: 'Remove autoDirectNodeRoutes (or use routingMode native).', patch: { autoDirectNodeRoutes: null }, reference: DOC.native });
  }
  if (v.ipv4NativeRoutingCIDR && !parseCidr(v.ipv4NativeRoutingCIDR)) {
    out.push({ rule: 'native-routing-cidr', severity: 'error', field: 'ipv4NativeRoutingCIDR', message: `ipv4NativeRoutingCIDR "${v.ipv4NativeRoutingCIDR}" is not a CIDR.`, fix: 'Use a network such as 10.244.0.0/16.', reference: DOC.native });
  }
  return out;
};

const ipamModeSettings: Rule = (v) => {
  const op = v.ipam.operator;
  const out: ValuesFinding[] = [];
  if (v.ipam.mode !== 'cluster-pool' && op) {
    for (const key of ['clusterPoolIPv4PodCIDRList', 'clusterPoolIPv4MaskSize'] as const) {
      if (op[key] === undefined) continue;
      out.push({
        rule: 'ipam-mode-settings',
        severity: 'warning',
        field: `ipam.operator.${key}`,
        message: `ipam.operator.${key} belongs to ipam.mode cluster-pool; with ipam.mode ${v.ipam.mode} it is ignored${v.ipam.mode === 'kubernetes' ? ' (pod addresses come from each Node’s spec.podCIDRs)' : ''}.`,
        fix: `Remove it, or use ipam.mode cluster-pool.`,
        patch: { [`ipam.operator.${key}`]: null },
        reference: DOC.ipam,
      });
    }
  }
  if (v.ipam.mode === 'cluster-pool') {
    const bad = (op?.clusterPoolIPv4PodCIDRList ?? []).filter((c) => parseCidr(c)?.family !== 4);
    if (bad.length) out.push({ rule: 'ipam-mode-settings', severity: 'error', field: 'ipam.operator.clusterPoolIPv4PodCIDRList', message: `Not IPv4 CIDRs: ${bad.join(', ')}.`, fix: 'Use IPv4 networks such as 10.0.0.0/8.', reference: DOC.ipam });
    const size = op?.clusterPoolIPv4MaskSize;
    const narrowest = Math.max(...(op?.clusterPoolIPv4PodCIDRList ?? []).map((c) => parseCidr(c)?.prefix ?? 0), 0);
    if (size !== undefined && narrowest && size <= narrowest) {
      out.push({ rule: 'ipam-mode-settings', severity: 'error', field: 'ipam.operator.clusterPoolIPv4MaskSize', message: `clusterPoolIPv4MaskSize /${size} is not smaller than the pool (/${narrowest}): the operator cannot split it into node ranges.`, fix: 'Use a longer mask (e.g. 24) or a larger pool.', reference: DOC.ipam });
    }
  }
  return out;
};

const bpfMasquerade: Rule = (v) => {
  if (!v.bpf.masquerade || kprOn(v)) return [];
  return [
    {
      rule: 'bpf-masquerade-needs-kpr',
      severity: 'error',
      field: 'bpf.masquerade',
      message: `bpf.masquerade needs the BPF NodePort feature, which kubeProxyReplacement ${kprMode(v.kubeProxyReplacement)} leaves off: the agent fails with "BPF masquerade requires NodePort".`,
      fix: 'Set kubeProxyReplacement: true (with k8sServiceHost/Port when there is no kube-proxy), or bpf.masquerade: false (iptables masquerading).',
      patch: { 'bpf.masquerade': false },
      reference: DOC.bpfMasq,
    },
  ];
};

const hubbleUi: Rule = (v) =>
  v.hubble.ui.enabled && !v.hubble.relay.enabled
    ? [{ rule: 'hubble-ui-needs-relay', severity: 'warning', field: 'hubble.ui.enabled', message: 'hubble.ui is enabled without hubble.relay: the UI reads flows from the relay and shows nothing.', fix: 'Enable hubble.relay too.', patch: { 'hubble.relay.enabled': true }, reference: DOC.hubble }]
    : [];

const mtu: Rule = (v) =>
  v.MTU !== undefined && v.MTU !== 0 && (v.MTU < 1280 || v.MTU > 65520)
    ? [{ rule: 'mtu-range', severity: 'error', field: 'MTU', message: `MTU ${v.MTU} is outside 1280–65520 (0 detects the device MTU).`, fix: 'Use 0 (detect) or the underlay MTU, e.g. 1500 or 9000.', patch: { MTU: 0 }, reference: DOC.mtu }]
    : [];

export const RULES: Readonly<Record<string, Rule>> = {
  'kpr-legacy-mode': kprLegacy,
  'netkit-kernel': netkitKernel,
  'operator-replicas': operatorReplicas,
  'kubernetes-ipam-podcidrs': kubernetesIpam,
  'kpr-apiserver-address': kprApiServer,
  'native-routing-cidr': nativeRouting,
  'ipam-mode-settings': ipamModeSettings,
  'bpf-masquerade-needs-kpr': bpfMasquerade,
  'hubble-ui-needs-relay': hubbleUi,
  'mtu-range': mtu,
};

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** Every finding, errors first. */
export function lintValues(values: CiliumValues, ctx: LintContext = {}): ValuesFinding[] {
  return Object.values(RULES)
    .flatMap((r) => r(values, ctx))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
