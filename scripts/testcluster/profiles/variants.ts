// Variants: changes applied through the API on top of a running profile, to give checks
// something broken to find. Apply them to a cluster of your own (ensureCluster(profile,
// { name: 'my-test' })) or revert them, since the shared test clusters serve every test.
import type { KubeObject } from '../kube';
import type { SeedContext } from '../seed';
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
