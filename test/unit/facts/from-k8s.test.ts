import { describe, expect, it } from 'vitest';
import {
  ciliumNodeSummary,
  daemonSetWorkload,
  deploymentWorkload,
  endpointsOf,
  factsFromObjects,
  flattenObjects,
  kubeadmNetworking,
  kubeProxyConfig,
  markUnknown,
  mergeFactSets,
  nodeSummary,
  podRow,
  setNodeFact,
  type FactSet,
} from '../../../src/main/core/facts';
import { known, unknown } from '../../../src/shared/facts';
import { loadJson, loadYaml } from '../checks/fixtures';

const items = (file: string) => flattenObjects(loadYaml(file));

describe('nodeSummary', () => {
  it('reads real kind nodes (Cilium control-plane test data)', () => {
    const [cp, worker] = items('k8s/kind-cilium-nodes.yaml').filter((o) => o.kind === 'Node').map((n) => nodeSummary(n as never));
    expect(cp).toMatchObject({
      name: 'cilium-nodes-control-plane',
      podCIDRs: ['10.244.0.0/24'],
      ready: 'False',
      networkUnavailable: 'False',
      addresses: [{ type: 'InternalIP', address: '172.18.0.4' }, { type: 'Hostname', address: 'cilium-nodes-control-plane' }],
      info: { kernelVersion: '5.19.6-200.fc36.x86_64', osImage: 'Ubuntu 22.04.1 LTS', architecture: 'amd64' },
    });
    expect(cp!.taints).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
    expect(worker).toMatchObject({ name: 'cilium-nodes-worker', ready: 'True', podCIDRs: ['10.244.1.0/24'] });
  });

  it('reads an EKS node (no podCIDRs: VPC CNI) and an old GKE node (spec.podCIDR only)', () => {
    const eks = nodeSummary(loadJson('k8s/eks-node-al2-arm64.json') as never);
    expect(eks).toMatchObject({ name: 'ip-192-168-0-161.ec2.internal', podCIDRs: [], ready: 'True', networkUnavailable: null, info: { kernelVersion: '5.10.184-175.731.amzn2.aarch64', containerRuntimeVersion: 'containerd://1.6.19', kubeletVersion: 'v1.27.3-eks-a5565ad', architecture: 'arm64' } });
    expect(eks.labels['eks.amazonaws.com/nodegroup']).toBe('workers');
    const gke = nodeSummary(loadJson('k8s/gke-cos-node-4.14.json') as never);
    expect(gke).toMatchObject({ podCIDRs: ['10.48.10.0/24'], networkUnavailable: 'False', info: { osImage: 'Container-Optimized OS from Google', kernelVersion: '4.14.56+' } });
  });

  it('reads the dual-stack kind nodes', () => {
    const n = items('k8s/kind-dualstack.yaml').filter((o) => o.kind === 'Node').map((o) => nodeSummary(o as never));
    expect(n.map((x) => x.podCIDRs)).toEqual([
      ['10.244.0.0/24', 'fd00:10:244::/64'],
      ['10.244.1.0/24', 'fd00:10:244:1::/64'],
      ['10.244.2.0/24', 'fd00:10:244:2::/64'],
    ]);
  });
});

describe('workloads', () => {
  it('keeps images and only the API-server env of the Cilium agent (Helm-rendered 1.18 with k8sServiceHost)', () => {
    const ds = items('cilium/cilium-1.18-kind-kpr.yaml').find((o) => o.kind === 'DaemonSet')!;
    const w = daemonSetWorkload(ds as never);
    expect(w).toMatchObject({ kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', images: ['quay.io/cilium/cilium:v1.18.6'], env: { KUBERNETES_SERVICE_HOST: 'kind-control-plane', KUBERNETES_SERVICE_PORT: '6443' }, desired: 0 });
    expect(w.initImages.length).toBeGreaterThan(2);
    expect(Object.keys(w.env)).toEqual(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);
  });

  it('records env from references without their values', () => {
    const w = daemonSetWorkload({ metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ image: 'quay.io/cilium/cilium:v1.20.2', env: [{ name: 'KUBERNETES_SERVICE_HOST', valueFrom: { configMapKeyRef: { name: 'api', key: 'host' } } }, { name: 'SECRET', value: 'x' }] }] } } } });
    expect(w.env).toEqual({ KUBERNETES_SERVICE_HOST: '<from ConfigMap api/host>' });
  });

  it('defaults Deployment replicas to 1 and reads status', () => {
    const w = deploymentWorkload({ metadata: { name: 'coredns', namespace: 'kube-system' }, spec: {}, status: { readyReplicas: 1, availableReplicas: 1 } });
    expect(w).toMatchObject({ desired: 1, ready: 1, available: 1 });
  });
});

