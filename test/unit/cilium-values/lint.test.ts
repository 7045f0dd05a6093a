import { describe, expect, it } from 'vitest';
import type { CiliumValues } from '../../../src/shared/api/walkthrough';
import { applyPatch, kindLabDefaults, lintValues, operatorSchedulableNodes, RULES, type LintContext } from '../../../src/main/core/cilium-values';
import { known } from '../../../src/main/core/checks/lib/finding';
import type { RawObject } from '../../../src/main/core/facts';
import type { FactSet } from '../../../src/main/core/facts/types';
import { clusterFacts, loadJson, loadYaml, mergeFactSets, nodeFacts } from '../checks/fixtures';

// Real inputs: the kind nodes captured by cilium/cilium (kernel 5.19.6-200.fc36, podCIDRs set,
// the control plane tainted NoSchedule), kubeadm's own dry-run objects (kube-proxy DaemonSet,
// kubeadm-config with podSubnet 10.244.0.0/16), a GKE node and an EKS node.
const kindNodes = () => loadYaml('k8s/kind-cilium-nodes.yaml');
const kubeadm = () => loadYaml('kubeadm/kubeadm-iptables.yaml');
const nodesOnly = (objs: RawObject[]) => objs.flatMap((o) => (o.kind === 'List' ? (o.items ?? []) : [o])).filter((o) => o.kind === 'Node');

/** The kind nodes without kube-proxy (kubeProxyMode none): nodes and kubeadm-config only. */
const kindNoKubeProxy = (): FactSet => clusterFacts(nodesOnly(kindNodes()), kubeadm().filter((o) => o.metadata?.name === 'kubeadm-config'));
/** The same nodes with kubeadm's kube-proxy DaemonSet. */
const kindWithKubeProxy = (): FactSet => clusterFacts(nodesOnly(kindNodes()), kubeadm());
/** kube-controller-manager without --allocate-node-cidrs: no podCIDRs. */
const withoutPodCidrs = (): FactSet => clusterFacts(nodesOnly(kindNodes()).map((n) => ({ ...n, spec: { ...(n.spec as object), podCIDR: undefined, podCIDRs: undefined } })));
const cordoned = (): FactSet => clusterFacts(nodesOnly(kindNodes()).map((n, i) => (i === 0 ? n : { ...n, spec: { ...(n.spec as object), unschedulable: true } })));
// The GKE node is an item of a NodeList as printed, so it carries no kind.
const gkeAndEks = (): FactSet => clusterFacts([{ ...loadJson('k8s/gke-cos-node-4.14.json'), kind: 'Node', apiVersion: 'v1' }], 'k8s/eks-node-al2-arm64.json');
const newKernels = (): FactSet => mergeFactSets(kindNoKubeProxy(), nodeFacts({ 'cilium-nodes-control-plane': { release: '6.12.43+deb13-amd64' }, 'cilium-nodes-worker': { release: '6.8.0-1008-gke' } }));

// The kind nodes of the fixture belong to a kind cluster named cilium-nodes.
const base = kindLabDefaults('cilium-nodes');
const v = (patch: Partial<CiliumValues> & Record<string, unknown>): CiliumValues => ({ ...structuredClone(base), ...patch }) as CiliumValues;

interface Case {
  name: string;
  values: CiliumValues;
  ctx?: LintContext;
  /** rule:severity:field of every finding, in any order. */
  want: string[];
}

