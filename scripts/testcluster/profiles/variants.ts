// Variants: changes applied through the API on top of a running profile, to give checks
// something broken to find. Apply them to a cluster of your own (ensureCluster(profile,
// { name: 'my-test' })) or revert them, since the shared test clusters serve every test.
import type { KubeObject } from '../kube';
import type { SeedContext } from '../seed';
import { waitCrdsEstablished, waitDaemonSetReady, waitPodsRunning, waitServiceAccount, waitServiceEndpoints } from '../seed';
import type { Variant } from './types';

async function scaleCoreDNS(ctx: SeedContext, replicas: number): Promise<void> {
  await ctx.kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system' }, spec: { replicas } });
  await ctx.waitFor(`coredns at ${replicas} pods`, async () => {
    const pods = await ctx.kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    return pods.length === replicas;
  });
}

/** CoreDNS scaled to zero: kube-dns has no endpoints. */
export const corednsScaledToZero: Variant = {
  name: 'coredns-scaled-to-zero',
  description: 'Deployment kube-system/coredns at 0 replicas, so Service kube-dns has no ready endpoints',
  profiles: ['kind-cilium', 'kind-default', 'large'],
  apply: (ctx) => scaleCoreDNS(ctx, 0),
  revert: (ctx) => scaleCoreDNS(ctx, 2),
};

type ConfigMap = KubeObject & { data?: Record<string, string> };

/**
 * cilium-config with the pre-1.15 `tunnel: vxlan` key instead of routing-mode/tunnel-protocol
 * (the old key was removed in 1.15: a 1.18 agent ignores it and uses its defaults).
 */
export const ciliumConfigLegacyTunnelKey: Variant = {
  name: 'cilium-config-legacy-tunnel-key',
  description: 'kube-system/cilium-config has `tunnel: vxlan` and no routing-mode / tunnel-protocol',
  profiles: ['kind-cilium', 'large'],
  async apply(ctx) {
    const cm = await ctx.kube.get<ConfigMap>('v1', 'ConfigMap', 'cilium-config', 'kube-system');
    if (!cm?.data) throw new Error('kube-system/cilium-config not found');
    const data: Record<string, string> = { ...cm.data, tunnel: 'vxlan' };
    delete data['routing-mode'];
    delete data['tunnel-protocol'];
    await ctx.kube.request('PUT', await ctx.kube.pathFor('v1', 'ConfigMap', { namespace: 'kube-system', name: 'cilium-config' }), {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system', resourceVersion: cm.metadata.resourceVersion }, data },
    });
  },
  async revert(ctx) {
    const cm = await ctx.kube.get<ConfigMap>('v1', 'ConfigMap', 'cilium-config', 'kube-system');
    if (!cm?.data) throw new Error('kube-system/cilium-config not found');
    const data: Record<string, string> = { ...cm.data, 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' };
    delete data.tunnel;
    await ctx.kube.request('PUT', await ctx.kube.pathFor('v1', 'ConfigMap', { namespace: 'kube-system', name: 'cilium-config' }), {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system', resourceVersion: cm.metadata.resourceVersion }, data },
    });
  },
};

export const VARIANTS: Record<string, Variant> = {
  [corednsScaledToZero.name]: corednsScaledToZero,
  [ciliumConfigLegacyTunnelKey.name]: ciliumConfigLegacyTunnelKey,
};

// ---------------------------------------------------------------------------------------
// Variants for the fact gatherer's integration tests (test/integration/gather.test.ts):
// each gives one cluster check something to fail on. Apply them to a cluster of your own.

type Service = KubeObject & { spec?: { selector?: Record<string, string> } };
type Slice = KubeObject & { endpoints?: { addresses: string[] }[] | null };
type NodeLike = KubeObject & { spec?: { podCIDRs?: string[] }; status?: { conditions?: { type: string; status: string }[] } };
type CiliumNodeLike = KubeObject & { spec?: { ipam?: { podCIDRs?: string[] } }; status?: { ipam?: { used?: Record<string, unknown> } } };

async function kubeDnsEndpointCount(ctx: SeedContext): Promise<number> {
  const slices = await ctx.kube.list<Slice>('discovery.k8s.io/v1', 'EndpointSlice', { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' });
  return slices.reduce((n, s) => n + (s.endpoints ?? []).length, 0);
}

/** Service kube-dns selects no pod: the EndpointSlice controller empties its slices (dns.coredns fails: no ready endpoint). */
export const kubeDnsSelectsNothing: Variant = {
  name: 'kube-dns-selects-nothing',
  description: 'Service kube-system/kube-dns selects k8s-app=kube-dns-none, so its EndpointSlices have no endpoints',
  profiles: ['kind-cilium', 'kind-default', 'large'],
  async apply(ctx) {
    await ctx.kube.patch({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { selector: { 'k8s-app': 'kube-dns-none' } } } as Service, { type: 'merge' });
    await ctx.waitFor('kube-dns endpoints gone', async () => (await kubeDnsEndpointCount(ctx)) === 0);
  },
  async revert(ctx) {
    await ctx.kube.patch({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { selector: { 'k8s-app': 'kube-dns' } } } as Service, { type: 'merge' });
    await ctx.waitFor('kube-dns endpoints back', async () => (await kubeDnsEndpointCount(ctx)) > 0);
  },
};

async function setCiliumConfigKey(ctx: SeedContext, key: string, value: string): Promise<void> {
  await ctx.kube.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { [key]: value } } as ConfigMap, { type: 'merge' });
}

/** cilium-config with `kube-proxy-replacement: strict`, removed in Cilium 1.16: the profile's 1.18 agent refuses to start (kubeproxy.status fails). */
export const ciliumConfigKprStrict: Variant = {
  name: 'cilium-config-kpr-strict',
  description: 'kube-system/cilium-config has the removed kube-proxy-replacement value "strict" next to a 1.18 agent image',
  profiles: ['kind-cilium', 'large'],
  apply: (ctx) => setCiliumConfigKey(ctx, 'kube-proxy-replacement', 'strict'),
  revert: (ctx) => setCiliumConfigKey(ctx, 'kube-proxy-replacement', 'true'),
};

const NO_CIDR_NODE = 'datapath-lab-no-podcidr';
const NO_CIDR_POLICY = 'datapath-lab-test-no-podcidr';
const OLD_KERNEL_NODE = 'datapath-lab-old-kernel';

/** A Node as the kubelet registers it (enough for kwok to run it and for the checks to read it). */
function testNode(name: string, kernelVersion: string, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'datapath-lab/test-node': 'true' } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      nodeInfo: { architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.27', kernelVersion, kubeletVersion: 'v1.34.0', operatingSystem: 'linux', osImage: 'Ubuntu 20.04.6 LTS', bootID: '', machineID: '', systemUUID: '', kubeProxyVersion: '', containerRuntime: '' },
    },
  };
}

