import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnswerValue } from '../../../src/shared/api/pitfalls';
import { runChecks } from '../../../src/main/core/checks/index';
import { newContext, walk, type PathOutcome } from '../../../src/main/core/pitfalls/engine';
import { loadPitfalls } from '../../../src/main/core/pitfalls/load';
import { pitfallFactKeys } from '../../../src/main/core/pitfalls/index';
import { policyObjectsFromSnapshot } from '../../../src/main/core/policy-live/fetch';
import { SnapshotLibrary } from '../../../src/main/core/snapshot/library';
import { readSnapshot, type Snapshot } from '../../../src/main/core/snapshot/snapshot';
import { clusterFacts, eth, mergeFactSets, nodeFacts } from '../checks/fixtures';

/**
 * The pitfall walkthroughs on the committed demo snapshots (resources/snapshots, captured from
 * the test control plane by scripts/demo-snapshots.ts): each finds its pitfall on its own
 * snapshot and rules it out on the healthy one, with the questions answered here.
 */

const ROOT = join(import.meta.dirname, '../../..');
const SNAPSHOTS = join(ROOT, 'resources/snapshots');
const PITFALLS = Object.fromEntries(loadPitfalls(join(ROOT, 'resources/pitfalls')).pitfalls.map((p) => [p.pitfall.id, p]));
const snap = (name: string): Snapshot => readSnapshot(join(SNAPSHOTS, `${name}.json.gz`));

function run(id: string, s: Snapshot, answers: Record<string, AnswerValue>): PathOutcome {
  const lp = PITFALLS[id]!;
  // As a run on a snapshot target gathers: exactly the pitfall's keys, and raw.policy for the analyzer.
  const facts = Object.fromEntries(lp.needs.facts.filter((k) => s.facts[k]).map((k) => [k, s.facts[k]]));
  const policy = lp.needs.policy ? policyObjectsFromSnapshot(s.raw, 'snapshot') : null;
  return walk(lp, newContext(facts, policy, null), answers);
}

const path = (o: PathOutcome) => o.trail.map((t) => t.nodeId);

/** pitfall → its snapshot, the answers its path asks for, and the diagnosis it must reach. */
const FOUND: Record<string, { snapshot: string; answers: Record<string, AnswerValue>; diagnosis: string; path: string[] }> = {
  'mtu-overlay': { snapshot: 'pitfall-mtu-overlay', answers: { 'underlay-mtu': 1460 }, diagnosis: 'this-pinned-too-big', path: ['cilium-installed', 'mtu-check', 'pinned', 'underlay-mtu', 'this-pinned-too-big'] },
  'default-cni-scale': { snapshot: 'pitfall-default-cni-scale', answers: {}, diagnosis: 'this-iptables', path: ['dataplane', 'services-check', 'mode', 'scale', 'this-iptables'] },
  'policy-overlaps': { snapshot: 'pitfall-policy-overlaps', answers: {}, diagnosis: 'this-dns', path: ['any-policies', 'dns', 'this-dns'] },
  'coredns-failures': { snapshot: 'pitfall-coredns-failures', answers: { logs: 'loop' }, diagnosis: 'this-loop', path: ['dns-check', 'in-cidr', 'scaled', 'endpoints', 'pods', 'logs', 'this-loop'] },
  'cni-service-mesh': { snapshot: 'pitfall-cni-service-mesh', answers: {}, diagnosis: 'this-double-encryption', path: ['mesh', 'cilium', 'collisions', 'this-double-encryption'] },
  'ipam-churn': { snapshot: 'pitfall-ipam-churn', answers: { when: 'old' }, diagnosis: 'this-leak', path: ['cilium-installed', 'pool', 'exhausted', 'when', 'this-leak'] },
  'ebpf-verifier': { snapshot: 'pitfall-ebpf-verifier', answers: {}, diagnosis: 'this-complexity', path: ['cilium-installed', 'rejections', 'kind', 'kernel', 'this-complexity'] },
};

