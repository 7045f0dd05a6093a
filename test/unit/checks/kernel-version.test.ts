import { describe, expect, it } from 'vitest';
import { FindingSchema } from '../../../src/shared/api/checks-types';
import { kernelMinimumFor, kernelVersion } from '../../../src/main/core/checks/kernel-version';
import { compareKernel, parseKernelRelease } from '../../../src/main/core/checks/lib/kernel';
import { MAX_DETAILS } from '../../../src/main/core/checks/lib/finding';
import { nodeSummary } from '../../../src/main/core/facts/from-k8s';
import type { FactSet, NodeSummary } from '../../../src/main/core/facts/types';
import { known, unknown } from '../../../src/shared/facts';
import { clusterFacts, kernelConfigFixture, loadJson, mergeFactSets, nodeFacts } from './fixtures';

describe('parseKernelRelease on real `uname -r` strings', () => {
  // Strings from checks-reference.md, the node fixtures (EKS, GKE, kind on Fedora, gLinux) and distro kernels.
  it.each([
    ['5.15.0-1052-azure', 5, 15, null, null],
    ['6.1.0-18-cloud-amd64', 6, 1, null, null],
    ['4.14.171-136.231.amzn2.x86_64', 4, 14, 171, null],
    ['5.15.146+', 5, 15, 146, null],
    ['5.19.3.arch1-1', 5, 19, 3, null],
    ['4.19+105+deb10u4~bpo9+1', 4, 19, null, null],
    ['6.8.0-1008-gke', 6, 8, null, null],
    ['4.19.0-25-amd64', 4, 19, null, null],
    ['5.4.0-26-generic', 5, 4, null, null],
    ['5.10.184-175.731.amzn2.aarch64', 5, 10, 184, null],
    ['4.14.56+', 4, 14, 56, null],
    ['5.19.6-200.fc36.x86_64', 5, 19, 6, null],
    ['6.1.25-1rodete1-amd64', 6, 1, 25, null],
    ['4.18.0-513.el8.x86_64', 4, 18, 0, { major: 8, minor: 9, minorFrom: 'build' }],
    ['4.18.0-348.12.2.el8_5.x86_64', 4, 18, 0, { major: 8, minor: 5, minorFrom: 'suffix' }],
    ['4.18.0-553.5.1.el8_10.x86_64', 4, 18, 0, { major: 8, minor: 10, minorFrom: 'suffix' }],
    ['4.18.0-147.5.1.el8_1.x86_64', 4, 18, 0, { major: 8, minor: 1, minorFrom: 'suffix' }],
    ['5.14.0-362.8.1.el9_3.x86_64', 5, 14, 0, { major: 9, minor: 3, minorFrom: 'suffix' }],
  ])('%s', (raw, major, minor, patch, rhel) => {
    expect(parseKernelRelease(raw)).toEqual({ raw, major, minor, patch, rhel });
  });

  it('rejects strings that are not releases', () => {
    expect(parseKernelRelease('Linux')).toBeNull();
    expect(parseKernelRelease('')).toBeNull();
  });

  it('compares against minimums, refusing to guess a hidden patch level', () => {
    const k = (s: string) => parseKernelRelease(s)!;
    expect(compareKernel(k('5.15.0-1052-azure'), '5.10')).toBe('same-or-newer');
    expect(compareKernel(k('4.19.0-25-amd64'), '4.19.57')).toBe('undecidable');
    expect(compareKernel(k('4.19.249'), '4.19.57')).toBe('same-or-newer');
    expect(compareKernel(k('4.19.50-1'), '4.19.57')).toBe('older');
    expect(compareKernel(k('4.14.171-136.231.amzn2.x86_64'), '4.19.57')).toBe('older');
    expect(compareKernel(k('6.8.0-1008-gke'), '6.8')).toBe('same-or-newer');
  });
});