/** Removes a test node and the pods DaemonSets put on it (the pod GC would take a while). */
async function removeTestNode(ctx: SeedContext, name: string): Promise<void> {
  await ctx.kube.delete('v1', 'Node', name);
  for (const p of await ctx.kube.list('v1', 'Pod', { fieldSelector: `spec.nodeName=${name}` })) {
    await ctx.kube.request('DELETE', await ctx.kube.pathFor('v1', 'Pod', { namespace: p.metadata.namespace, name: p.metadata.name }), { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
  }
  await ctx.waitFor(`node ${name} gone`, async () => (await ctx.kube.get('v1', 'Node', name)) === undefined);
}

/**
 * A Ready node without spec.podCIDR(s): a ValidatingAdmissionPolicy stops the controller-manager
 * from giving this one node a pod CIDR (kubernetes IPAM: the Cilium agent there waits forever;
 * ipam.pool fails). Only this node is affected.
 */
export const nodeWithoutPodCIDR: Variant = {
  name: 'node-without-podcidr',
  description: `node ${NO_CIDR_NODE}, Ready, never given a pod CIDR (an admission policy rejects the controller-manager's update)`,
  profiles: ['kind-cilium', 'kind-default'],
  async apply(ctx) {
    await ctx.apply([
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: NO_CIDR_POLICY },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['nodes'] }] },
          matchConditions: [{ name: 'only-the-test-node', expression: `object.metadata.name == '${NO_CIDR_NODE}'` }],
          validations: [{ expression: "!has(object.spec.podCIDR) && (!has(object.spec.podCIDRs) || size(object.spec.podCIDRs) == 0)", message: 'datapath-lab test: this node keeps no pod CIDR' }],
        },
      },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: NO_CIDR_POLICY }, spec: { policyName: NO_CIDR_POLICY, validationActions: ['Deny'] } },
    ]);
    // The policy is enforced once the apiserver has loaded it: probe with a dry-run create.
    await ctx.waitFor('the no-podCIDR policy in force', async () => {
      const probe = { ...testNode(NO_CIDR_NODE, '6.8.0-85-generic', '172.18.0.250'), spec: { podCIDR: '10.244.250.0/24', podCIDRs: ['10.244.250.0/24'] } };
      try {
        await ctx.kube.request('POST', await ctx.kube.pathFor('v1', 'Node'), { body: probe, query: { dryRun: 'All' } });
        return false;
      } catch (e) {
        return /keeps no pod CIDR/.test((e as Error).message);
      }
    }, { intervalMs: 250, timeoutMs: 30_000 });
    await ctx.create([testNode(NO_CIDR_NODE, '6.8.0-85-generic', '172.18.0.250')]);
    await ctx.waitFor(`${NO_CIDR_NODE} Ready`, async () => {
      const n = await ctx.kube.get<NodeLike>('v1', 'Node', NO_CIDR_NODE);
      return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    });
  },
  async revert(ctx) {
    await removeTestNode(ctx, NO_CIDR_NODE);
    await ctx.kube.delete('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', NO_CIDR_POLICY);
    await ctx.kube.delete('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', NO_CIDR_POLICY);
  },
};