describe('ConfigMaps', () => {
  it('reads kube-proxy config.conf modes as kubeadm renders them', () => {
    const mode = (f: string) => kubeProxyConfig((items(`kubeadm/${f}.yaml`).find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'kube-proxy') as { data: Record<string, string> }).data['config.conf']!);
    expect(mode('kubeadm-iptables')).toEqual({ mode: 'iptables', clusterCIDR: '10.244.0.0/16' });
    expect(mode('kubeadm-default-mode').mode).toBe('');
    expect(mode('kubeadm-ipvs').mode).toBe('ipvs');
    expect(mode('kubeadm-nftables').mode).toBe('nftables');
  });

  it('reads kubeadm ClusterConfiguration networking', () => {
    const cm = items('kubeadm/kubeadm-custom-subnets.yaml').find((o) => o.metadata?.name === 'kubeadm-config') as { data: Record<string, string> };
    expect(kubeadmNetworking(cm.data['ClusterConfiguration']!)).toEqual({ serviceSubnet: '172.20.0.0/16', podSubnet: '192.168.0.0/16', dnsDomain: 'cluster.local' });
    expect(kubeadmNetworking('apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n')).toEqual({ serviceSubnet: null, podSubnet: null, dnsDomain: null });
  });
});

describe('CiliumNodes, EndpointSlices, pods', () => {
  it('summarises a real kind CiliumNode and one with IPAM status', () => {
    const cn = items('k8s/kind-cilium-nodes.yaml').filter((o) => o.kind === 'CiliumNode').map((o) => ciliumNodeSummary(o as never));
    expect(cn[1]).toEqual({ name: 'cilium-nodes-worker', podCIDRs: ['10.244.1.0/24'], poolSize: 0, used: {}, operatorError: null, releaseIps: {} });
    const s = ciliumNodeSummary({
      metadata: { name: 'k8s1' },
      spec: { ipam: { pool: { '192.168.1.1': {}, '192.168.1.2': {} } } },
      status: { ipam: { used: { '192.168.1.1': { owner: 'router' }, '192.168.1.2': { owner: 'default/web-0', resource: 'k8s1' } }, 'operator-status': { error: 'boom' }, 'release-ips': { '192.168.1.9': 'marked-for-release' } } },
    });
    expect(s).toEqual({ name: 'k8s1', podCIDRs: [], poolSize: 2, used: { '192.168.1.1': 'router', '192.168.1.2': 'default/web-0' }, operatorError: 'boom', releaseIps: { '192.168.1.9': 'marked-for-release' } });
  });

  it('splits EndpointSlice addresses by readiness (nil ready counts as ready)', () => {
    const e = endpointsOf([
      { endpoints: [{ addresses: ['10.244.0.3'], conditions: { ready: true } }, { addresses: ['10.244.0.4'], conditions: { ready: false } }, { addresses: ['10.244.0.5'] }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      { endpoints: null, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    ]);
    expect(e).toEqual({ slices: 2, ready: ['10.244.0.3', '10.244.0.5'], notReady: ['10.244.0.4'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
  });

  it('makes compact pod rows', () => {
    expect(podRow({ metadata: { namespace: 'kube-system', name: 'cilium-x' }, spec: { nodeName: 'n1', hostNetwork: true }, status: { podIP: '172.18.0.2', phase: 'Running' } })).toEqual(['kube-system', 'cilium-x', 'n1', '172.18.0.2', true, 'Running']);
    expect(podRow({ metadata: { namespace: 'd', name: 'p' }, spec: {}, status: { phase: 'Weird' } })).toEqual(['d', 'p', '', '', false, 'Unknown']);
  });
});

describe('fact sets', () => {
  it('flattens Lists and reports what is absent as not-found', () => {
    const f = factsFromObjects(loadYaml('k8s/kind-cilium-nodes.yaml'), 'test');
    expect(f['k8s.nodes']).toMatchObject({ state: 'known', source: 'test: Node list' });
    expect(f['cilium.nodes']).toMatchObject({ state: 'known' });
    expect(f['cilium.config']).toEqual(unknown('not-found', 'no ConfigMap cilium-config (Cilium is not installed)', 'test'));
    expect(f['kubeproxy.config']).toMatchObject({ state: 'unknown', reason: 'not-found' });
    expect(f['k8s.pods']).toMatchObject({ state: 'unknown', reason: 'not-found' });
  });

  it('adds node facts, merges per node, and marks the rest unknown', () => {
    const a: FactSet = {};
    setNodeFact(a, 'node.kernel.release', 'n1', known('6.1.0-18-amd64', '/proc/sys/kernel/osrelease'), 'host');
    const b: FactSet = {};
    setNodeFact(b, 'node.kernel.release', 'n2', unknown('timeout', 'debug pod did not start in 30 s'), 'debug pods');
    const m = mergeFactSets(a, b, { 'k8s.nodes': known([], 'x') });
    expect(m['node.kernel.release']).toEqual(known({ n1: known('6.1.0-18-amd64', '/proc/sys/kernel/osrelease'), n2: unknown('timeout', 'debug pod did not start in 30 s') }, 'host, debug pods'));
    markUnknown(m, ['node.interfaces', 'k8s.nodes'], 'not-applicable', 'cluster target without node access');
    expect(m['node.interfaces']).toEqual(unknown('not-applicable', 'cluster target without node access'));
    expect(m['k8s.nodes']).toEqual(known([], 'x'));
  });
});
