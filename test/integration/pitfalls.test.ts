// The pitfall walkthroughs against the real control plane: on instances of our own (the shared
// clusters serve other test files meanwhile), each walkthrough rules its pitfall out on the
// profile as seeded, finds it once its variant is applied (questions answered here), finds the
// same on a snapshot captured right then through the snapshot feature, and rules it out again
// after the variant is reverted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerValue, PitfallSession } from '../../src/shared/api/pitfalls';
import { WalkthroughOutcomeSchema } from '../../src/shared/api/report';
import { liveClusterGather } from '../../src/main/core/checkrun/live';
import { resolveTarget } from '../../src/main/core/checkrun/resolve';
import { pitfallFactKeys, PitfallResultStore, PitfallService, pitfallResolver } from '../../src/main/core/pitfalls/index';
import { captureSnapshot } from '../../src/main/core/snapshot/capture';
import { SnapshotLibrary } from '../../src/main/core/snapshot/library';
import { writeSnapshot } from '../../src/main/core/snapshot/snapshot';
import { contextTargetId, TargetRegistry } from '../../src/main/core/targets/registry';
import { applyVariant, ensureCluster, releaseCluster, revertVariant, type ClusterHandle } from '../../scripts/testcluster/index';
import { PITFALL_VARIANTS } from '../../scripts/testcluster/profiles/variants';

const ROOT = join(import.meta.dirname, '../..');

/** pitfall → the answers its paths ask for, where it ends with its variant applied, and where on the profile as seeded. */
const CASES: Record<string, { answers: Record<string, AnswerValue>; found: string; healthy: string }> = {
  'mtu-overlay': { answers: { 'underlay-mtu': 1460, path: 'no' }, found: 'this-pinned-too-big', healthy: 'not-this' },
  'policy-overlaps': { answers: {}, found: 'this-dns', healthy: 'not-this-none' },
  'coredns-failures': { answers: { logs: 'loop', resolv: '10.96.0.10' }, found: 'this-loop', healthy: 'not-this' },
  'cni-service-mesh': { answers: {}, found: 'this-double-encryption', healthy: 'not-this-no-mesh' },
  'ipam-churn': { answers: { when: 'old' }, found: 'this-leak', healthy: 'not-this' },
  'ebpf-verifier': { answers: {}, found: 'this-complexity', healthy: 'not-this' },
  'default-cni-scale': { answers: { growth: 'no' }, found: 'this-iptables', healthy: 'not-this-small' },
};

interface Lab {
  handle: ClusterHandle;
  targets: TargetRegistry;
  snapshots: SnapshotLibrary;
  svc: PitfallService;
  targetId: string;
}

function lab(handle: ClusterHandle): Lab {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-pitfalls-it-'));
  const targets = new TargetRegistry({ env: { KUBECONFIG: handle.kubeconfig } });
  const snapshots = new SnapshotLibrary('/nonexistent', join(dir, 'snapshots'));
  const svc = new PitfallService({ dir: join(ROOT, 'resources/pitfalls'), resolve: pitfallResolver({ targets, snapshots }), store: new PitfallResultStore(join(dir, 'results')) });
  return { handle, targets, snapshots, svc, targetId: contextTargetId(handle.context) };
}

/** Starts a run and answers whatever the path asks from the case's answers. */
async function walkThrough(l: Lab, id: string, targetId = l.targetId): Promise<PitfallSession> {
  let s = await l.svc.start({ id, targetId });
  for (let i = 0; s.state === 'question' && i < 5; i++) {
    const q = s.question!.nodeId;
    expect(CASES[id]!.answers, `${id} asks ${q}`).toHaveProperty([q]);
    s = l.svc.answer({ sessionId: s.sessionId, nodeId: q, answer: CASES[id]!.answers[q]! });
  }
  expect(s.state).toBe('done');
  return s;
}

/** What a run decided, without timestamps and session ids: the same facts and answers must give exactly this. */
const decided = (s: PitfallSession) => ({ trail: s.trail, diagnosis: s.diagnosis, answers: s.answers });

/** Captures the target now through the snapshot feature (checks' facts plus the pitfalls'), as the user's snapshot `name`. */
async function capture(l: Lab, name: string): Promise<string> {
  const deps = { targets: l.targets, snapshots: l.snapshots, clusterGather: (t: string, o: { debugPods: boolean }) => liveClusterGather(l.targets, t, o) };
  const resolved = await resolveTarget(deps, l.targetId, { debugPods: false });
  const extra = pitfallFactKeys(join(ROOT, 'resources/pitfalls'));
  const snap = await captureSnapshot({ ...resolved, gather: (keys, o) => resolved.gather([...new Set([...keys, ...extra])], o) }, l.targets.client(l.targetId), { title: name });
  writeSnapshot(l.snapshots.userPath(name), snap);
  return `snapshot:user:${name}`;
}

