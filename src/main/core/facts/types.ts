import { z } from 'zod';
import { factSchema, type Fact } from '../../../shared/facts';
import { BtfInfoSchema, NetInterfaceSchema } from '../../../shared/api/host';

/**
 * The fact model: every observation the checks read, one key each, with a zod
 * schema per value so a snapshot can be validated when it is loaded.
 *
 * Two kinds of keys:
 * - cluster facts (`k8s.*`, `cilium.*`, `kubeproxy.*`, `kubeadm.*`, `dns.*`, `mesh.*`): one value for the target,
 *   filled from Kubernetes API lists;
 * - node facts (`node.*`): one value per node, keyed by node name (the host's name on a
 *   host target, the node container's name on kind, the Node name with a debug pod). The
 *   outer fact says whether the per-node map could be gathered at all (e.g. forbidden to
 *   start debug pods); each node's own fact says whether that node answered.
 *
 * Values are compact on purpose: 5,000 nodes and 100,000 pods must fit in a snapshot, so
 * pods are tuples and nodes keep only what the checks read.
 */

// ---------------------------------------------------------------------------------------
// Node facts

/** Tristate of one kernel config option: built in, module, or off ("# CONFIG_X is not set"). */
export const TristateSchema = z.enum(['y', 'm', 'n']);
export type Tristate = z.infer<typeof TristateSchema>;

export const KernelConfigSchema = z.object({
  /** The file read, in kubeadm's search order, e.g. /proc/config.gz or /boot/config-6.1.0-18-amd64. */
  path: z.string(),
  /** Every path tried, in order, up to and including the one read. */
  searched: z.array(z.string()),
  /**
   * Options by name without the CONFIG_ prefix. Probes keep only the options the checks know
   * (KERNEL_OPTIONS_OF_INTEREST) so 5,000 nodes stay small; absent means absent from the file.
   */
  options: z.record(z.string(), TristateSchema),
  /** How many tristate lines the file had (shows the file was a real config). */
  optionCount: z.number().int().nonnegative(),
});
export type KernelConfig = z.infer<typeof KernelConfigSchema>;

export const RouteSchema = z.object({ device: z.string(), gateway: z.string().nullable() });
export const DefaultRouteSchema = z.object({ ipv4: RouteSchema.nullable(), ipv6: RouteSchema.nullable() });
export type DefaultRoute = z.infer<typeof DefaultRouteSchema>;

export const IpFamilySchema = z.enum(['ipv4', 'ipv6']);
export type IpFamily = z.infer<typeof IpFamilySchema>;

export const AddressSchema = z.object({
  device: z.string(),
  address: z.string(),
  prefixLength: z.number().int(),
  family: IpFamilySchema,
});
export type InterfaceAddress = z.infer<typeof AddressSchema>;

export const CgroupSchema = z.object({
  /**
   * v2: /sys/fs/cgroup is cgroup2 (unified); hybrid: v1 controllers with a cgroup2 mount
   * elsewhere (e.g. /sys/fs/cgroup/unified); v1: no cgroup2 mount; none: no cgroup mounts.
   */
  mode: z.enum(['v2', 'hybrid', 'v1', 'none']),
  /** Where cgroup2 is mounted, if anywhere. */
  v2Mount: z.string().nullable(),
  /** Controllers available on the cgroup2 root (cgroup.controllers); empty when unknown. */
  controllers: z.array(z.string()),
});
export type CgroupInfo = z.infer<typeof CgroupSchema>;

export { BtfInfoSchema, NetInterfaceSchema };
export type { BtfInfo, NetInterface } from '../../../shared/api/host';

// ---------------------------------------------------------------------------------------
// Cluster facts

export const ServerVersionSchema = z.object({ gitVersion: z.string(), platform: z.string().optional() });
export type ServerVersion = z.infer<typeof ServerVersionSchema>;

export const ConditionStatusSchema = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatusSchema>;

