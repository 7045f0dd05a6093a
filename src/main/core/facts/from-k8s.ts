import { parse as parseYaml } from 'yaml';
import type {
  CiliumConfig,
  CiliumNodeSummary,
  ConditionStatus,
  DnsEndpoints,
  DnsService,
  KubeadmNetworking,
  KubeProxyConfig,
  NodeSummary,
  PodRow,
  ServiceIP,
  ServicePort,
  Workload,
} from './types';
import { POD_PHASES } from './types';

/**
 * Pure converters from Kubernetes API objects (as JSON from the API server, kubectl -o json,
 * or @kubernetes/client-node models) to compact fact values. Probes list, these convert:
 * one pass, no per-object requests. Input types are structural so all three sources fit.
 */

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string> | null;
}
type Obj<S = unknown, St = unknown> = { metadata?: Meta; spec?: S; status?: St };

interface Container {
  image?: string;
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name?: string; key?: string }; secretKeyRef?: unknown; fieldRef?: unknown } }[] | null;
}
interface PodTemplate {
  template?: { spec?: { containers?: Container[]; initContainers?: Container[] | null } };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const cond = (v: unknown): ConditionStatus => (v === 'True' || v === 'False' ? v : 'Unknown');

// ---------------------------------------------------------------------------------------
// Nodes

export type NodeObject = Obj<
  { podCIDR?: string; podCIDRs?: string[] | null; taints?: { key: string; value?: string; effect: string }[] | null; unschedulable?: boolean },
  {
    addresses?: { type: string; address: string }[] | null;
    conditions?: { type: string; status: string }[] | null;
    nodeInfo?: { kernelVersion?: string; osImage?: string; containerRuntimeVersion?: string; kubeletVersion?: string; architecture?: string };
  }
>;

export function nodeSummary(n: NodeObject): NodeSummary {
  const conditions = n.status?.conditions ?? [];
  const c = (type: string) => conditions.find((x) => x.type === type)?.status;
  const podCIDRs = n.spec?.podCIDRs?.length ? [...n.spec.podCIDRs] : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
  const info = n.status?.nodeInfo ?? {};
  const nu = c('NetworkUnavailable');
  return {
    name: str(n.metadata?.name),
    labels: { ...(n.metadata?.labels ?? {}) },
    taints: (n.spec?.taints ?? []).map((t) => (t.value === undefined || t.value === '' ? { key: t.key, effect: t.effect } : { key: t.key, value: t.value, effect: t.effect })),
    addresses: (n.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address })),
    podCIDRs,
    ready: cond(c('Ready')),
    networkUnavailable: nu === undefined ? null : cond(nu),
    unschedulable: n.spec?.unschedulable === true,
    info: {
      kernelVersion: str(info.kernelVersion),
      osImage: str(info.osImage),
      containerRuntimeVersion: str(info.containerRuntimeVersion),
      kubeletVersion: str(info.kubeletVersion),
      architecture: str(info.architecture),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Workloads

/** Env the checks read; every other variable is dropped (no secrets in snapshots). */
export const KEPT_ENV = new Set(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);

function envOf(containers: Container[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const c of containers)
    for (const e of c.env ?? []) {
      if (!KEPT_ENV.has(e.name) || e.name in env) continue;
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.configMapKeyRef) env[e.name] = `<from ConfigMap ${e.valueFrom.configMapKeyRef.name ?? '?'}/${e.valueFrom.configMapKeyRef.key ?? '?'}>`;
      else if (e.valueFrom) env[e.name] = '<from a reference>';
    }
  return env;
}

export type DaemonSetObject = Obj<PodTemplate, { desiredNumberScheduled?: number; numberReady?: number; numberAvailable?: number; updatedNumberScheduled?: number }>;
export type DeploymentObject = Obj<PodTemplate & { replicas?: number }, { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number }>;

function workloadBase(o: Obj<PodTemplate>, kind: Workload['kind']) {
  const pod = o.spec?.template?.spec;
  const containers = pod?.containers ?? [];
  return {
    kind,
    namespace: str(o.metadata?.namespace),
    name: str(o.metadata?.name),
    labels: { ...(o.metadata?.labels ?? {}) },
    images: containers.map((c) => str(c.image)),
    initImages: (pod?.initContainers ?? []).map((c) => str(c.image)),
    env: envOf(containers),
  };
}

export function daemonSetWorkload(d: DaemonSetObject): Workload {
  const s = d.status ?? {};
  return { ...workloadBase(d, 'DaemonSet'), desired: num(s.desiredNumberScheduled), ready: num(s.numberReady), available: num(s.numberAvailable), updated: num(s.updatedNumberScheduled) };
}

export function deploymentWorkload(d: DeploymentObject): Workload {
  const s = d.status ?? {};
  // spec.replicas defaults to 1 when omitted.
  const desired = d.spec?.replicas === undefined ? 1 : num(d.spec.replicas);
  return { ...workloadBase(d, 'Deployment'), desired, ready: num(s.readyReplicas), available: num(s.availableReplicas), updated: num(s.updatedReplicas) };
}

// ---------------------------------------------------------------------------------------
// ConfigMaps

export type ConfigMapObject = Obj & { data?: Record<string, string> | null };

export function ciliumConfig(cm: ConfigMapObject): CiliumConfig {
  return { namespace: str(cm.metadata?.namespace) || 'kube-system', data: { ...(cm.data ?? {}) } };
}

/** kube-system/kube-proxy `config.conf` (KubeProxyConfiguration YAML) -> mode and clusterCIDR. */
export function kubeProxyConfig(configConf: string): KubeProxyConfig {
  const doc = (parseYaml(configConf) ?? {}) as { mode?: unknown; clusterCIDR?: unknown };
  return { mode: str(doc.mode), clusterCIDR: str(doc.clusterCIDR) };
}

/** kube-system/kubeadm-config `ClusterConfiguration` -> networking. */
export function kubeadmNetworking(clusterConfiguration: string): KubeadmNetworking {
  const doc = (parseYaml(clusterConfiguration) ?? {}) as { networking?: { serviceSubnet?: unknown; podSubnet?: unknown; dnsDomain?: unknown } };
  const n = doc.networking ?? {};
  const orNull = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return { serviceSubnet: orNull(n.serviceSubnet), podSubnet: orNull(n.podSubnet), dnsDomain: orNull(n.dnsDomain) };
}

// ---------------------------------------------------------------------------------------
// Services and EndpointSlices

export type ServiceObject = Obj<{ clusterIP?: string; clusterIPs?: string[] | null; ports?: { name?: string; port: number; protocol?: string }[] | null; selector?: Record<string, string> | null }>;

const portsOf = (ports: { name?: string; port?: number; protocol?: string }[] | null | undefined): ServicePort[] =>
  (ports ?? []).map((p) => ({ name: str(p.name), port: num(p.port), protocol: str(p.protocol) || 'TCP' }));

export function serviceIP(s: ServiceObject): ServiceIP {
  const clusterIP = str(s.spec?.clusterIP);
  return { clusterIP, clusterIPs: s.spec?.clusterIPs?.length ? [...s.spec.clusterIPs] : clusterIP ? [clusterIP] : [] };
}

export function dnsService(s: ServiceObject): DnsService {
  return { namespace: str(s.metadata?.namespace), name: str(s.metadata?.name), ...serviceIP(s), ports: portsOf(s.spec?.ports), selector: { ...(s.spec?.selector ?? {}) } };
}

export type EndpointSliceObject = Obj & {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean | null } }[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
};

