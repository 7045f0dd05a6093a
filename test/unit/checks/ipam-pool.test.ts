import { describe, expect, it } from 'vitest';
import { ipamPool } from '../../../src/main/core/checks/ipam-pool';
import { allocatableAddresses, CidrIndex, parseCidr, parseIp } from '../../../src/main/core/checks/lib/cidr';
import type { RawObject } from '../../../src/main/core/facts';
import { known, unknown } from '../../../src/shared/facts';
import { clusterFacts, loadJson, loadYaml } from './fixtures';

/** Pods as the API returns them, reduced to the fields the pod index reads. */
function pods(node: string, n: number, opts: { hostNetwork?: boolean; phase?: string; prefix?: string; ns?: string } = {}): RawObject[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: opts.ns ?? 'default', name: `${opts.prefix ?? 'web'}-${node}-${i}` },
    spec: { nodeName: node, hostNetwork: opts.hostNetwork ?? false },
    status: { phase: opts.phase ?? 'Running', podIP: opts.hostNetwork ? '172.18.0.2' : `10.244.${i % 250}.${i % 200}` },
  }));
}

function ciliumConfig(data: Record<string, string>): RawObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'kube-system', name: 'cilium-config' }, data };
}

describe('CIDR math', () => {
  it('counts the addresses Cilium can hand out', () => {
    expect(allocatableAddresses(parseCidr('10.244.1.0/24')!)).toBe(254);
    expect(allocatableAddresses(parseCidr('10.0.0.0/26')!)).toBe(62);
    expect(allocatableAddresses(parseCidr('fd00:10:244:1::/64')!)).toBe(65534);
    expect(allocatableAddresses(parseCidr('fd00::/120')!)).toBe(254);
  });
  it('finds the range holding an address among 5,000 node CIDRs', () => {
    const cidrs = Array.from({ length: 5000 }, (_, i) => parseCidr(`10.${(i >> 8) & 255}.${i & 255}.0/24`)!);
    const idx = new CidrIndex(cidrs);
    expect(idx.find(parseIp('10.3.7.9')!)).toBe('10.3.7.0/24');
    expect(new CidrIndex([parseCidr('10.244.0.0/16')!, parseCidr('10.244.1.0/24')!]).find(parseIp('10.244.1.9')!)).toBe('10.244.0.0/16 (+1 more)');
    expect(idx.find(parseIp('192.168.0.1')!)).toBeNull();
  });
});