export const NodeSummarySchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })),
  /** status.addresses: InternalIP, ExternalIP, Hostname, … */
  addresses: z.array(z.object({ type: z.string(), address: z.string() })),
  /** spec.podCIDRs (or [spec.podCIDR] on old servers). */
  podCIDRs: z.array(z.string()),
  /** The Ready condition; Unknown when the condition is missing. */
  ready: ConditionStatusSchema,
  /** The NetworkUnavailable condition, null when the node has none (set by cloud route controllers and CNIs). */
  networkUnavailable: ConditionStatusSchema.nullable(),
  unschedulable: z.boolean(),
  /** status.nodeInfo, as the kubelet reports it (kernelVersion is `uname -r`). */
  info: z.object({
    kernelVersion: z.string(),
    osImage: z.string(),
    containerRuntimeVersion: z.string(),
    kubeletVersion: z.string(),
    architecture: z.string(),
  }),
});
export type NodeSummary = z.infer<typeof NodeSummarySchema>;

export const WorkloadSchema = z.object({
  kind: z.enum(['DaemonSet', 'Deployment']),
  namespace: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  /** Images of the pod template's containers, in order. */
  images: z.array(z.string()),
  /** Images of init containers (some CNIs run their installer as one). */
  initImages: z.array(z.string()),
  /** DaemonSet: desiredNumberScheduled / numberReady / numberAvailable; Deployment: spec.replicas / readyReplicas / availableReplicas. */
  desired: z.number().int(),
  ready: z.number().int(),
  available: z.number().int(),
  updated: z.number().int(),
  /**
   * Literal env values the checks read (KUBERNETES_SERVICE_HOST/PORT of the agent); other env is
   * dropped so snapshots hold no secrets.
   */
  env: z.record(z.string(), z.string()),
});
export type Workload = z.infer<typeof WorkloadSchema>;

export const CiliumConfigSchema = z.object({
  namespace: z.string(),
  /** ConfigMap data, as strings. */
  data: z.record(z.string(), z.string()),
});
export type CiliumConfig = z.infer<typeof CiliumConfigSchema>;

export const KubeProxyConfigSchema = z.object({
  /** `mode` from config.conf, as written ('' means the platform default: iptables on Linux). */
  mode: z.string(),
  /** clusterCIDR from config.conf ('' when unset). */
  clusterCIDR: z.string(),
});
export type KubeProxyConfig = z.infer<typeof KubeProxyConfigSchema>;

export const KubeadmNetworkingSchema = z.object({
  serviceSubnet: z.string().nullable(),
  podSubnet: z.string().nullable(),
  dnsDomain: z.string().nullable(),
});
export type KubeadmNetworking = z.infer<typeof KubeadmNetworkingSchema>;

export const ServiceIPSchema = z.object({ clusterIP: z.string(), clusterIPs: z.array(z.string()) });
export type ServiceIP = z.infer<typeof ServiceIPSchema>;

export const ServicePortSchema = z.object({ name: z.string(), port: z.number().int(), protocol: z.string() });
export type ServicePort = z.infer<typeof ServicePortSchema>;

export const DnsServiceSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  clusterIP: z.string(),
  clusterIPs: z.array(z.string()),
  ports: z.array(ServicePortSchema),
  selector: z.record(z.string(), z.string()),
});
export type DnsService = z.infer<typeof DnsServiceSchema>;

export const DnsEndpointsSchema = z.object({
  /** EndpointSlices found for the service (label kubernetes.io/service-name). */
  slices: z.number().int(),
  ready: z.array(z.string()),
  notReady: z.array(z.string()),
  ports: z.array(ServicePortSchema),
});
export type DnsEndpoints = z.infer<typeof DnsEndpointsSchema>;