/** All EndpointSlices of one Service -> ready / not-ready addresses (ready: nil counts as ready, per the API). */
export function endpointsOf(slices: readonly EndpointSliceObject[]): DnsEndpoints {
  const ready: string[] = [];
  const notReady: string[] = [];
  const ports = new Map<string, ServicePort>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) (e.conditions?.ready === false ? notReady : ready).push(...e.addresses);
    for (const p of portsOf(s.ports)) ports.set(`${p.name}/${p.port}/${p.protocol}`, p);
  }
  return { slices: slices.length, ready, notReady, ports: [...ports.values()] };
}

// ---------------------------------------------------------------------------------------
// CiliumNodes

export type CiliumNodeObject = Obj<
  { ipam?: { podCIDRs?: string[] | null; pool?: Record<string, unknown> | null } },
  { ipam?: { used?: Record<string, { owner?: string; resource?: string }> | null; 'operator-status'?: { error?: string } | null; 'release-ips'?: Record<string, string> | null } }
>;

export function ciliumNodeSummary(cn: CiliumNodeObject): CiliumNodeSummary {
  const used: Record<string, string> = {};
  for (const [ip, a] of Object.entries(cn.status?.ipam?.used ?? {})) used[ip] = str(a?.owner);
  const err = cn.status?.ipam?.['operator-status']?.error;
  return {
    name: str(cn.metadata?.name),
    podCIDRs: [...(cn.spec?.ipam?.podCIDRs ?? [])],
    poolSize: Object.keys(cn.spec?.ipam?.pool ?? {}).length,
    used,
    operatorError: err ? err : null,
    releaseIps: { ...(cn.status?.ipam?.['release-ips'] ?? {}) },
  };
}

// ---------------------------------------------------------------------------------------
// Pods

export type PodObject = Obj<{ nodeName?: string; hostNetwork?: boolean }, { podIP?: string; phase?: string }>;

const PHASES = new Set<string>(POD_PHASES);

export function podRow(p: PodObject): PodRow {
  const phase = p.status?.phase && PHASES.has(p.status.phase) ? (p.status.phase as PodRow[5]) : 'Unknown';
  return [str(p.metadata?.namespace), str(p.metadata?.name), str(p.spec?.nodeName), str(p.status?.podIP), p.spec?.hostNetwork === true, phase];
}