/** On the healthy cluster: the answers a healthy cluster gives, and where each path ends. */
const RULED_OUT: Record<string, { answers: Record<string, AnswerValue>; diagnosis: string }> = {
  'mtu-overlay': { answers: { path: 'no' }, diagnosis: 'not-this' },
  'default-cni-scale': { answers: {}, diagnosis: 'not-this-ebpf' },
  'policy-overlaps': { answers: {}, diagnosis: 'not-this-none' },
  'coredns-failures': { answers: { resolv: '10.96.0.10' }, diagnosis: 'not-this' },
  'cni-service-mesh': { answers: {}, diagnosis: 'not-this-no-mesh' },
  'ipam-churn': { answers: {}, diagnosis: 'not-this' },
  'ebpf-verifier': { answers: {}, diagnosis: 'not-this' },
};

describe('each pitfall on its demo snapshot', () => {
  it.each(Object.entries(FOUND))('%s: finds it', (id, f) => {
    const s = snap(f.snapshot);
    // Without the answers the path stops at its first question.
    const firstStop = run(id, s, {});
    if (Object.keys(f.answers).length) expect(firstStop).toMatchObject({ state: 'question', question: { nodeId: Object.keys(f.answers)[0] } });
    const r = run(id, s, f.answers);
    expect(r.state).toBe('done');
    expect(path(r)).toEqual(f.path);
    expect(r.diagnosis).toMatchObject({ nodeId: f.diagnosis, verdict: 'this' });
    expect(r.diagnosis!.evidence.length).toBeGreaterThan(0);
    expect(r.diagnosis!.explanation).not.toContain('(unknown)');
  });

  it('what the diagnoses say, from the facts of the captures', () => {
    const mtu = run('mtu-overlay', snap('pitfall-mtu-overlay'), { 'underlay-mtu': 1460 }).diagnosis!;
    expect(mtu.title).toBe('The pinned MTU 1500 is larger than the underlay 1460');
    expect(mtu.explanation).toContain('Cilium gives pods routes of\n1450 bytes');
    expect(mtu.fix).toMatchObject({ yaml: '# Helm values for cilium (or MTU: 0 to auto-detect)\nMTU: 1460\n' });
    expect(mtu.fix!.commands![0]).toEqual(['helm', 'upgrade', 'cilium', 'cilium/cilium', '-n', 'kube-system', '--reuse-values', '--set', 'MTU=1460']);

    const scale = run('default-cni-scale', snap('pitfall-default-cni-scale'), {}).diagnosis!;
    expect(scale.title).toBe("1052 Services through kube-proxy's iptables rules");
    expect(scale.evidence).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'kube-proxy mode', value: expect.stringMatching(/^iptables/) })]));

    const dns = run('policy-overlaps', snap('pitfall-policy-overlaps'), {}).diagnosis!;
    expect(dns.title).toBe('An egress default-deny blocks DNS in shop');
    // Its evidence says what each policy takes away and which rules repeat each other.
    expect(dns.evidence.some((e) => e.label === 'What each policy denies implicitly' && /^NetworkPolicy shop\/default-deny denies \d+ connection/.test(e.value))).toBe(true);
    expect(dns.evidence.some((e) => e.label === 'Overlapping and redundant policy rules' && /redundant-rule: .*cart/.test(e.value))).toBe(true);

    const mesh = run('cni-service-mesh', snap('pitfall-cni-service-mesh'), {}).diagnosis!;
    expect(mesh.explanation).toContain('STRICT: PeerAuthentication istio-system/default');
    for (const c of ['encrypted twice', 'bpf-lb-sock-hostns-only is not true', 'cni-exclusive is "true"']) expect(mesh.explanation).toContain(c);

    const ipam = run('ipam-churn', snap('pitfall-ipam-churn'), { when: 'old' }).diagnosis!;
    expect(ipam.explanation).toMatch(/^245 addresses are still allocated/);
    expect(ipam.evidence).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Pod sandboxes without an address', value: expect.stringContaining('range is full') })]));

    const bpf = run('ebpf-verifier', snap('pitfall-ebpf-verifier'), {}).diagnosis!;
    expect(bpf.explanation).toMatch(/program tail_nodeport_nat_ingress_ipv4 rejected: BPF program is too large for the verifier \(processed 1000001 instructions, limit 1000000\)/);
    expect(bpf.fix!.commands).toContainEqual(['cilium', 'sysdump', '--output-filename', 'cilium-sysdump-verifier']);
  });

  it('the other answers lead elsewhere on the same facts', () => {
    expect(run('mtu-overlay', snap('pitfall-mtu-overlay'), { 'underlay-mtu': 9001, path: 'no' }).diagnosis?.nodeId).toBe('not-this');
    expect(run('mtu-overlay', snap('pitfall-mtu-overlay'), { 'underlay-mtu': null }).diagnosis?.nodeId).toBe('inconclusive-underlay');
    expect(run('coredns-failures', snap('pitfall-coredns-failures'), { logs: 'api' }).diagnosis?.nodeId).toBe('this-api');
    expect(run('ipam-churn', snap('pitfall-ipam-churn'), { when: 'recent' }).diagnosis?.nodeId).toBe('this-burst');
    expect(run('ipam-churn', snap('pitfall-ipam-churn'), { when: 'unknown' }).diagnosis).toMatchObject({ nodeId: 'inconclusive-age', verdict: 'inconclusive' });
  });
});