export const CiliumNodeSummarySchema = z.object({
  name: z.string(),
  /** spec.ipam.podCIDRs (cluster-pool, kubernetes mirror). */
  podCIDRs: z.array(z.string()),
  /** Number of addresses in spec.ipam.pool (ENI, Azure, CRD modes). */
  poolSize: z.number().int(),
  /** status.ipam.used: IP -> owner ("namespace/pod", "router", "health", …). */
  used: z.record(z.string(), z.string()),
  /** status.ipam.operator-status.error, null when none. */
  operatorError: z.string().nullable(),
  /** status.ipam.release-ips: IP -> state (marked-for-release, ready-for-release, released, do-not-release). */
  releaseIps: z.record(z.string(), z.string()),
});
export type CiliumNodeSummary = z.infer<typeof CiliumNodeSummarySchema>;

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export const PodPhaseSchema = z.enum(POD_PHASES);

/**
 * One pod, as a tuple to keep 100,000 of them small in memory and in JSON:
 * [namespace, name, node ('' when unscheduled), podIP ('' when none), hostNetwork, phase].
 */
export const PodRowSchema = z.tuple([z.string(), z.string(), z.string(), z.string(), z.boolean(), PodPhaseSchema]);
export type PodRow = readonly [namespace: string, name: string, node: string, podIP: string, hostNetwork: boolean, phase: z.infer<typeof PodPhaseSchema>];

// ---------------------------------------------------------------------------------------
// Diagnostic facts (pitfall walkthroughs): system pods, their Warning Events, service meshes

/** One container of a pod as the kubelet reports it. */
export const ContainerStateSchema = z.object({
  name: z.string(),
  init: z.boolean(),
  ready: z.boolean(),
  restarts: z.number().int(),
  /** state.waiting.reason (CrashLoopBackOff, ImagePullBackOff, …), null when running or terminated. */
  waiting: z.string().nullable(),
  /**
   * lastState.terminated: the previous run. With terminationMessagePolicy FallbackToLogsOnError
   * (the Cilium chart sets it on every agent container) the message is the tail of its log.
   */
  lastTerminated: z.object({ reason: z.string(), exitCode: z.number().int(), message: z.string(), finishedAt: z.string().nullable() }).nullable(),
});
export type ContainerState = z.infer<typeof ContainerStateSchema>;

/** A pod of the Cilium agent DaemonSet or of cluster DNS, with its containers' states. */
export const SystemPodSchema = z.object({
  app: z.enum(['cilium-agent', 'coredns']),
  namespace: z.string(),
  name: z.string(),
  node: z.string(),
  phase: PodPhaseSchema,
  /** The Ready condition is True. */
  ready: z.boolean(),
  containers: z.array(ContainerStateSchema),
});
export type SystemPod = z.infer<typeof SystemPodSchema>;

/** A Warning Event about Cilium or CoreDNS objects, or a pod sandbox the Cilium CNI plugin failed to set up. */
export const ClusterEventSchema = z.object({
  namespace: z.string(),
  object: z.object({ kind: z.string(), name: z.string(), namespace: z.string() }),
  type: z.string(),
  reason: z.string(),
  /** At most 4,000 characters (longer messages keep their head and tail). */
  message: z.string(),
  count: z.number().int(),
  /** lastTimestamp, series.lastObservedTime or eventTime; null when none is set. */
  lastSeen: z.string().nullable(),
  /** source.component or reportingComponent (kubelet, …). */
  component: z.string(),
});
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;

export const MeshIdSchema = z.enum(['istio', 'linkerd']);
export type MeshId = z.infer<typeof MeshIdSchema>;

/** What a service mesh installed: its CRDs, mTLS settings, authorization policies and meshed namespaces. */
export const MeshResourcesSchema = z.object({
  /** CustomResourceDefinitions of the meshes' API groups (*.istio.io, *.linkerd.io). */
  crds: z.array(z.string()),
  /** Istio PeerAuthentication objects: mtls.mode (STRICT, PERMISSIVE, DISABLE, UNSET; '' when absent). */
  peerAuthentications: z.array(z.object({ namespace: z.string(), name: z.string(), mode: z.string(), selector: z.boolean(), portLevel: z.record(z.string(), z.string()) })),
  /** Authorization policies of Istio and Linkerd; l7 when a rule matches HTTP methods, paths, hosts or an HTTPRoute. */
  authorizationPolicies: z.array(z.object({ mesh: MeshIdSchema, namespace: z.string(), name: z.string(), action: z.string(), l7: z.boolean() })),
  /** Namespaces whose pods join a mesh (injection label or annotation, ambient mode). */
  namespaces: z.array(z.object({ namespace: z.string(), mesh: MeshIdSchema, how: z.string() })),
});
export type MeshResources = z.infer<typeof MeshResourcesSchema>;

