import { describe, expect, it } from 'vitest';
import { CHECKS, factsNeeded, getCheck, runChecks, selectChecks, type Check } from '../../../src/main/core/checks';
import { MAX_DETAILS } from '../../../src/main/core/checks/lib/finding';
import { FACT_KEYS, parseFactSet, type FactSet, type NodeSummary, type PodRow } from '../../../src/main/core/facts';
import { CHECK_CATEGORIES, FindingSchema } from '../../../src/shared/api/checks-types';
import { known, unknown } from '../../../src/shared/facts';
import { clusterFacts, eth, loadYaml, mergeFactSets, nodeFacts, withStatus } from './fixtures';

describe('check registry', () => {
  it('has unique ids, valid categories and needs that are fact keys', () => {
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    for (const c of CHECKS) {
      expect(CHECK_CATEGORIES).toContain(c.category);
      for (const k of c.needs) expect(FACT_KEYS, `${c.id} needs ${k}`).toContain(k);
      expect(c.reference.length).toBeGreaterThan(10);
    }
    expect(CHECKS.map((c) => c.id)).toEqual(['kernel.version', 'kernel.btf', 'kernel.config', 'net.mtu', 'ipam.pool', 'kubeproxy.status', 'dns.coredns', 'cni.detect']);
  });

  it('selects checks by id and lists the facts they need', () => {
    expect(selectChecks(['net.mtu']).map((c) => c.id)).toEqual(['net.mtu']);
    expect(() => selectChecks(['nope'])).toThrow(/unknown check nope/);
    expect(factsNeeded(selectChecks(['dns.coredns', 'cni.detect'])).sort()).toEqual(['cilium.config', 'dns.endpoints', 'dns.service', 'k8s.nodes', 'k8s.service.kubernetes', 'k8s.workloads', 'kubeadm.networking']);
    expect(getCheck('kernel.btf')?.title).toBe('Kernel BTF is available');
  });

  it('never throws on no facts: every finding is unknown or not applicable, and valid', () => {
    for (const f of runChecks({})) {
      expect(() => FindingSchema.parse(f)).not.toThrow();
      expect(['unknown', 'not-applicable'], `${f.checkId}: ${f.status} ${f.summary}`).toContain(f.status);
    }
  });

  it('never throws when every fact is unknown, and names the reason', () => {
    const facts: FactSet = {};
    for (const k of FACT_KEYS) (facts as Record<string, unknown>)[k] = unknown('forbidden', `cannot read ${k}`, 'probe');
    for (const f of runChecks(facts)) {
      expect(f.status, f.checkId).toBe('unknown');
      expect(f.summary).toMatch(/forbidden: cannot read/);
    }
  });

  it('turns a throwing check into an unknown finding', () => {
    const bad: Check = { id: 'x.bad', title: 'Bad', category: 'cni', needs: [], reference: 'here', evaluate: () => { throw new Error('boom'); } };
    expect(runChecks({}, {}, [bad])[0]).toMatchObject({ checkId: 'x.bad', status: 'unknown', summary: 'internal error in check x.bad: boom' });
  });

  it('fact sets survive JSON (snapshots) and are validated on the way back', () => {
    const facts = mergeFactSets(clusterFacts('cilium/cilium-1.18-kind-kpr.yaml', 'k8s/kind-cilium-nodes.yaml'), nodeFacts({ 'cilium-nodes-worker': { release: '6.1.0-18-cloud-amd64', interfaces: [eth('eth0', 1500)], route: 'eth0', cgroup: 'v2', btf: true } }));
    const back = parseFactSet(JSON.parse(JSON.stringify(facts)));
    expect(back).toEqual(facts);
    expect(runChecks(back)).toEqual(runChecks(facts));
    expect(() => parseFactSet({ 'k8s.nodes': { state: 'known', value: 'nope', source: 'x' } })).toThrow();
    expect(() => parseFactSet({ 'k8s.bogus': unknown('error', 'x') })).toThrow();
  });
});

describe('5,000 nodes and 100,000 pods', () => {
  it('summarises every check with bounded details', () => {
    const N = 5000;
    const nodes: NodeSummary[] = Array.from({ length: N }, (_, i) => ({
      name: `ip-10-${(i >> 8) & 255}-${i & 255}-7.ec2.internal`,
      labels: { 'node.kubernetes.io/instance-type': 'm6i.large' },
      taints: [],
      addresses: [{ type: 'InternalIP', address: `192.168.${(i >> 8) & 255}.${i & 255}` }],
      podCIDRs: [`10.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`],
      ready: i % 997 === 0 ? 'False' : 'True',
      networkUnavailable: 'False',
      unschedulable: false,
      info: { kernelVersion: i % 101 === 0 ? '5.4.0-1103-aws' : '6.1.0-18-cloud-amd64', osImage: 'Ubuntu', containerRuntimeVersion: 'containerd://1.7.18', kubeletVersion: 'v1.30.0', architecture: 'amd64' },
    }));
    const pods: PodRow[] = Array.from({ length: 100_000 }, (_, i) => [`ns-${i % 300}`, `pod-${i}`, nodes[i % N]!.name, `10.64.0.${i % 250}`, i % 10 === 0, 'Running'] as const);
    const cilium = withStatus(loadYaml('cilium/cilium-1.18-kind-kpr.yaml'), { 'DaemonSet/cilium': { desired: N, ready: N - 3 } });
    const base = clusterFacts(cilium);
    const facts: FactSet = {
      ...base,
      'k8s.nodes': known(nodes, 'Node list'),
      'k8s.pods': known(pods, 'Pod list'),
      'k8s.serviceCount': known(12000, 'Service count'),
      'cilium.nodes': known([], 'CiliumNode list'),
    };
    const start = performance.now();
    const findings = runChecks(facts);
    const ms = performance.now() - start;
    for (const f of findings) {
      expect(() => FindingSchema.parse(f)).not.toThrow();
      expect(f.details?.length ?? 0, f.checkId).toBeLessThanOrEqual(MAX_DETAILS);
      expect(f.summary.length, f.checkId).toBeLessThan(600);
    }
    const kv = findings.find((f) => f.checkId === 'kernel.version')!;
    expect(kv.status).toBe('fail');
    expect(kv.summary).toMatch(/^5000 nodes .*: 50 fail/);
    // Linear work; the real timing lives in benchmarks. Generous bound against accidental O(n^2).
    expect(ms).toBeLessThan(5000);
  });
});