describe('the healthy snapshot', () => {
  it.each(Object.entries(RULED_OUT))('%s: not this', (id, r) => {
    const out = run(id, snap('kind-cilium-healthy'), r.answers);
    expect(out.state).toBe('done');
    expect(out.diagnosis).toMatchObject({ nodeId: r.diagnosis, verdict: 'not-this' });
  });

  it('every check passes or does not apply (node facts were not read)', () => {
    const s = snap('kind-cilium-healthy');
    const byStatus = Object.fromEntries(runChecks(s.facts).map((f) => [f.checkId, f.status]));
    expect(byStatus).toEqual({ 'kernel.version': 'pass', 'kernel.btf': 'unknown', 'kernel.config': 'unknown', 'net.mtu': 'unknown', 'ipam.pool': 'pass', 'kubeproxy.status': 'pass', 'dns.coredns': 'pass', 'cni.detect': 'pass' });
  });
});

describe('determinism', () => {
  it('the same snapshot and answers give the same path, diagnosis and evidence, run after run', () => {
    for (const [id, f] of Object.entries(FOUND)) {
      const a = run(id, snap(f.snapshot), f.answers);
      const b = run(id, snap(f.snapshot), f.answers);
      expect(b).toEqual(a);
    }
  });

  it('every pitfall on every demo snapshot ends in a diagnosis or a question, never an internal error', () => {
    const names = ['kind-cilium-healthy', ...Object.values(FOUND).map((f) => f.snapshot)];
    const table: Record<string, string> = {};
    for (const name of names) {
      const s = snap(name);
      for (const id of Object.keys(PITFALLS)) {
        const all = { ...FOUND[id]!.answers, ...RULED_OUT[id]!.answers };
        const r = run(id, s, all);
        const text = JSON.stringify(r);
        expect(text, `${id} on ${name}`).not.toContain('internal error');
        table[`${id} on ${name}`] = r.state === 'done' ? r.diagnosis!.verdict : `asks ${r.question!.nodeId}`;
      }
    }
    // Pitfalls whose snapshot is not theirs: ruled out, except where the same cluster really has
    // the problem too (the shop's default-deny blocks DNS, which the CoreDNS walkthrough finds).
    expect(Object.entries(table).filter(([, v]) => v === 'this').map(([k]) => k).sort()).toEqual(
      [...Object.entries(FOUND).map(([id, f]) => `${id} on ${f.snapshot}`), 'coredns-failures on pitfall-policy-overlaps'].sort(),
    );
  });
});