// ---------------------------------------------------------------------------------------
// The keys

const perNode = <T extends z.ZodType>(value: T) => z.record(z.string(), factSchema(value));

/** Value schema of every fact key. Node keys hold a map node name -> Fact. */
export const FACT_VALUE_SCHEMAS = {
  // node facts (per node)
  'node.kernel.release': perNode(z.string()),
  'node.kernel.btf': perNode(BtfInfoSchema),
  'node.kernel.config': perNode(KernelConfigSchema),
  'node.interfaces': perNode(z.array(NetInterfaceSchema)),
  'node.addresses': perNode(z.array(AddressSchema)),
  'node.route.default': perNode(DefaultRouteSchema),
  'node.cgroup': perNode(CgroupSchema),
  // cluster facts
  'k8s.version': ServerVersionSchema,
  'k8s.nodes': z.array(NodeSummarySchema),
  'k8s.workloads': z.array(WorkloadSchema),
  'k8s.service.kubernetes': ServiceIPSchema,
  'k8s.serviceCount': z.number().int().nonnegative(),
  'k8s.podCount': z.number().int().nonnegative(),
  'k8s.pods': z.array(PodRowSchema),
  'kubeadm.networking': KubeadmNetworkingSchema,
  'kubeproxy.config': KubeProxyConfigSchema,
  'cilium.config': CiliumConfigSchema,
  'cilium.nodes': z.array(CiliumNodeSummarySchema),
  'dns.service': DnsServiceSchema,
  'dns.endpoints': DnsEndpointsSchema,
  'k8s.systemPods': z.array(SystemPodSchema),
  'k8s.systemEvents': z.array(ClusterEventSchema),
  'mesh.workloads': z.array(WorkloadSchema),
  'mesh.resources': MeshResourcesSchema,
} as const;

export type FactKey = keyof typeof FACT_VALUE_SCHEMAS;
export const FACT_KEYS = Object.keys(FACT_VALUE_SCHEMAS) as FactKey[];

export type NodeFactKey = Extract<FactKey, `node.${string}`>;
export const NODE_FACT_KEYS = FACT_KEYS.filter((k): k is NodeFactKey => k.startsWith('node.'));
export const isNodeFactKey = (k: FactKey): k is NodeFactKey => k.startsWith('node.');

/** A map node name -> that node's fact. */
export type PerNode<T> = Record<string, Fact<T>>;

/** The value type of each key (node keys: the per-node map). */
export type FactValue<K extends FactKey> = K extends 'k8s.pods' ? PodRow[] : z.infer<(typeof FACT_VALUE_SCHEMAS)[K]>;
/** The per-node value type of a node key. */
export type NodeValue<K extends NodeFactKey> = FactValue<K> extends PerNode<infer T> ? T : never;

/**
 * Everything gathered for one target: key -> Fact. A missing key means "not gathered"
 * (the checks say so); an unknown fact says why it could not be read.
 */
export type FactSet = { [K in FactKey]?: Fact<FactValue<K>> };

const factSetShape: Record<string, z.ZodType> = Object.fromEntries(FACT_KEYS.map((k) => [k, factSchema(FACT_VALUE_SCHEMAS[k]).optional()]));
/** Runtime schema of a FactSet (unknown keys rejected). Use parseFactSet for the typed result. */
export const FactSetSchema = z.object(factSetShape).strict();

/** Validates a FactSet read from a snapshot file (throws a ZodError on a wrong shape). */
export function parseFactSet(input: unknown): FactSet {
  return FactSetSchema.parse(input) as FactSet;
}
