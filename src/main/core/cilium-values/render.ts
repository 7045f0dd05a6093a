import { Document, isMap, isPair, isScalar, parse, type Pair, type YAMLMap } from 'yaml';
import type { CiliumValues } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';
import { parseCiliumValues } from './model';

/** One line per field: what it does, as the chart's values.yaml and the Cilium docs say. */
const COMMENTS: Record<string, string> = {
  kubeProxyReplacement: 'eBPF kube-proxy replacement: true or false (strict/partial/probe/disabled were removed in 1.16)',
  k8sServiceHost: 'API server address the agent uses without kube-proxy ("auto": read kube-public/cluster-info)',
  k8sServicePort: 'API server port that goes with k8sServiceHost',
  routingMode: 'tunnel (VXLAN/Geneve overlay) or native (the network routes pod CIDRs)',
  tunnelProtocol: 'tunnel encapsulation: vxlan (UDP 8472) or geneve (UDP 6081)',
  ipv4NativeRoutingCIDR: 'traffic to this CIDR is not masqueraded (required for native routing with IPv4 masquerading)',
  autoDirectNodeRoutes: 'install routes to other nodes’ pod CIDRs (native routing on one L2 network)',
  MTU: 'device MTU for Cilium’s interfaces; 0 detects it',
  bpf: 'eBPF datapath',
  'bpf.masquerade': 'masquerade with eBPF instead of iptables (needs kube-proxy replacement)',
  'bpf.datapathMode': 'pod devices: veth, or netkit / netkit-l2 (kernel 6.8+)',
  ipam: 'IP address management',
  'ipam.mode': 'cluster-pool (the operator hands out pod CIDRs) or kubernetes (the Node podCIDRs), …',
  'ipam.operator': 'cluster-pool settings',
  'ipam.operator.clusterPoolIPv4PodCIDRList': 'pod CIDRs the operator splits into per-node ranges',
  'ipam.operator.clusterPoolIPv4MaskSize': 'size of each node’s range (24 = 254 pods per node)',
  hubble: 'Hubble flow observability',
  'hubble.relay': 'hubble-relay: cluster-wide flows for the hubble CLI and UI',
  'hubble.ui': 'hubble-ui: the service map (needs the relay)',
  operator: 'cilium-operator',
  'operator.replicas': 'one per node at most (required pod anti-affinity)',
  'operator.resources': 'requests and limits of the operator pods',
};

const ORDER = ['kubeProxyReplacement', 'k8sServiceHost', 'k8sServicePort', 'routingMode', 'tunnelProtocol', 'ipv4NativeRoutingCIDR', 'autoDirectNodeRoutes', 'MTU', 'bpf', 'ipam', 'hubble', 'operator'] as const;

/** The values as the plain object Helm reads (kubeProxyReplacement "true"/"false" become booleans). */
export function toHelmValues(values: CiliumValues): Record<string, unknown> {
  const v = structuredClone(values) as CiliumValues;
  const out: Record<string, unknown> = {};
  for (const key of ORDER) {
    const val = (v as Record<string, unknown>)[key];
    if (val === undefined) continue;
    if (key === 'kubeProxyReplacement') out[key] = val === 'true' ? true : val === 'false' ? false : val;
    else out[key] = val;
  }
  const ipam = out.ipam as { operator?: Record<string, unknown> } | undefined;
  if (ipam?.operator && Object.keys(ipam.operator).length === 0) delete ipam.operator;
  const op = out.operator as { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };
  if (op?.resources) {
    for (const k of ['requests', 'limits'] as const) {
      const list = op.resources[k];
      if (list) for (const [q, amount] of Object.entries(list)) if (amount === '' || amount === undefined) delete list[q];
      if (list && Object.keys(list).length === 0) delete op.resources[k];
    }
    if (Object.keys(op.resources).length === 0) delete op.resources;
  }
  return out;
}

function comment(map: YAMLMap, prefix: string): void {
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const path = prefix ? `${prefix}.${String(item.key.value)}` : String(item.key.value);
    const text = COMMENTS[path];
    if (text) (item as Pair<{ commentBefore?: string | null }>).key!.commentBefore = ` ${text}`;
    if (isMap(item.value)) comment(item.value, path);
  }
}