const CASES: Case[] = [
  // kpr-legacy-mode
  { name: 'the lab defaults on the kind nodes: clean', values: base, ctx: { facts: kindNoKubeProxy() }, want: [] },
  { name: 'strict on 1.18: removed', values: v({ kubeProxyReplacement: 'strict' }), ctx: { ciliumVersion: '1.18.6' }, want: ['kpr-legacy-mode:error:kubeProxyReplacement'] },
  { name: 'partial on 1.16.0: removed', values: v({ kubeProxyReplacement: 'partial', bpf: { masquerade: false, datapathMode: 'veth' } }), ctx: { ciliumVersion: '1.16.0' }, want: ['kpr-legacy-mode:error:kubeProxyReplacement'] },
  { name: 'disabled on 1.15: deprecated only', values: v({ kubeProxyReplacement: 'disabled', bpf: { masquerade: false, datapathMode: 'veth' } }), ctx: { ciliumVersion: '1.15.19' }, want: ['kpr-legacy-mode:warning:kubeProxyReplacement'] },
  { name: 'strict on 1.13: still valid', values: v({ kubeProxyReplacement: 'strict' }), ctx: { ciliumVersion: '1.13.4' }, want: [] },
  { name: 'probe on 1.13: removed in 1.13', values: v({ kubeProxyReplacement: 'probe' }), ctx: { ciliumVersion: '1.13.0' }, want: ['kpr-legacy-mode:error:kubeProxyReplacement'] },
  { name: '"true" as a string is fine', values: v({ kubeProxyReplacement: 'true' }), want: [] },
  // netkit-kernel / netkit-host-routing
  { name: 'netkit on 5.19 kind nodes: error naming them', values: v({ bpf: { masquerade: true, datapathMode: 'netkit' } }), ctx: { facts: kindNoKubeProxy() }, want: ['netkit-kernel:error:bpf.datapathMode'] },
  { name: 'netkit-l2 on 6.12 and 6.8 kernels: fine', values: v({ bpf: { masquerade: true, datapathMode: 'netkit-l2' } }), ctx: { facts: newKernels() }, want: [] },
  // The EKS node (VPC CNI) has no podCIDR either: ipam kubernetes is wrong there too.
  { name: 'netkit on a GKE 4.14 and an EKS 5.10 node', values: v({ bpf: { masquerade: true, datapathMode: 'netkit' }, k8sServiceHost: 'auto', k8sServicePort: undefined }), ctx: { facts: gkeAndEks() }, want: ['netkit-kernel:error:bpf.datapathMode', 'kubernetes-ipam-podcidrs:error:ipam.mode'] },
  { name: 'netkit without facts: info (cannot confirm)', values: v({ bpf: { masquerade: true, datapathMode: 'netkit' } }), want: ['netkit-kernel:info:bpf.datapathMode'] },
  { name: 'netkit on 1.15: does not exist yet', values: v({ bpf: { masquerade: true, datapathMode: 'netkit' } }), ctx: { ciliumVersion: '1.15.19', facts: newKernels() }, want: ['netkit-kernel:error:bpf.datapathMode'] },
  { name: 'netkit without kube-proxy replacement: no eBPF host-routing', values: v({ kubeProxyReplacement: false, bpf: { masquerade: false, datapathMode: 'netkit' } }), ctx: { facts: newKernels() }, want: ['netkit-host-routing:warning:bpf.datapathMode'] },
  // operator-replicas
  { name: '2 replicas on 2 nodes (control plane taint tolerated)', values: v({ operator: { replicas: 2 } }), ctx: { facts: kindNoKubeProxy() }, want: [] },
  { name: '3 replicas on 2 nodes: one Pending', values: v({ operator: { replicas: 3 } }), ctx: { facts: kindNoKubeProxy() }, want: ['operator-replicas:warning:operator.replicas'] },
  { name: '2 replicas, one node cordoned', values: v({ operator: { replicas: 2 } }), ctx: { facts: cordoned() }, want: ['operator-replicas:warning:operator.replicas'] },
  { name: '0 replicas: no operator at all', values: v({ operator: { replicas: 0 } }), want: ['operator-replicas:warning:operator.replicas'] },
  { name: 'replicas without node facts: nothing to say', values: v({ operator: { replicas: 5 } }), want: [] },
  // kubernetes-ipam-podcidrs
  { name: 'ipam kubernetes on nodes without podCIDRs', values: base, ctx: { facts: withoutPodCidrs() }, want: ['kubernetes-ipam-podcidrs:error:ipam.mode'] },
  { name: 'GKE node with spec.podCIDR only counts as having one', values: v({ k8sServiceHost: 'auto', k8sServicePort: undefined }), ctx: { facts: clusterFacts([{ ...loadJson('k8s/gke-cos-node-4.14.json'), kind: 'Node', apiVersion: 'v1' }]) }, want: [] },
  { name: 'cluster-pool does not need node podCIDRs', values: v({ ipam: { mode: 'cluster-pool' } }), ctx: { facts: withoutPodCidrs() }, want: [] },
  // kpr-apiserver-address
  { name: 'KPR without kube-proxy and no k8sServiceHost', values: v({ k8sServiceHost: undefined, k8sServicePort: undefined }), ctx: { facts: kindNoKubeProxy(), apiServer: { host: '172.18.0.2', port: 6443 } }, want: ['kpr-apiserver-address:error:k8sServiceHost'] },
  { name: 'KPR next to kube-proxy: the Service works', values: v({ k8sServiceHost: undefined, k8sServicePort: undefined }), ctx: { facts: kindWithKubeProxy() }, want: [] },
  { name: 'KPR, kube-proxy unknown: warning', values: v({ k8sServiceHost: undefined, k8sServicePort: undefined }), want: ['kpr-apiserver-address:warning:k8sServiceHost'] },
  { name: 'host without port', values: v({ k8sServicePort: undefined }), want: ['kpr-apiserver-address:error:k8sServicePort'] },
  { name: 'host "auto" needs no port', values: v({ k8sServiceHost: 'auto', k8sServicePort: undefined }), want: [] },
  { name: 'host of another kind cluster (lab-control-plane on cilium-nodes)', values: v({ k8sServiceHost: 'lab-control-plane' }), ctx: { facts: kindNoKubeProxy(), apiServer: { host: '172.18.0.2', port: 6443 } }, want: ['kpr-apiserver-address:warning:k8sServiceHost'] },
  { name: 'host = the API server endpoint address', values: v({ k8sServiceHost: '172.18.0.2' }), ctx: { facts: kindNoKubeProxy(), apiServer: { host: '172.18.0.2', port: 6443 } }, want: [] },
  { name: 'host = the kubeconfig server name (EKS-style endpoint)', values: v({ k8sServiceHost: 'abc.gr7.us-west-2.eks.amazonaws.com', k8sServicePort: 443 }), ctx: { facts: kindNoKubeProxy(), apiServerNames: ['abc.gr7.us-west-2.eks.amazonaws.com'] }, want: [] },
  { name: 'host = a node address', values: v({ k8sServiceHost: '172.18.0.3' }), ctx: { facts: kindNoKubeProxy() }, want: [] },
  // native-routing-cidr / routing-mode-settings
  { name: 'native routing without ipv4NativeRoutingCIDR', values: v({ routingMode: 'native', tunnelProtocol: undefined }), ctx: { facts: kindNoKubeProxy() }, want: ['native-routing-cidr:error:ipv4NativeRoutingCIDR'] },
  { name: 'native routing with the CIDR', values: v({ routingMode: 'native', tunnelProtocol: undefined, ipv4NativeRoutingCIDR: '10.244.0.0/16', autoDirectNodeRoutes: true }), want: [] },
  { name: 'native routing keeps a tunnelProtocol', values: v({ routingMode: 'native', ipv4NativeRoutingCIDR: '10.244.0.0/16' }), want: ['routing-mode-settings:warning:tunnelProtocol'] },
  { name: 'autoDirectNodeRoutes with tunnel', values: v({ autoDirectNodeRoutes: true }), want: ['routing-mode-settings:warning:autoDirectNodeRoutes'] },
  { name: 'a native routing CIDR that is not one', values: v({ routingMode: 'native', tunnelProtocol: undefined, ipv4NativeRoutingCIDR: '10.244.0.0' }), want: ['native-routing-cidr:error:ipv4NativeRoutingCIDR'] },
  // ipam-mode-settings
  { name: 'cluster-pool CIDRs with ipam kubernetes', values: v({ ipam: { mode: 'kubernetes', operator: { clusterPoolIPv4PodCIDRList: ['10.0.0.0/8'], clusterPoolIPv4MaskSize: 24 } } }), want: ['ipam-mode-settings:warning:ipam.operator.clusterPoolIPv4PodCIDRList', 'ipam-mode-settings:warning:ipam.operator.clusterPoolIPv4MaskSize'] },
  { name: 'cluster-pool with its own settings', values: v({ ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.42.0.0/16'], clusterPoolIPv4MaskSize: 24 } } }), want: [] },
  { name: 'cluster-pool mask not smaller than the pool', values: v({ ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.42.0.0/24'], clusterPoolIPv4MaskSize: 24 } } }), want: ['ipam-mode-settings:error:ipam.operator.clusterPoolIPv4MaskSize'] },
  { name: 'cluster-pool list with an IPv6 CIDR', values: v({ ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['fd00::/104'] } } }), want: ['ipam-mode-settings:error:ipam.operator.clusterPoolIPv4PodCIDRList'] },
  // bpf-masquerade-needs-kpr, hubble-ui-needs-relay, mtu-range
  { name: 'BPF masquerading without kube-proxy replacement', values: v({ kubeProxyReplacement: false }), want: ['bpf-masquerade-needs-kpr:error:bpf.masquerade'] },
  { name: 'hubble UI without the relay', values: v({ hubble: { relay: { enabled: false }, ui: { enabled: true } } }), want: ['hubble-ui-needs-relay:warning:hubble.ui.enabled'] },
  { name: 'MTU 1000', values: v({ MTU: 1000 }), want: ['mtu-range:error:MTU'] },
  { name: 'MTU 9000 and 0 are fine', values: v({ MTU: 9000 }), want: [] },
];

describe('values linter: one table row per rule and boundary', () => {
  it.each(CASES)('$name', ({ values, ctx, want }) => {
    const got = lintValues(values, ctx ?? {}).map((f) => `${f.rule}:${f.severity}:${f.field}`);
    expect(got.sort()).toEqual([...want].sort());
  });

  it('covers every rule with at least one firing row', () => {
    const fired = new Set(CASES.flatMap((c) => c.want.map((w) => w.split(':')[0])));
    for (const id of Object.keys(RULES)) expect(fired, id).toContain(id);
  });

  it('every finding has a message, a fix and a reference; errors sort first', () => {
    for (const c of CASES) {
      const fs = lintValues(c.values, c.ctx ?? {});
      for (const f of fs) {
        expect(f.message.length).toBeGreaterThan(20);
        expect(f.fix.length).toBeGreaterThan(5);
        expect(f.reference).toMatch(/docs\.cilium\.io|cilium\/cilium/);
      }
      const ranks = fs.map((f) => ({ error: 0, warning: 1, info: 2 })[f.severity]);
      expect(ranks).toEqual([...ranks].sort());
    }
  });

  it('applying a finding’s patch makes that finding go away', () => {
    for (const c of CASES) {
      for (const f of lintValues(c.values, c.ctx ?? {})) {
        if (!f.patch) continue;
        const fixed = applyPatch(c.values, f.patch);
        const again = lintValues(fixed, c.ctx ?? {}).filter((g) => g.rule === f.rule && g.field === f.field && g.severity === f.severity);
        expect(again, `${c.name}: ${f.rule} after ${JSON.stringify(f.patch)}`).toEqual([]);
      }
    }
  });

  it('names the nodes with old kernels and the API server endpoint in the fix', () => {
    const [netkit] = lintValues(v({ bpf: { masquerade: true, datapathMode: 'netkit' } }), { facts: kindNoKubeProxy() });
    expect(netkit!.message).toContain('cilium-nodes-control-plane (5.19.6-200.fc36.x86_64)');
    expect(netkit!.message).toContain('cilium-nodes-worker');
    const [kpr] = lintValues(v({ k8sServiceHost: undefined, k8sServicePort: undefined }), { facts: kindNoKubeProxy(), apiServer: { host: '172.18.0.2', port: 6443 } });
    expect(kpr!.fix).toContain('172.18.0.2:6443');
    expect(kpr!.patch).toEqual({ k8sServiceHost: '172.18.0.2', k8sServicePort: 6443 });
    const [native] = lintValues(v({ routingMode: 'native', tunnelProtocol: undefined }), { facts: kindNoKubeProxy() });
    // kubeadm's podSubnet from the real kubeadm-config
    expect(native!.patch).toEqual({ ipv4NativeRoutingCIDR: '10.244.0.0/16' });
  });

  it('operator scheduling follows the chart’s tolerations', () => {
    const nodes = known(kindNoKubeProxy(), 'k8s.nodes')!.value;
    expect(nodes.find((n) => n.name === 'cilium-nodes-control-plane')!.taints.map((t) => t.key)).toContain('node-role.kubernetes.io/control-plane');
    expect(operatorSchedulableNodes(nodes).map((n) => n.name)).toEqual(['cilium-nodes-control-plane', 'cilium-nodes-worker']);
    const tainted = nodes.map((n) => ({ ...n, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    expect(operatorSchedulableNodes(tainted)).toEqual([]);
    const soft = nodes.map((n) => ({ ...n, taints: [{ key: 'dedicated', value: 'gpu', effect: 'PreferNoSchedule' }] }));
    expect(operatorSchedulableNodes(soft)).toHaveLength(2);
  });

  it('reads the EKS node’s kernel from status.nodeInfo', () => {
    const eks = loadJson('k8s/eks-node-al2-arm64.json');
    expect(JSON.stringify(eks)).toContain('5.10.184');
    const [f] = lintValues(v({ bpf: { masquerade: true, datapathMode: 'netkit' }, k8sServiceHost: 'auto', k8sServicePort: undefined }), { facts: gkeAndEks() });
    expect(f!.message).toMatch(/4\.14\.56\+.*5\.10\.184|5\.10\.184.*4\.14\.56\+/);
  });
});