/** A node on Ubuntu 20.04's GA kernel 5.4.0-26: below Cilium 1.18's minimum 5.10 (kernel.version fails). */
export const nodeOldKernel: Variant = {
  name: 'node-old-kernel',
  description: `node ${OLD_KERNEL_NODE} reporting kernelVersion 5.4.0-26-generic`,
  profiles: ['kind-cilium', 'kind-default', 'large'],
  async apply(ctx) {
    await ctx.create([testNode(OLD_KERNEL_NODE, '5.4.0-26-generic', '172.18.0.251')]);
    await ctx.waitFor(`${OLD_KERNEL_NODE} has a pod CIDR`, async () => ((await ctx.kube.get<NodeLike>('v1', 'Node', OLD_KERNEL_NODE))?.spec?.podCIDRs?.length ?? 0) > 0);
  },
  revert: (ctx) => removeTestNode(ctx, OLD_KERNEL_NODE),
};

const IPAM_MANAGER = 'datapath-lab-variant-ipam';

/** The first worker's CiliumNode (sorted by name) and the free addresses of its pod CIDR, lowest first. */
async function workerCiliumNode(ctx: SeedContext): Promise<{ name: string; free: string[] }> {
  const cns = (await ctx.kube.list<CiliumNodeLike>('cilium.io/v2', 'CiliumNode')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const cn = cns.find((c) => /-worker\d*$/.test(c.metadata.name)) ?? cns[0];
  const cidr = cn?.spec?.ipam?.podCIDRs?.[0];
  if (!cn || !cidr) throw new Error('no CiliumNode with a pod CIDR');
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = (base ?? '').split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const used = new Set(Object.keys(cn.status?.ipam?.used ?? {}));
  const free: string[] = [];
  for (let i = 1; i < size - 1; i++) {
    const ip = [24, 16, 8, 0].map((s) => Math.floor((first + i) / 2 ** s) % 256).join('.');
    if (!used.has(ip)) free.push(ip);
  }
  return { name: cn.metadata.name, free };
}

async function addAllocations(ctx: SeedContext, count: number, owner: (i: number) => string): Promise<void> {
  const cn = await workerCiliumNode(ctx);
  const ips = cn.free.slice(-count);
  const used = Object.fromEntries(ips.map((ip, i) => [ip, { owner: owner(i), resource: owner(i) }]));
  await ctx.kube.apply({ apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: cn.name }, status: { ipam: { used } } }, { subresource: 'status', fieldManager: IPAM_MANAGER });
}

async function removeAllocations(ctx: SeedContext): Promise<void> {
  const cn = await workerCiliumNode(ctx);
  // Applying an empty status with the same field manager drops every entry it added.
  await ctx.kube.apply({ apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: cn.name }, status: {} }, { subresource: 'status', fieldManager: IPAM_MANAGER });
}

/** One CiliumNode allocation owned by a pod that does not exist (ipam.pool warns: leaked allocation). */
export const ciliumNodeIpamLeak: Variant = {
  name: 'ciliumnode-ipam-leak',
  description: "the first worker's CiliumNode lists an address owned by default/ghost-7d9f4c (no such pod)",
  profiles: ['kind-cilium', 'large'],
  apply: (ctx) => addAllocations(ctx, 1, () => 'default/ghost-7d9f4c'),
  revert: removeAllocations,
};

/** 245 allocations on one node's /24 (ipam.pool fails: ≥ 95 % of the node's pod addresses in use). */
export const ciliumNodeIpamExhausted: Variant = {
  name: 'ciliumnode-ipam-exhausted',
  description: "the first worker's CiliumNode has 245 more addresses in use (owners are batch pods that are gone)",
  profiles: ['kind-cilium'],
  apply: (ctx) => addAllocations(ctx, 245, (i) => `batch/job-${i}`),
  revert: removeAllocations,
};

const KINDNET = ['ClusterRole/kindnet', 'ClusterRoleBinding/kindnet', 'ServiceAccount/kindnet', 'DaemonSet/kindnet'];

/** kindnet next to Cilium: two CNIs on every node (cni.detect fails). */
export const secondCniKindnet: Variant = {
  name: 'second-cni-kindnet',
  description: "kind's kindnet DaemonSet installed next to Cilium",
  profiles: ['kind-cilium'],
  async apply(ctx) {
    const { kindNet } = await import('./kind');
    await ctx.apply(kindNet({ podSubnet: ctx.network.clusterCIDR }));
  },
  async revert(ctx) {
    for (const ref of [...KINDNET].reverse()) {
      const [kind, name] = ref.split('/') as [string, string];
      const apiVersion = kind === 'DaemonSet' ? 'apps/v1' : kind === 'ServiceAccount' ? 'v1' : 'rbac.authorization.k8s.io/v1';
      await ctx.kube.delete(apiVersion, kind, name, kind === 'DaemonSet' || kind === 'ServiceAccount' ? 'kube-system' : undefined);
    }
  },
};