describe('the demo snapshots as files', () => {
  it('are small, titled and described, hold the pitfalls\u2019 facts, and appear as demo targets', () => {
    const lib = new SnapshotLibrary(SNAPSHOTS, '/nonexistent');
    const entries = lib.entries();
    expect(entries.map((e) => e.id).sort()).toEqual(['kind-cilium-healthy', ...Object.values(FOUND).map((f) => f.snapshot)].map((n) => `snapshot:demo:${n}`).sort());
    for (const e of entries) {
      expect(e.error, e.file).toBeNull();
      expect(e.snapshot!.title).toBeTruthy();
      expect(e.snapshot!.description!.length).toBeGreaterThan(80);
      expect(statSync(e.file).size, e.file).toBeLessThan(e.id.endsWith('kind-cilium-healthy') ? 200_000 : 120_000);
      for (const k of pitfallFactKeys()) expect(e.snapshot!.facts[k], `${e.id} ${k}`).toBeDefined();
      expect(e.snapshot!.raw.policy?.length).toBeGreaterThan(0);
      expect(e.snapshot!.target).toMatchObject({ kind: 'kind', server: null, serverVersion: 'v1.34.4' });
    }
    expect(lib.targets().find((t) => t.id === 'snapshot:demo:kind-cilium-healthy')).toMatchObject({ kind: 'snapshot', name: 'Healthy kind cluster with Cilium 1.18', file: 'demo: kind-cilium-healthy.json.gz' });
  });
});

describe('the MTU walkthrough with node facts (a kind target with docker, the host, or node debug pods)', () => {
  // The demo captures hold no node facts; here the real rendered Helm values of the checks' fixtures meet nodes as a node probe reports them.
  const mtu = (facts: Parameters<typeof newContext>[0], answers: Record<string, AnswerValue> = {}) => walk(PITFALLS['mtu-overlay']!, newContext(facts, null, null), answers);

  it('Helm MTU=9000 on 1500-byte links: the net.mtu check decides, no question asked', () => {
    const r = mtu(mergeFactSets(clusterFacts('cilium/cilium-1.18-mtu-9000.yaml'), nodeFacts({ n1: { interfaces: [eth('lo', 65536, 'loopback'), eth('eth0', 1500)], route: 'eth0' } })));
    expect(r.trail.map((t) => [t.nodeId, t.outcome])).toEqual([
      ['cilium-installed', 'Cilium is installed'],
      ['mtu-check', 'fail'],
      ['this-node-facts', 'this'],
    ]);
    expect(r.diagnosis!.evidence[0]).toMatchObject({ label: 'Cilium installed' });
    expect(r.diagnosis!.evidence.some((e) => e.source === 'check net.mtu' && e.value.startsWith('fail: '))).toBe(true);
  });

  it('jumbo frames on one node, 1500 on the other: nodes disagree', () => {
    const nodes = nodeFacts({ n1: { interfaces: [eth('eth0', 9001)], route: 'eth0' }, n2: { interfaces: [eth('eth0', 1500)], route: 'eth0' } });
    expect(mtu(mergeFactSets(clusterFacts('cilium/cilium-1.18-default.yaml'), nodes)).diagnosis?.nodeId).toBe('this-mixed-underlay');
  });

  it('a pod MTU that fits the links: only the path between nodes is left to ask', () => {
    const facts = mergeFactSets(clusterFacts('cilium/cilium-1.18-default.yaml'), nodeFacts({ n1: { interfaces: [eth('eth0', 1500)], route: 'eth0' } }));
    expect(mtu(facts).question?.nodeId).toBe('path');
    expect(mtu(facts, { path: 'yes' }).diagnosis?.nodeId).toBe('this-path-mtu');
    expect(mtu(facts, { path: 'unknown' }).diagnosis).toMatchObject({ nodeId: 'inconclusive-path', verdict: 'inconclusive' });
  });
});