const node = (name: string, kernelVersion: string, osImage = 'Ubuntu 22.04.4 LTS'): NodeSummary => ({
  name,
  labels: {},
  taints: [],
  addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
  podCIDRs: [],
  ready: 'True',
  networkUnavailable: null,
  unschedulable: false,
  info: { kernelVersion, osImage, containerRuntimeVersion: 'containerd://1.7.18', kubeletVersion: 'v1.30.0', architecture: 'amd64' },
});

const onNodes = (releases: string[], extra: FactSet = {}): FactSet => ({
  'k8s.nodes': known(releases.map((r, i) => node(`node-${i}`, r)), 'Node list'),
  'k8s.workloads': known([], 'list'),
  'cilium.config': unknown('not-found', 'no ConfigMap cilium-config'),
  ...extra,
});

describe('kernel.version verdicts', () => {
  it.each([
    // release, Cilium version, expected status
    ['5.15.0-1052-azure', '1.18', 'pass'],
    ['6.1.0-18-cloud-amd64', '1.18', 'pass'],
    ['5.10.184-175.731.amzn2.aarch64', '1.18', 'pass'],
    ['6.8.0-1008-gke', '1.20', 'pass'],
    ['5.15.146+', '1.20', 'pass'],
    ['5.4.0-26-generic', '1.18', 'fail'],
    ['5.4.0-26-generic', '1.16', 'pass'],
    ['4.14.171-136.231.amzn2.x86_64', '1.13', 'fail'],
    ['4.19.0-25-amd64', '1.15', 'warn'], // Debian ABI name hides the patch level; 1.15 needs 4.19.57
    ['4.19.0-25-amd64', '1.16', 'fail'],
    ['4.19.249', '1.15', 'pass'],
    ['4.19.50', '1.15', 'fail'],
    ['4.19+105+deb10u4~bpo9+1', '1.14', 'warn'],
    ['4.18.0-513.el8.x86_64', '1.15', 'pass'], // RHEL 8: the 4.18 exception
    ['4.18.0-513.el8.x86_64', '1.18', 'warn'], // RHEL 8.9: docs now say 8.10
    ['4.18.0-553.5.1.el8_10.x86_64', '1.18', 'pass'],
    ['4.18.0-348.12.2.el8_5.x86_64', '1.16', 'fail'], // RHEL 8.5 < 8.6
    ['4.18.0-348.12.2.el8_5.x86_64', '1.14', 'pass'],
    ['4.18.0-25-generic', '1.15', 'fail'], // a 4.18 that is not RHEL
  ])('%s with Cilium %s: %s', (release, cilium, status) => {
    const f = kernelVersion.evaluate(onNodes([release]), { ciliumVersion: cilium });
    expect(f.status, f.summary).toBe(status);
    expect(() => FindingSchema.parse(f)).not.toThrow();
  });

  it('uses the installed Cilium version from the agent image, unless a target is given', () => {
    const facts = mergeFactSets(clusterFacts('cilium/cilium-1.14-strict.yaml'), onNodes(['4.19.0-25-amd64']), { 'k8s.workloads': clusterFacts('cilium/cilium-1.14-strict.yaml')['k8s.workloads']! });
    const installed = kernelVersion.evaluate(facts, {});
    expect(installed.evidence[0]).toMatchObject({ label: 'Cilium version (installed)', value: '1.14.19', source: 'cilium DaemonSet image quay.io/cilium/cilium:v1.14.19' });
    expect(installed.status).toBe('warn');
    const targeted = kernelVersion.evaluate(facts, { ciliumVersion: '1.18' });
    expect(targeted.evidence[0]).toMatchObject({ label: 'Cilium version (targeted)', value: '1.18.0' });
    expect(targeted.status).toBe('fail');
    expect(targeted.summary).toContain('5.10');
  });

  it('defaults to the newest Cilium it knows', () => {
    const f = kernelVersion.evaluate(onNodes(['5.4.0-26-generic']), {});
    expect(f.evidence[0]).toMatchObject({ label: 'Cilium version (default)', value: '1.20.0' });
    expect(f.status).toBe('fail');
    expect(kernelMinimumFor('1.20.0').min).toBe('5.10');
    expect(kernelMinimumFor('1.17.3').min).toBe('5.4');
    expect(kernelMinimumFor('1.13.0').min).toBe('4.19.57');
  });

  it('reads real Node objects (EKS AL2 passes 1.18, GKE COS 4.14 fails)', () => {
    // The GKE node is an item of a NodeList (`kubectl get --raw /api/v1/nodes`): items carry no kind.
    const facts = clusterFacts('k8s/eks-node-al2-arm64.json', [{ ...loadJson('k8s/gke-cos-node-4.14.json'), kind: 'Node' }]);
    const f = kernelVersion.evaluate(facts, { ciliumVersion: '1.18' });
    expect(f.status).toBe('fail');
    expect(f.details).toHaveLength(1);
    expect(f.details![0]).toMatchObject({ subject: 'gke-gar-1-pool-1-dce25db1-2mm5', status: 'fail' });
    expect(f.details![0]!.summary).toContain('4.14.56+');
    expect(f.evidence.some((e) => e.value.startsWith('5.10.184-175.731.amzn2.aarch64'))).toBe(true);
  });

  it('prefers the release read on the node over the Node object', () => {
    const facts = mergeFactSets(clusterFacts('k8s/kind-cilium-nodes.yaml'), nodeFacts({ 'cilium-nodes-worker': { release: '5.4.0-26-generic' } }));
    const f = kernelVersion.evaluate(facts, { ciliumVersion: '1.18' });
    expect(f.status).toBe('fail');
    expect(f.details?.map((d) => d.subject)).toEqual(['cilium-nodes-worker']);
  });

  describe('features the configuration enables', () => {
    const netkit = () => clusterFacts('cilium/cilium-1.20-netkit.yaml');
    it('netkit needs 6.8 and IPv4 BIG TCP 6.3 (Cilium 1.20 netkit values on Debian 12 6.1)', () => {
      const f = kernelVersion.evaluate(mergeFactSets(netkit(), onNodes(['6.1.0-18-cloud-amd64'], { 'cilium.config': netkit()['cilium.config']! })), {});
      expect(f.status).toBe('fail');
      expect(f.details![0]!.summary).toMatch(/netkit datapath \(netkit\) \(datapath-mode: netkit\) needs kernel 6\.8/);
      expect(f.details![0]!.summary).toMatch(/IPv4 BIG TCP .* needs kernel 6\.3/);
      expect(f.evidence.map((e) => e.label)).toEqual(expect.arrayContaining(['Enabled: netkit datapath (netkit)', 'Enabled: IPv4 BIG TCP', 'Enabled: bandwidth manager']));
    });
    it('passes netkit on 6.8.0-1008-gke and on Debian 13 6.12', () => {
      for (const r of ['6.8.0-1008-gke', '6.12.43+deb13-amd64']) {
        const f = kernelVersion.evaluate(mergeFactSets(netkit(), onNodes([r], { 'cilium.config': netkit()['cilium.config']! })), {});
        expect(f.status, `${r}: ${f.summary}`).toBe('pass');
      }
    });
    it('WireGuard on Ubuntu 20.04 GA (5.4.0-26, no CONFIG_WIREGUARD) fails', () => {
      const wg = clusterFacts('cilium/cilium-1.16-native-wireguard.yaml');
      const facts = mergeFactSets(onNodes(['5.4.0-26-generic'], { 'cilium.config': wg['cilium.config']!, 'k8s.workloads': wg['k8s.workloads']! }), nodeFacts({ 'node-0': { config: kernelConfigFixture('ubuntu-20.04_5.4.0-26-generic.config.gz') } }));
      const f = kernelVersion.evaluate(facts, {});
      expect(f.status).toBe('fail');
      expect(f.details![0]!.summary).toContain('WireGuard encryption (enable-wireguard: "true") needs kernel 5.6');
    });
    it('a WireGuard backport (CONFIG_WIREGUARD=m on an older kernel) is a warning, not a failure', () => {
      const wg = clusterFacts('cilium/cilium-1.16-native-wireguard.yaml');
      const cfg = kernelConfigFixture('ubuntu-20.04_5.4.0-26-generic.config.gz');
      const facts = mergeFactSets(onNodes(['5.4.0-174-generic'], { 'cilium.config': wg['cilium.config']!, 'k8s.workloads': wg['k8s.workloads']! }), nodeFacts({ 'node-0': { config: { ...cfg, options: { ...cfg.options, WIREGUARD: 'm' } } } }));
      const f = kernelVersion.evaluate(facts, {});
      expect(f.status).toBe('warn');
      expect(f.details![0]!.summary).toContain('CONFIG_WIREGUARD=m (a backport)');
    });
    it('kube-proxy in nftables mode (kubeadm-rendered ConfigMap) needs 5.13', () => {
      const facts = mergeFactSets(clusterFacts('kubeadm/kubeadm-nftables.yaml'), onNodes(['5.10.184-175.731.amzn2.aarch64'], { 'kubeproxy.config': clusterFacts('kubeadm/kubeadm-nftables.yaml')['kubeproxy.config']! }));
      const f = kernelVersion.evaluate(facts, { ciliumVersion: '1.18' });
      expect(f.status).toBe('fail');
      expect(f.details![0]!.summary).toContain('kube-proxy nftables mode');
    });
  });

  describe('unknown facts give unknown findings that say why', () => {
    it('nothing gathered', () => {
      const f = kernelVersion.evaluate({}, {});
      expect(f.status).toBe('unknown');
      expect(f.summary).toContain('k8s.nodes: not gathered');
      expect(f.summary).toContain('node.kernel.release: not gathered');
    });
    it('forbidden to list nodes', () => {
      const f = kernelVersion.evaluate({ 'k8s.nodes': unknown('forbidden', 'cannot list nodes (needs list on nodes)', 'GET /api/v1/nodes') }, {});
      expect(f.status).toBe('unknown');
      expect(f.summary).toContain('k8s.nodes: forbidden: cannot list nodes (needs list on nodes)');
      expect(f.evidence[0]).toMatchObject({ label: 'k8s.nodes', source: 'GET /api/v1/nodes' });
    });
    it('one node without a kernel version is unknown, the others still judged', () => {
      const f = kernelVersion.evaluate(onNodes(['5.15.0-1052-azure', '']), { ciliumVersion: '1.18' });
      expect(f.status).toBe('unknown');
      expect(f.details).toEqual([expect.objectContaining({ subject: 'node-1', status: 'unknown' })]);
    });
    it('an unparsable release is unknown, never a wrong verdict', () => {
      const f = kernelVersion.evaluate(onNodes(['Linux']), {});
      expect(f.status).toBe('unknown');
      expect(f.details![0]!.summary).toContain('cannot parse kernel release "Linux"');
    });
  });

  it('summarises 5,000 nodes with a bounded detail list', () => {
    const releases = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? '5.4.0-26-generic' : i % 7 === 0 ? '6.1.0-18-cloud-amd64' : '5.15.0-1052-azure'));
    const f = kernelVersion.evaluate(onNodes(releases), { ciliumVersion: '1.18' });
    expect(f.status).toBe('fail');
    expect(f.summary).toMatch(/^5000 nodes .*: 100 fail/);
    expect(f.details).toHaveLength(MAX_DETAILS);
    expect(f.details![MAX_DETAILS - 1]).toMatchObject({ subject: '51 more', status: 'fail' });
    expect(f.evidence.filter((e) => e.label === 'Kernel release').map((e) => e.value)).toEqual(['5.15.0-1052-azure (4200 nodes)', '6.1.0-18-cloud-amd64 (700 nodes)', '5.4.0-26-generic (100 nodes)']);
  });

  it('parses the GKE node through the converter (nodeInfo.kernelVersion)', () => {
    const n = nodeSummary(loadJson('k8s/gke-cos-node-4.14.json') as never);
    expect(n.info.kernelVersion).toBe('4.14.56+');
  });
});