Object.assign(VARIANTS, {
  [kubeDnsSelectsNothing.name]: kubeDnsSelectsNothing,
  [ciliumConfigKprStrict.name]: ciliumConfigKprStrict,
  [nodeWithoutPodCIDR.name]: nodeWithoutPodCIDR,
  [nodeOldKernel.name]: nodeOldKernel,
  [ciliumNodeIpamLeak.name]: ciliumNodeIpamLeak,
  [ciliumNodeIpamExhausted.name]: ciliumNodeIpamExhausted,
  [secondCniKindnet.name]: secondCniKindnet,
});

// ---------------------------------------------------------------------------------------
// Variants for the pitfall walkthroughs (resources/pitfalls; test/integration/pitfalls.test.ts
// and scripts/demo-snapshots.ts apply them): each recreates one pitfall through the real API —
// Helm upgrades of the Cilium release, objects a mesh would install, pod statuses and Events as
// the kubelet writes them. Real error texts and where they come from: test/fixtures/pitfalls/README.md.

type PodStatusLike = KubeObject & {
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[] };
  status?: { phase?: string; containerStatuses?: (Record<string, unknown> & { name: string })[]; conditions?: { type: string; status: string }[] };
};

/** `helm upgrade cilium --reuse-values --set …` with the module's chart, then waits for cilium-config and the agents. */
async function ciliumHelmSet(ctx: SeedContext, set: Record<string, string | number | boolean>, settled: (data: Record<string, string>) => boolean): Promise<void> {
  const { join } = await import('node:path');
  const { ciliumModuleDir } = await import('./cilium');
  const chart = join(await ciliumModuleDir(), 'install', 'kubernetes', 'cilium');
  await ctx.helm(['upgrade', 'cilium', chart, '--namespace', 'kube-system', '--reuse-values', ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`])]);
  await ctx.waitFor('cilium-config updated by helm', async () => settled((await ctx.kube.get<ConfigMap>('v1', 'ConfigMap', 'cilium-config', 'kube-system'))?.data ?? {}));
  const ds = await ctx.kube.get<KubeObject & { status?: { desiredNumberScheduled?: number } }>('apps/v1', 'DaemonSet', 'cilium', 'kube-system');
  await waitDaemonSetReady(ctx, 'kube-system', 'cilium', ds?.status?.desiredNumberScheduled ?? 3);
}

/** A kubelet-style Event about a pod (name: pod + UnixNano in hex, as the kubelet's recorder names them). */
function kubeletEvent(pod: PodStatusLike, o: { reason: string; message: string; count: number; type?: 'Warning' | 'Normal'; container?: string; firstAgoS?: number }): KubeObject {
  const now = Date.now();
  const ts = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`, namespace: pod.metadata.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, ...(o.container ? { fieldPath: `spec.containers{${o.container}}` } : {}) },
    reason: o.reason,
    message: o.message,
    type: o.type ?? 'Warning',
    count: o.count,
    firstTimestamp: ts(now - (o.firstAgoS ?? 600) * 1000),
    lastTimestamp: ts(now),
    source: { component: 'kubelet', host: pod.spec?.nodeName },
    reportingComponent: 'kubelet',
    reportingInstance: pod.spec?.nodeName ?? '',
  } as KubeObject;
}

async function deleteEventsOf(ctx: SeedContext, namespace: string, podNames: readonly string[]): Promise<void> {
  for (const name of podNames) for (const e of await ctx.kube.list('v1', 'Event', { namespace, fieldSelector: `involvedObject.name=${name}` })) await ctx.kube.delete('v1', 'Event', e.metadata.name, namespace);
}

/** Writes a pod's status as the kubelet would for a container that failed and restarts (kwok leaves Running pods alone). */
async function failPodContainer(ctx: SeedContext, pod: PodStatusLike, container: string, o: { restarts: number; waiting: boolean; exitCode: number; message?: string }): Promise<void> {
  const now = new Date();
  const ts = (agoS: number) => new Date(now.getTime() - agoS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const current = pod.status?.containerStatuses ?? [];
  const statuses = current.map((c) =>
    c.name !== container
      ? c
      : {
          ...c,
          ready: false,
          started: !o.waiting,
          restartCount: o.restarts,
          state: o.waiting
            ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 2m40s restarting failed container=${container} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } }
            : { running: { startedAt: ts(40) } },
          lastState: { terminated: { exitCode: o.exitCode, reason: 'Error', startedAt: ts(400), finishedAt: ts(45), ...(o.message ? { message: o.message } : {}) } },
        },
  );
  await ctx.kube.patch(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${container}]`, lastTransitionTime: ts(400) },
          { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${container}]`, lastTransitionTime: ts(400) },
        ],
        containerStatuses: statuses,
      },
    } as KubeObject,
    { subresource: 'status' },
  );
}