describe('ipam.pool in kubernetes mode (real kind node objects)', () => {
  const kindKpr = () => loadYaml('cilium/cilium-1.18-kind-kpr.yaml'); // ipam: kubernetes
  const nodes = () => loadYaml('k8s/kind-cilium-nodes.yaml'); // cilium-nodes-control-plane 10.244.0.0/24, cilium-nodes-worker 10.244.1.0/24

  it('passes with room on every node', () => {
    const f = ipamPool.evaluate(clusterFacts([...kindKpr(), ...nodes(), ...pods('cilium-nodes-worker', 20), ...pods('cilium-nodes-worker', 30, { hostNetwork: true, prefix: 'hn' })]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Pod addresses in use', value: '20 of 504 (4 %) over 2 nodes' }));
  });

  it('warns at 80 % and fails at 95 % of a node\'s 252 pod addresses (254 minus router and health)', () => {
    const warn = ipamPool.evaluate(clusterFacts([...kindKpr(), ...nodes(), ...pods('cilium-nodes-worker', 210)]), {});
    expect(warn.status).toBe('warn');
    expect(warn.details![0]).toMatchObject({ subject: 'cilium-nodes-worker', status: 'warn' });
    expect(warn.details![0]!.summary).toContain('IPv4 210/252 (83 %) in 10.244.1.0/24');
    const fail = ipamPool.evaluate(clusterFacts([...kindKpr(), ...nodes(), ...pods('cilium-nodes-worker', 240), ...pods('cilium-nodes-worker', 30, { phase: 'Succeeded', prefix: 'job' })]), {});
    expect(fail.status).toBe('fail');
    expect(fail.details![0]!.summary).toContain('IPv4 240/252 (95 %)');
  });

  it('fails a node without spec.podCIDRs (the agent waits for one)', () => {
    const n = nodes().map((o) => (o.items ? { ...o, items: o.items.map((i) => (i.kind === 'Node' && i.metadata?.name === 'cilium-nodes-worker' ? { ...i, spec: {} } : i)) } : o));
    const f = ipamPool.evaluate(clusterFacts([...kindKpr(), ...n, ...pods('cilium-nodes-worker', 1)]), {});
    expect(f.status).toBe('fail');
    expect(f.details![0]!.summary).toContain('Node has no spec.podCIDRs');
  });

  it('is unknown when pods cannot be listed', () => {
    const facts = { ...clusterFacts([...kindKpr(), ...nodes()]), 'k8s.pods': unknown('forbidden', 'cannot list pods at the cluster scope (needs list on pods)') };
    const f = ipamPool.evaluate(facts, {});
    expect(f.status).toBe('unknown');
    expect(f.details![0]!.summary).toContain('k8s.pods: forbidden');
  });

  it('checks both families on the dual-stack kind cluster', () => {
    const ds = ciliumConfig({ ipam: 'kubernetes', 'enable-ipv4': 'true', 'enable-ipv6': 'true' });
    const f = ipamPool.evaluate(clusterFacts([ds, ...loadYaml('k8s/kind-dualstack.yaml'), ...pods('dual-stack-worker', 5)]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Pools checked for overlap', value: expect.stringContaining('fd00:10:244:1::/64') }));
  });
});

describe('ipam.pool in cluster-pool mode', () => {
  it('fails the default 10.0.0.0/8 pool on a GKE node network (10.128.0.4 inside it)', () => {
    const gke = { ...loadJson('k8s/gke-cos-node-4.14.json'), kind: 'Node' };
    const f = ipamPool.evaluate(clusterFacts('cilium/cilium-1.18-default.yaml', [gke, ...pods('gke-gar-1-pool-1-dce25db1-2mm5', 3)]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('pod pool 10.0.0.0/8 contains 1 node address: gke-gar-1-pool-1-dce25db1-2mm5 10.128.0.4');
    expect(f.fix?.yaml).toContain('clusterPoolIPv4PodCIDRList');
  });

  it('passes the same pool next to an EKS node network (192.168.0.161)', () => {
    const cn: RawObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: 'ip-192-168-0-161.ec2.internal' }, spec: { ipam: { podCIDRs: ['10.0.3.0/24'] } } };
    const f = ipamPool.evaluate(clusterFacts('cilium/cilium-1.18-default.yaml', 'k8s/eks-node-al2-arm64.json', [cn, ...pods('ip-192-168-0-161.ec2.internal', 100)]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'cluster-pool IPv4', value: '10.0.0.0/8 split into /24: 65536 node CIDRs for 1 node (0 %)' }));
  });

  it('warns when the pool runs out of node CIDRs (7 nodes on a /21 split into /24s)', () => {
    const cfg = ciliumConfig({ ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.10.0.0/21', 'cluster-pool-ipv4-mask-size': '24' });
    const ns = Array.from({ length: 7 }, (_, i): RawObject => ({ kind: 'Node', metadata: { name: `n${i}` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.0.${i + 10}` }] } }));
    const cns = ns.map((n, i): RawObject => ({ kind: 'CiliumNode', metadata: { name: n.metadata!.name }, spec: { ipam: { podCIDRs: [`10.10.${i}.0/24`] } } }));
    const f = ipamPool.evaluate(clusterFacts([cfg, ...ns, ...cns, ...pods('n0', 1)]), {});
    expect(f.status).toBe('warn');
    expect(f.summary).toContain('cluster-pool IPv4: 7 nodes use 88 % of 8 node CIDRs');
  });

  it('fails a node the operator could not give a CIDR, naming the operator error', () => {
    const cfg = ciliumConfig({ ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.10.0.0/24', 'cluster-pool-ipv4-mask-size': '24' });
    const ns: RawObject[] = ['a', 'b'].map((n, i) => ({ kind: 'Node', metadata: { name: n }, status: { addresses: [{ type: 'InternalIP', address: `192.168.0.${i + 1}` }] } }));
    const cns: RawObject[] = [
      { kind: 'CiliumNode', metadata: { name: 'a' }, spec: { ipam: { podCIDRs: ['10.10.0.0/24'] } } },
      { kind: 'CiliumNode', metadata: { name: 'b' }, spec: { ipam: {} }, status: { ipam: { 'operator-status': { error: 'allocator clusterpool-ipv4: unable to allocate: all CIDRs are in use' } } } },
    ];
    const f = ipamPool.evaluate(clusterFacts([cfg, ...ns, ...cns, ...pods('a', 1)]), {});
    expect(f.status).toBe('fail');
    expect(f.details).toContainEqual(expect.objectContaining({ subject: 'b', status: 'fail', summary: expect.stringContaining('all CIDRs are in use') }));
    expect(f.details).toContainEqual(expect.objectContaining({ subject: 'cluster-pool IPv4', status: 'fail' }));
  });

  it('flags allocations whose pod is gone (CiliumNode status.ipam.used owners)', () => {
    const cfg = ciliumConfig({ ipam: 'crd' });
    const ns: RawObject[] = [{ kind: 'Node', metadata: { name: 'k8s1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.60.11' }] } }];
    const cns: RawObject[] = [
      {
        kind: 'CiliumNode',
        metadata: { name: 'k8s1' },
        spec: { ipam: { pool: { '192.168.1.1': {}, '192.168.1.2': {}, '192.168.1.3': {}, '192.168.1.4': {} } } },
        status: { ipam: { used: { '192.168.1.1': { owner: 'router' }, '192.168.1.3': { owner: 'health' }, '192.168.1.2': { owner: 'default/web-k8s1-0', resource: 'k8s1' }, '192.168.1.4': { owner: 'default/deleted-7c9f' } } } },
      },
    ];
    const f = ipamPool.evaluate(clusterFacts([cfg, ...ns, ...cns, ...pods('k8s1', 1)]), {});
    expect(f.status).toBe('fail'); // 4/4 pool addresses used
    expect(f.details).toContainEqual(expect.objectContaining({ subject: 'k8s1', status: 'warn', summary: expect.stringContaining('192.168.1.4 (default/deleted-7c9f)') }));
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Leaked allocations', value: '1 in CiliumNode status.ipam.used with no pod' }));
  });

  it('fails a pod pool that overlaps the service CIDR (kubeadm serviceSubnet)', () => {
    const cfg = ciliumConfig({ ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.96.0.0/12', 'cluster-pool-ipv4-mask-size': '24' });
    const f = ipamPool.evaluate(clusterFacts('kubeadm/kubeadm-iptables.yaml', 'k8s/kind-cilium-nodes.yaml', [cfg, ...pods('cilium-nodes-worker', 1)]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('pod pool 10.96.0.0/12 overlaps the service CIDR 10.96.0.0/16');
  });
});

describe('ipam.pool without Cilium or facts', () => {
  it('is not applicable when Cilium is not installed', () => {
    const f = ipamPool.evaluate(clusterFacts('kubeadm/kubeadm-iptables.yaml', 'k8s/kind-cilium-nodes.yaml'), {});
    expect(f.status).toBe('not-applicable');
  });
  it('is unknown without the node list', () => {
    const f = ipamPool.evaluate({ 'cilium.config': known({ namespace: 'kube-system', data: {} }, 'cm'), 'k8s.nodes': unknown('forbidden', 'cannot list nodes (needs list on nodes)') }, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('k8s.nodes: forbidden: cannot list nodes (needs list on nodes)');
  });
});