export interface RenderOptions {
  /** Shown in the header, e.g. "1.18.6". */
  ciliumVersion?: string;
}

/**
 * The Helm values file for the form: only the fields the form sets (the chart's defaults
 * apply to everything else), each with a comment saying what it does.
 */
export function renderValuesYaml(values: CiliumValues, o: RenderOptions = {}): string {
  const doc = new Document(toHelmValues(values));
  doc.commentBefore = [
    ' Cilium Helm values written by Datapath Lab.',
    o.ciliumVersion ? ` For the cilium chart ${o.ciliumVersion}.` : ' For the cilium chart (https://helm.cilium.io).',
    ' Use with: helm upgrade --install cilium cilium/cilium --namespace kube-system -f <this file>',
    '       or: cilium install --values <this file>',
  ].join('\n');
  if (isMap(doc.contents)) comment(doc.contents, '');
  return doc.toString({ lineWidth: 0 });
}

const FORM_PATHS = [
  'kubeProxyReplacement', 'k8sServiceHost', 'k8sServicePort', 'routingMode', 'tunnelProtocol', 'ipv4NativeRoutingCIDR', 'autoDirectNodeRoutes', 'MTU',
  'bpf.masquerade', 'bpf.datapathMode', 'ipam.mode', 'ipam.operator.clusterPoolIPv4PodCIDRList', 'ipam.operator.clusterPoolIPv4MaskSize',
  'hubble.relay.enabled', 'hubble.ui.enabled', 'operator.replicas', 'operator.resources',
];

function leafPaths(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  const entries = Object.entries(o as Record<string, unknown>);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return FORM_PATHS.includes(p) ? [p] : leafPaths(v, p);
  });
}

/**
 * Reads a values file back into the form (for editing a saved file): the form's fields, with
 * the chart defaults where the file is silent, plus the paths the form does not edit (kept
 * out, and listed so the user knows).
 */
export function valuesFromYaml(text: string, base: CiliumValues): { values: CiliumValues; ignored: string[] } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new LabError('INVALID_REQUEST', `The values file is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new LabError('INVALID_REQUEST', 'A values file is a YAML mapping (key: value).');
  const r = raw as Record<string, unknown>;
  const merged: Record<string, unknown> = structuredClone(base) as unknown as Record<string, unknown>;
  const ignored: string[] = [];
  for (const path of leafPaths(r)) {
    if (!FORM_PATHS.includes(path)) {
      ignored.push(path);
      continue;
    }
    const parts = path.split('.');
    let src: unknown = r;
    for (const p of parts) src = (src as Record<string, unknown>)[p];
    let dst = merged;
    for (const p of parts.slice(0, -1)) {
      dst[p] ??= {};
      dst = dst[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (path === 'kubeProxyReplacement' && typeof src === 'string' && (src === 'true' || src === 'false')) dst[last] = src === 'true';
    else if (path === 'k8sServicePort' && typeof src === 'string' && /^\d+$/.test(src)) dst[last] = Number(src);
    else if (path === 'ipam.operator.clusterPoolIPv4PodCIDRList' && typeof src === 'string') dst[last] = src.split(/[\s,]+/).filter(Boolean);
    else if (src === '' && (path === 'k8sServiceHost' || path === 'ipv4NativeRoutingCIDR' || path === 'k8sServicePort' || path === 'routingMode' || path === 'tunnelProtocol')) {
      // "" is the chart's "unset": keep the form's default for enums, drop the rest.
      if (path === 'routingMode') dst[last] = 'tunnel';
      else delete dst[last];
    } else dst[last] = src;
  }
  // Defaults of the base that belong to another mode than the file's stay out.
  const seen = leafPaths(r);
  const ipam = merged.ipam as { mode?: string; operator?: unknown };
  if (ipam.mode !== 'cluster-pool' && !seen.some((p) => p.startsWith('ipam.operator.'))) delete ipam.operator;
  if (merged.routingMode === 'native' && !seen.includes('tunnelProtocol')) delete merged.tunnelProtocol;
  return { values: parseCiliumValues(merged), ignored };
}