/** Deletes pods so their controller replaces them (kwok makes the new ones Ready). */
async function replacePods(ctx: SeedContext, namespace: string, names: readonly string[]): Promise<void> {
  for (const n of names) await ctx.kube.request('DELETE', await ctx.kube.pathFor('v1', 'Pod', { namespace, name: n }), { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
}

/**
 * What running agents would write after pods came or went: CiliumNode status.ipam.used and the
 * CiliumEndpoints (server-side apply by the seeder's field manager, so entries of pods that are
 * gone drop out). Nothing when Cilium is not installed.
 */
async function refreshAgentState(ctx: SeedContext): Promise<void> {
  if (!(await ctx.kube.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'ciliumnodes.cilium.io'))) return;
  const { writeAgentState } = await import('./cilium');
  await writeAgentState(ctx, { clusterName: ctx.context, ipamUsed: true, endpoints: true });
}

async function deleteNamespace(ctx: SeedContext, name: string): Promise<void> {
  await ctx.kube.delete('v1', 'Namespace', name);
  await ctx.waitFor(`namespace ${name} gone`, async () => (await ctx.kube.get('v1', 'Namespace', name)) === undefined, { timeoutMs: 300_000, intervalMs: 1000 });
}

// ---- MTU: a pinned MTU larger than the underlay

/** cilium-config `mtu: "1500"` through `helm upgrade --set MTU=1500` (the walkthrough asks for the underlay: node facts are not readable here). */
export const ciliumMtuPinned: Variant = {
  name: 'cilium-mtu-pinned-1500',
  description: 'Helm value MTU=1500 on the tunnel (VXLAN) install: cilium-config gets mtu: "1500" instead of auto-detection',
  profiles: ['kind-cilium'],
  apply: (ctx) => ciliumHelmSet(ctx, { MTU: 1500 }, (d) => d.mtu === '1500'),
  revert: (ctx) => ciliumHelmSet(ctx, { MTU: 0 }, (d) => d.mtu === undefined),
};

// ---- default CNI at scale: many Services through kube-proxy iptables

export const MANY_SERVICES = 1050;
const SCALE_NS = 'scale-demo';

/** 1,050 ClusterIP Services (with selectors; their EndpointSlices are created by the controller) on kindnet + kube-proxy iptables. */
export const manyServicesIptables: Variant = {
  name: 'many-services-iptables',
  description: `${MANY_SERVICES} ClusterIP Services in namespace ${SCALE_NS}: with kube-proxy in iptables mode, past the 1,000 where first-packet latency shows`,
  profiles: ['kind-default', 'kind-cilium'],
  async apply(ctx) {
    await ctx.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SCALE_NS } });
    const name = (i: number) => `svc-${String(i).padStart(4, '0')}`;
    await ctx.create(
      Array.from({ length: MANY_SERVICES }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: name(i), namespace: SCALE_NS, labels: { app: name(i), tier: 'backend' } },
        spec: { type: 'ClusterIP', selector: { app: name(i) }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      })),
      { concurrency: 16, ignoreExists: true },
    );
    await ctx.waitFor(`${MANY_SERVICES} Services`, async () => (await ctx.kube.list('v1', 'Service', { namespace: SCALE_NS, limit: 2000 })).length >= MANY_SERVICES, { intervalMs: 1000 });
  },
  revert: (ctx) => deleteNamespace(ctx, SCALE_NS),
};

// ---- overlapping policies and a default-deny egress without DNS

const SHOP_NS = 'shop';

function shopObjects(): KubeObject[] {
  const dep = (name: string, port: { name: string; containerPort: number }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: SHOP_NS, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: name === 'frontend' ? 'web' : 'api' } }, spec: { containers: [{ name: 'app', image: `ghcr.io/example/shop-${name}:1.4.2`, ports: [port] }] } },
    },
  });
  const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: SHOP_NS }, spec });
  return [
    dep('frontend', { name: 'http', containerPort: 8080 }),
    dep('cart', { name: 'grpc', containerPort: 7070 }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend', namespace: SHOP_NS }, spec: { selector: { app: 'frontend' }, ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: SHOP_NS }, spec: { selector: { app: 'cart' }, ports: [{ port: 7070, targetPort: 'grpc' }] } },
    // The namespace default-deny, written without a DNS rule.
    np('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    np('frontend', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'http' }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'cart' } } }], ports: [{ port: 7070 }] }],
    }),
    np('cart', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 'grpc' }] }] }),
    // The same allow again, added later by another team.
    np('allow-frontend-to-cart', { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 7070, protocol: 'TCP' }] }] }),
    // And once more as a CiliumNetworkPolicy, from a migration.
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'cart-from-frontend', namespace: SHOP_NS },
      spec: { endpointSelector: { matchLabels: { app: 'cart' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '7070', protocol: 'TCP' }] }] }] },
    },
  ];
}

/** Namespace shop: a default-deny (ingress and egress) without DNS, and three policies allowing frontend → cart on 7070. */
export const shopPoliciesOverlap: Variant = {
  name: 'shop-policies-overlap-no-dns',
  description: 'namespace shop (frontend, cart) with a default-deny for ingress and egress but no DNS rule, and the same frontend → cart allow in two NetworkPolicies and a CiliumNetworkPolicy',
  profiles: ['kind-cilium'],
  async apply(ctx) {
    await ctx.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SHOP_NS, labels: { team: 'shop' } } });
    await waitServiceAccount(ctx, SHOP_NS);
    await ctx.apply(shopObjects());
    await waitPodsRunning(ctx, { namespace: SHOP_NS, count: 2 });
    await refreshAgentState(ctx);
  },
  async revert(ctx) {
    await deleteNamespace(ctx, SHOP_NS);
    await refreshAgentState(ctx);
  },
};