async function pitfallCase(l: Lab, id: string): Promise<void> {
  const c = CASES[id]!;
  const { variant } = PITFALL_VARIANTS[id]!;
  const before = await walkThrough(l, id);
  expect(before.diagnosis, `${id} as seeded`).toMatchObject({ nodeId: c.healthy, verdict: 'not-this' });

  await applyVariant(l.handle.name, variant);
  try {
    const live = await walkThrough(l, id);
    expect(live.diagnosis, `${id} with ${variant.name}`).toMatchObject({ nodeId: c.found, verdict: 'this' });
    expect(live.diagnosis!.explanation).not.toContain('(unknown)');
    // Deterministic: a second run on the same cluster state decides the same.
    expect(decided(await walkThrough(l, id))).toEqual(decided(live));
    // Offline: a snapshot captured now gives the same path and diagnosis.
    const snapId = await capture(l, `${id}-${variant.name}`);
    const offline = await walkThrough(l, id, snapId);
    expect(offline.trail.map((t) => [t.nodeId, t.outcome])).toEqual(live.trail.map((t) => [t.nodeId, t.outcome]));
    expect(offline.diagnosis?.nodeId).toBe(live.diagnosis!.nodeId);
    // The report outcome of the live run.
    const outcome = l.svc.outcomes(l.targetId).find((o) => o.walkthroughId === `pitfall:${id}`)!;
    expect(WalkthroughOutcomeSchema.parse(outcome).status).toBe('fail');
  } finally {
    await revertVariant(l.handle.name, variant);
  }
  const after = await walkThrough(l, id);
  expect(after.diagnosis, `${id} after reverting ${variant.name}`).toMatchObject({ nodeId: c.healthy, verdict: 'not-this' });
}

describe('pitfall walkthroughs on a kind-cilium instance of our own', () => {
  let l: Lab;
  beforeAll(async () => {
    l = lab(await ensureCluster('kind-cilium', { name: 'pitfalls', hold: true, log: () => {} }));
  }, 600_000);
  afterAll(async () => {
    l?.targets.close();
    if (l) await releaseCluster(l.handle.name, { log: () => {} });
  }, 120_000);

  it('as seeded, every walkthrough rules its pitfall out', async () => {
    for (const [id, c] of Object.entries(CASES)) {
      if (PITFALL_VARIANTS[id]!.profile !== 'kind-cilium') continue;
      const s = await walkThrough(l, id);
      expect(s.diagnosis, id).toMatchObject({ nodeId: c.healthy, verdict: 'not-this' });
    }
    // Live gathering asks for exactly the pitfall's facts; the kind node containers are not reachable here.
    const s = await l.svc.start({ id: 'mtu-overlay', targetId: l.targetId });
    expect(s.gathered.keys).toEqual(['cilium.config', 'k8s.nodes', 'k8s.workloads', 'node.addresses', 'node.interfaces', 'node.route.default']);
    expect(s.trail[1]).toMatchObject({ nodeId: 'mtu-check', outcome: 'unknown' });
  }, 300_000);

  for (const id of Object.keys(CASES).filter((x) => PITFALL_VARIANTS[x]!.profile === 'kind-cilium')) {
    it(`${id}: found with ${PITFALL_VARIANTS[id]!.variant.name}, also offline; gone after the revert`, () => pitfallCase(l, id), 600_000);
  }
});

describe('pitfall walkthroughs on a kind-default instance of our own', () => {
  let l: Lab;
  beforeAll(async () => {
    l = lab(await ensureCluster('kind-default', { name: 'pitfalls-default', hold: true, log: () => {} }));
  }, 600_000);
  afterAll(async () => {
    l?.targets.close();
    if (l) await releaseCluster(l.handle.name, { log: () => {} });
  }, 120_000);

  it(`default-cni-scale: found with ${PITFALL_VARIANTS['default-cni-scale']!.variant.name}, also offline; gone after the revert`, () => pitfallCase(l, 'default-cni-scale'), 600_000);

  it('the other walkthroughs on kindnet: Cilium is not installed, nothing meshed, no policies', async () => {
    const ends: Record<string, string> = {};
    for (const id of ['mtu-overlay', 'cni-service-mesh', 'ipam-churn', 'ebpf-verifier', 'policy-overlaps']) ends[id] = (await walkThrough(l, id)).diagnosis!.nodeId;
    expect(ends).toEqual({ 'mtu-overlay': 'no-cilium', 'cni-service-mesh': 'not-this-no-mesh', 'ipam-churn': 'not-this-no-cilium', 'ebpf-verifier': 'not-this-no-cilium', 'policy-overlaps': 'not-this-none' });
  }, 300_000);
});