// ---- CoreDNS crash-looping

async function corednsPods(ctx: SeedContext): Promise<PodStatusLike[]> {
  return (await ctx.kube.list<PodStatusLike>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' })).filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp);
}

/**
 * Both CoreDNS pods crash-looping, as with the loop plugin's "[FATAL] plugin/loop: Loop … detected"
 * on nodes whose resolv.conf points at systemd-resolved's 127.0.0.53: Running, not Ready, waiting
 * in CrashLoopBackOff after exit 1, with the kubelet's BackOff Events. kubeadm's CoreDNS does not
 * use FallbackToLogsOnError, so the API holds no log line: the walkthrough asks for it.
 */
export const corednsCrashloop: Variant = {
  name: 'coredns-crashloop',
  description: 'both CoreDNS pods in CrashLoopBackOff (exit 1, 7 restarts), not ready: kube-dns has no ready endpoint',
  profiles: ['kind-cilium', 'kind-default'],
  async apply(ctx) {
    const pods = await corednsPods(ctx);
    for (const p of pods) {
      await failPodContainer(ctx, p, 'coredns', { restarts: 7, waiting: true, exitCode: 1 });
      await ctx.create([
        kubeletEvent(p, { reason: 'BackOff', message: `Back-off restarting failed container coredns in pod ${p.metadata.name}_kube-system(${p.metadata.uid})`, count: 31, container: 'coredns' }),
        kubeletEvent(p, { reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 12, container: 'coredns' }),
      ]);
    }
    await ctx.waitFor('kube-dns without ready endpoints', async () => {
      const slices = await ctx.kube.list<KubeObject & { endpoints?: { conditions?: { ready?: boolean } }[] }>('discovery.k8s.io/v1', 'EndpointSlice', { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' });
      return slices.flatMap((s) => s.endpoints ?? []).every((e) => e.conditions?.ready === false);
    });
  },
  async revert(ctx) {
    const pods = await corednsPods(ctx);
    await deleteEventsOf(ctx, 'kube-system', pods.map((p) => p.metadata.name));
    await replacePods(ctx, 'kube-system', pods.map((p) => p.metadata.name));
    await waitServiceEndpoints(ctx, 'kube-system', 'kube-dns', 2);
    await refreshAgentState(ctx);
  },
};

// ---- an Istio mesh with STRICT mTLS next to Cilium with WireGuard

export const ISTIO_VERSION = '1.27.3';

function istioCrd(plural: string, kind: string): KubeObject {
  const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.security.istio.io`, labels: { app: 'istio-pilot', chart: 'istio', heritage: 'Tiller', release: 'istio', 'app.kubernetes.io/part-of': 'istio' } },
    spec: {
      group: 'security.istio.io',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, categories: ['istio-io', 'security-istio-io'] },
      scope: 'Namespaced',
      versions: [
        { name: 'v1', served: true, storage: true, schema, subresources: { status: {} } },
        { name: 'v1beta1', served: true, storage: false, schema, subresources: { status: {} } },
      ],
    },
  } as KubeObject;
}

function istioObjects(): KubeObject[] {
  const img = (n: string) => `docker.io/istio/${n}:${ISTIO_VERSION}`;
  const bookinfo = (name: string, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-v1`, namespace: 'bookinfo', labels: { app: name, version: 'v1' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name, version: 'v1' } },
      template: {
        // As the sidecar injector leaves them (istio-cni: the init container only validates the redirection).
        metadata: { labels: { app: name, version: 'v1', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': name }, annotations: { 'sidecar.istio.io/status': '{"initContainers":["istio-validation"],"containers":["istio-proxy"]}' } },
        spec: {
          initContainers: [{ name: 'istio-validation', image: img('proxyv2'), args: ['istio-iptables', '--run-validation', '--skip-rule-apply'] }],
          containers: [
            { name, image, ports: [{ containerPort: 9080, name: 'http' }] },
            { name: 'istio-proxy', image: img('proxyv2'), args: ['proxy', 'sidecar'], ports: [{ containerPort: 15090, name: 'http-envoy-prom' }] },
          ],
        },
      },
    },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'istiod', namespace: 'istio-system' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'istio-cni', namespace: 'istio-system' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default', 'app.kubernetes.io/part-of': 'istio' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { istio: 'pilot' } },
        template: {
          metadata: { labels: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default', 'sidecar.istio.io/inject': 'false' } },
          spec: { serviceAccountName: 'istiod', containers: [{ name: 'discovery', image: img('pilot'), args: ['discovery', '--monitoringAddr=:15014', '--log_output_level=default:info'], ports: [{ containerPort: 8080 }, { containerPort: 15010 }, { containerPort: 15017 }] }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' } }, spec: { selector: { app: 'istiod', istio: 'pilot' }, ports: [{ name: 'grpc-xds', port: 15010 }, { name: 'https-dns', port: 15012 }, { name: 'https-webhook', port: 443, targetPort: 15017 }, { name: 'http-monitoring', port: 15014 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'istio-cni-node', namespace: 'istio-system', labels: { 'k8s-app': 'istio-cni-node', 'app.kubernetes.io/part-of': 'istio' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'istio-cni-node' } },
        template: {
          metadata: { labels: { 'k8s-app': 'istio-cni-node', 'sidecar.istio.io/inject': 'false' } },
          spec: { serviceAccountName: 'istio-cni', hostNetwork: true, tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical', containers: [{ name: 'install-cni', image: img('install-cni'), command: ['install-cni'], securityContext: { privileged: true } }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled' } } },
    bookinfo('productpage', 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.3'),
    bookinfo('details', 'docker.io/istio/examples-bookinfo-details-v1:1.20.3'),
  ];
}

/** Istio (istiod, istio-cni, PeerAuthentication STRICT mesh-wide, an injected namespace) next to Cilium with WireGuard on. */
export const istioMeshWireguard: Variant = {
  name: 'istio-mesh-wireguard',
  description: `Istio ${ISTIO_VERSION} as istioctl installs it (istiod, istio-cni-node, PeerAuthentication istio-system/default STRICT, namespace bookinfo injected) and Cilium with WireGuard (helm encryption.enabled=true, type wireguard)`,
  profiles: ['kind-cilium'],
  async apply(ctx) {
    await ciliumHelmSet(ctx, { 'encryption.enabled': true, 'encryption.type': 'wireguard' }, (d) => d['enable-wireguard'] === 'true');
    await ctx.apply([istioCrd('peerauthentications', 'PeerAuthentication'), istioCrd('authorizationpolicies', 'AuthorizationPolicy')]);
    await waitCrdsEstablished(ctx, ['peerauthentications.security.istio.io', 'authorizationpolicies.security.istio.io']);
    const objs = istioObjects();
    await ctx.apply(objs.filter((o) => o.kind === 'Namespace'));
    await Promise.all(['istio-system', 'bookinfo'].map((ns) => waitServiceAccount(ctx, ns)));
    await ctx.apply(objs.filter((o) => o.kind !== 'Namespace'));
    await ctx.apply({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } } as KubeObject);
    const nodes = await ctx.kube.list('v1', 'Node');
    await waitDaemonSetReady(ctx, 'istio-system', 'istio-cni-node', nodes.length);
    await waitPodsRunning(ctx, { namespace: 'istio-system', labelSelector: 'app=istiod', count: 1 });
    await waitPodsRunning(ctx, { namespace: 'bookinfo', count: 2 });
    await refreshAgentState(ctx);
  },
  async revert(ctx) {
    await deleteNamespace(ctx, 'bookinfo');
    await deleteNamespace(ctx, 'istio-system');
    await refreshAgentState(ctx);
    for (const n of ['peerauthentications', 'authorizationpolicies']) await ctx.kube.delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${n}.security.istio.io`);
    await ciliumHelmSet(ctx, { 'encryption.enabled': false, 'encryption.type': 'ipsec' }, (d) => d['enable-wireguard'] === undefined);
  },
};

// ---- IPAM exhausted by Job churn

/**
 * ciliumnode-ipam-exhausted (245 allocations on one worker owned by batch/job-N pods that are gone)
 * plus what the kubelet reports for the next Job pod there: a FailedCreatePodSandBox Event with
 * Cilium's "range is full" IPAM error.
 */
export const ipamExhaustedByJobs: Variant = {
  name: 'ipam-exhausted-by-jobs',
  description: "namespace batch; 245 allocations of finished batch/job-N pods on the first worker's CiliumNode; a FailedCreatePodSandBox Event (range is full) for the next Job pod",
  profiles: ['kind-cilium'],
  async apply(ctx) {
    await ctx.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } });
    await ciliumNodeIpamExhausted.apply(ctx);
    const cn = await workerCiliumNode(ctx);
    const pod: PodStatusLike = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job-245-x7k2p', namespace: 'batch', uid: 'c5b7f0d2-52c8-4a8e-9a0e-2f3d4b6c8e11' }, spec: { nodeName: cn.name } };
    const sandbox = 'a3f1c29e7b5d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';
    await ctx.create([
      kubeletEvent(pod, {
        reason: 'FailedCreatePodSandBox',
        message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandbox}": plugin type="cilium-cni" name="cilium" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full`,
        count: 14,
        firstAgoS: 900,
      }),
    ]);
  },
  async revert(ctx) {
    await ciliumNodeIpamExhausted.revert!(ctx);
    await deleteNamespace(ctx, 'batch');
  },
};

// ---- eBPF verifier: an agent whose datapath the verifier rejects

/**
 * The tail of the agent log as FallbackToLogsOnError keeps it: the verifier output of
 * cilium/cilium#30093 (Cilium 1.15.0-rc.0, kernel 6.1.69), quoted in PR #30384.
 */
export const VERIFIER_LOG_TAIL = [
  'Verifier error: program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is too large. Processed 1000001 insn (990 line(s) omitted)',
  'Verifier log: load program: argument list too long:',
  '\t0: R1=ctx(off=0,imm=0) R10=fp0',
  '\t; int tail_nodeport_nat_ingress_ipv4(struct __ctx_buff *ctx)',
  '\t0: (b4) w2 = 0                        ; R2_w=0',
  '\tprocessed 1000001 insns (limit 1000000) max_states_per_insn 22 total_states 71464 peak_states 1606 mark_read 45',
  '',
].join('\n');

async function agentOnWorker(ctx: SeedContext): Promise<PodStatusLike> {
  const pods = (await ctx.kube.list<PodStatusLike>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=cilium' })).sort((a, b) => (a.spec?.nodeName ?? '').localeCompare(b.spec?.nodeName ?? ''));
  const p = pods.find((x) => /-worker$/.test(x.spec?.nodeName ?? '')) ?? pods[0];
  if (!p) throw new Error('no Cilium agent pod');
  return p;
}

/**
 * The agent on the first worker cannot load tail_nodeport_nat_ingress_ipv4: /healthz answers 503,
 * the kubelet restarted it after failed liveness probes (exit 137), its termination message holds
 * the verifier output, and the kubelet's Unhealthy/BackOff Warning Events are there.
 */
export const ciliumAgentVerifierFailure: Variant = {
  name: 'cilium-agent-verifier-failure',
  description: "the Cilium agent on the first worker: not ready, restarted 4 times after failed liveness probes, its last termination message the verifier's 'BPF program is too large. Processed 1000001 insn' for tail_nodeport_nat_ingress_ipv4",
  profiles: ['kind-cilium'],
  async apply(ctx) {
    const p = await agentOnWorker(ctx);
    await failPodContainer(ctx, p, 'cilium-agent', { restarts: 4, waiting: false, exitCode: 137, message: VERIFIER_LOG_TAIL });
    await ctx.create([
      kubeletEvent(p, { reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 58, container: 'cilium-agent', firstAgoS: 1800 }),
      kubeletEvent(p, { reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 503', count: 40, container: 'cilium-agent', firstAgoS: 1800 }),
      kubeletEvent(p, { reason: 'BackOff', message: `Back-off restarting failed container cilium-agent in pod ${p.metadata.name}_kube-system(${p.metadata.uid})`, count: 3, container: 'cilium-agent', firstAgoS: 900 }),
    ]);
    await ctx.waitFor('the agent DaemonSet counts one agent not ready', async () => {
      const ds = await ctx.kube.get<KubeObject & { status?: { numberReady?: number; desiredNumberScheduled?: number } }>('apps/v1', 'DaemonSet', 'cilium', 'kube-system');
      return (ds?.status?.numberReady ?? 0) < (ds?.status?.desiredNumberScheduled ?? 0);
    });
  },
  async revert(ctx) {
    const pods = (await ctx.kube.list<PodStatusLike>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=cilium' })).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'));
    await deleteEventsOf(ctx, 'kube-system', pods.map((p) => p.metadata.name));
    const gone = new Set(pods.map((p) => p.metadata.name));
    await replacePods(ctx, 'kube-system', [...gone]);
    const nodes = await ctx.kube.list('v1', 'Node');
    await ctx.waitFor('replacement agents ready', async () => {
      const now = await ctx.kube.list<PodStatusLike>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=cilium' });
      return now.length === nodes.length && now.every((p) => !gone.has(p.metadata.name) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    });
    await waitDaemonSetReady(ctx, 'kube-system', 'cilium', nodes.length);
  },
};

/** The variant behind each pitfall walkthrough's "this" diagnosis, and the profile it runs on. */
export const PITFALL_VARIANTS: Record<string, { profile: 'kind-cilium' | 'kind-default'; variant: Variant }> = {
  'mtu-overlay': { profile: 'kind-cilium', variant: ciliumMtuPinned },
  'default-cni-scale': { profile: 'kind-default', variant: manyServicesIptables },
  'policy-overlaps': { profile: 'kind-cilium', variant: shopPoliciesOverlap },
  'coredns-failures': { profile: 'kind-cilium', variant: corednsCrashloop },
  'cni-service-mesh': { profile: 'kind-cilium', variant: istioMeshWireguard },
  'ipam-churn': { profile: 'kind-cilium', variant: ipamExhaustedByJobs },
  'ebpf-verifier': { profile: 'kind-cilium', variant: ciliumAgentVerifierFailure },
};

Object.assign(VARIANTS, {
  [ciliumMtuPinned.name]: ciliumMtuPinned,
  [manyServicesIptables.name]: manyServicesIptables,
  [shopPoliciesOverlap.name]: shopPoliciesOverlap,
  [corednsCrashloop.name]: corednsCrashloop,
  [istioMeshWireguard.name]: istioMeshWireguard,
  [ipamExhaustedByJobs.name]: ipamExhaustedByJobs,
  [ciliumAgentVerifierFailure.name]: ciliumAgentVerifierFailure,
});
