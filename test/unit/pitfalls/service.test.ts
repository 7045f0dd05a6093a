import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { pitfallRequests, PitfallResultSchema } from '../../../src/shared/api/pitfalls';
import { WalkthroughOutcomeSchema } from '../../../src/shared/api/report';
import { pitfallHandlers, PitfallService } from '../../../src/main/core/pitfalls/service';
import { PitfallResultStore } from '../../../src/main/core/pitfalls/store';
import { pitfallOutcome } from '../../../src/main/core/pitfalls/outcome';
import { pitfallResolver } from '../../../src/main/core/pitfalls/wire';
import { buildReportDocument } from '../../../src/main/core/report/model';
import { SnapshotLibrary } from '../../../src/main/core/snapshot/library';
import { TargetRegistry } from '../../../src/main/core/targets/registry';
import { runOnTarget, snapshotGather } from '../../../src/main/core/checkrun/run';

/** The service on the demo snapshots, wired as the lab service would wire it (pitfallResolver over the snapshot library). */
const ROOT = join(import.meta.dirname, '../../..');

function setup() {
  const config = mkdtempSync(join(tmpdir(), 'dlab-pitfall-svc-'));
  const snapshots = new SnapshotLibrary(join(ROOT, 'resources/snapshots'), join(config, 'snapshots'));
  const targets = new TargetRegistry({ env: { KUBECONFIG: join(config, 'none') } });
  const store = new PitfallResultStore(join(config, 'pitfalls', 'results'));
  let t = Date.parse('2026-01-02T03:04:05Z');
  const svc = new PitfallService({ dir: join(ROOT, 'resources/pitfalls'), resolve: pitfallResolver({ targets, snapshots }), store, now: () => new Date((t += 1000)) });
  return { svc, store, config, snapshots, close: () => targets.close() };
}

const MTU = 'snapshot:demo:pitfall-mtu-overlay';

describe('pitfall sessions', () => {
  it('start walks to the first question, answers continue, the result is kept per target', async () => {
    const { svc, store, close } = setup();
    try {
      const s = await svc.start({ id: 'mtu-overlay', targetId: MTU });
      expect(s).toMatchObject({ pitfallId: 'mtu-overlay', targetId: MTU, target: { kind: 'snapshot', name: 'Pitfall: MTU pinned above the underlay' }, state: 'question', question: { nodeId: 'underlay-mtu' }, diagnosis: null });
      // Exactly the pitfall's facts; the node facts are not applicable on this capture.
      expect(s.gathered.keys).toEqual(['cilium.config', 'k8s.nodes', 'k8s.workloads', 'node.addresses', 'node.interfaces', 'node.route.default']);
      expect(s.gathered.unknown.map((u) => [u.key, u.reason])).toEqual([
        ['node.addresses', 'not-applicable'],
        ['node.interfaces', 'not-applicable'],
        ['node.route.default', 'not-applicable'],
      ]);
      expect(s.gathered.policy).toBe('not-needed');
      expect(s.question!.question).toContain('Cilium is pinned to 1500');

      const done = svc.answer({ sessionId: s.sessionId, nodeId: 'underlay-mtu', answer: 1460 });
      expect(done).toMatchObject({ state: 'done', answers: { 'underlay-mtu': 1460 }, diagnosis: { verdict: 'this', nodeId: 'this-pinned-too-big' } });
      expect(PitfallResultSchema.parse(done)).toBeTruthy();
      expect(store.list(MTU)).toEqual([expect.objectContaining({ pitfallId: 'mtu-overlay', state: 'done' })]);

      // Changing the earlier answer takes the path it leads to, and asks the next question there.
      const changed = svc.answer({ sessionId: s.sessionId, nodeId: 'underlay-mtu', answer: 9001 });
      expect(changed).toMatchObject({ state: 'question', question: { nodeId: 'path' }, answers: { 'underlay-mtu': 9001 } });
      const ok = svc.answer({ sessionId: s.sessionId, nodeId: 'path', answer: 'no' });
      expect(ok.diagnosis?.nodeId).toBe('not-this');
      // Back to 1460: the path no longer passes "path", so that answer is dropped.
      const back = svc.answer({ sessionId: s.sessionId, nodeId: 'underlay-mtu', answer: 1460 });
      expect(back.answers).toEqual({ 'underlay-mtu': 1460 });
      expect(back.diagnosis?.nodeId).toBe('this-pinned-too-big');
      expect(svc.sessionView(s.sessionId)).toEqual(back);
    } finally {
      close();
    }
  });

  it('wrong answers, questions off the path and unknown sessions are typed errors', async () => {
    const { svc, close } = setup();
    try {
      const s = await svc.start({ id: 'mtu-overlay', targetId: MTU });
      expect(() => svc.answer({ sessionId: s.sessionId, nodeId: 'underlay-mtu', answer: 'jumbo' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('not a whole number') }));
      expect(() => svc.answer({ sessionId: s.sessionId, nodeId: 'path', answer: 'no' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: "question path is not on this session's path" }));
      expect(() => svc.answer({ sessionId: s.sessionId, nodeId: 'pinned', answer: 'no' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
      svc.close(s.sessionId);
      expect(() => svc.sessionView(s.sessionId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      await expect(svc.start({ id: 'nope', targetId: MTU })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(svc.start({ id: 'mtu-overlay', targetId: 'snapshot:demo:missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      close();
    }
  });

  it('policy pitfalls read raw.policy of the snapshot; a snapshot without it is inconclusive, saying why', async () => {
    const { svc, snapshots, close } = setup();
    try {
      const r = await svc.start({ id: 'policy-overlaps', targetId: 'snapshot:demo:pitfall-policy-overlaps' });
      expect(r).toMatchObject({ state: 'done', gathered: { policy: 'loaded' }, diagnosis: { nodeId: 'this-dns' } });
      // A user snapshot from before policy capture.
      const old = snapshots.get('snapshot:demo:pitfall-policy-overlaps');
      const { policy: _p, ...raw } = old.raw;
      writeFileSync(snapshots.userPath('old'), JSON.stringify({ ...old, raw }));
      const u = await svc.start({ id: 'policy-overlaps', targetId: 'snapshot:user:old' });
      expect(u).toMatchObject({ state: 'done', gathered: { policy: 'unavailable', policyNote: expect.stringContaining('holds no policy objects') }, diagnosis: { verdict: 'inconclusive', nodeId: 'inconclusive-no-policy-objects' } });
    } finally {
      close();
    }
  });

  it('a snapshot made before the diagnostic facts existed: inconclusive, naming the missing facts', async () => {
    const { svc, snapshots, close } = setup();
    try {
      const s = snapshots.get('snapshot:demo:pitfall-ebpf-verifier');
      const facts = { ...s.facts };
      delete facts['k8s.systemPods'];
      delete facts['k8s.systemEvents'];
      writeFileSync(snapshots.userPath('before'), JSON.stringify({ ...s, facts }));
      const r = await svc.start({ id: 'ebpf-verifier', targetId: 'snapshot:user:before' });
      // The facts are missing: the walkthrough asks for the logs instead.
      expect(r).toMatchObject({ state: 'question', question: { nodeId: 'logs' } });
      expect(r.gathered.unknown).toEqual(expect.arrayContaining([{ key: 'k8s.systemPods', reason: 'not-gathered', detail: expect.any(String) }]));
      expect(svc.answer({ sessionId: r.sessionId, nodeId: 'logs', answer: 'too-large' }).diagnosis?.nodeId).toBe('this-complexity');
    } finally {
      close();
    }
  });
});

describe('results for reports', () => {
  it('outcomes have the report\u2019s WalkthroughOutcome shape: found is fail, ruled out is pass, waiting is unknown', async () => {
    const { svc, close } = setup();
    try {
      const a = await svc.start({ id: 'ebpf-verifier', targetId: 'snapshot:demo:pitfall-ebpf-verifier' });
      await svc.start({ id: 'mtu-overlay', targetId: 'snapshot:demo:pitfall-ebpf-verifier' });
      const outs = svc.outcomes('snapshot:demo:pitfall-ebpf-verifier');
      for (const o of outs) WalkthroughOutcomeSchema.parse(o);
      expect(outs.map((o) => [o.walkthroughId, o.status])).toEqual([
        ['pitfall:ebpf-verifier', 'fail'],
        ['pitfall:mtu-overlay', 'unknown'],
      ]);
      const found = pitfallOutcome(svc.results('snapshot:demo:pitfall-ebpf-verifier')[0]!);
      expect(found.diagnosis).toMatch(/^Found: The verifier gave up on a Cilium program\. The kernel/);
      expect(found.diagnosis).toContain('Path: Is Cilium installed? → Cilium is installed; Did the verifier reject a program? →');
      expect(found.fix?.commands?.[0]).toEqual(['cilium', 'sysdump', '--output-filename', 'cilium-sysdump-verifier']);
      expect(outs[1]!.diagnosis).toBe('Not finished: waiting for an answer to “A smaller hop between nodes?”. Path so far: Is Cilium installed? → Cilium is installed; Does the pod MTU fit the underlay on every node? → not-applicable; Is the MTU pinned in cilium-config? → MTU auto-detected by the agents.');
      expect(a.diagnosis?.verdict).toBe('this');

      // The report takes them as they are.
      const s = new SnapshotLibrary(join(ROOT, 'resources/snapshots'), '/nonexistent').get('snapshot:demo:pitfall-ebpf-verifier');
      const run = await runOnTarget({ ...s.target, snapshot: 'x' }, snapshotGather(s.facts, s.raw));
      const doc = buildReportDocument({ run, facts: run.facts, walkthroughs: outs, generatedAt: '2026-01-02T03:04:05Z', labVersion: 'datapath-lab test' });
      expect(doc.walkthroughs.map((w) => w.walkthroughId).sort()).toEqual(['pitfall:ebpf-verifier', 'pitfall:mtu-overlay']);
      expect(doc.summary.walkthroughs).toMatchObject({ fail: 1, unknown: 1 });
    } finally {
      close();
    }
  });

  it('the store survives a restart and keeps a corrupt file aside', async () => {
    const { svc, config, close } = setup();
    try {
      await svc.start({ id: 'cni-service-mesh', targetId: 'snapshot:demo:pitfall-cni-service-mesh' });
      const dir = join(config, 'pitfalls', 'results');
      expect(new PitfallResultStore(dir).list('snapshot:demo:pitfall-cni-service-mesh').map((r) => r.diagnosis?.nodeId)).toEqual(['this-double-encryption']);
      const file = new PitfallResultStore(dir).fileOf('snapshot:demo:pitfall-cni-service-mesh');
      writeFileSync(file, '{ not json');
      const fresh = new PitfallResultStore(dir);
      expect(fresh.list('snapshot:demo:pitfall-cni-service-mesh')).toEqual([]);
      expect(fresh.warnings[0]).toMatch(/could not be read/);
      expect(readdirSync(dir).some((f) => f.includes('.corrupt-'))).toBe(true);
      svc.forget('snapshot:demo:pitfall-cni-service-mesh');
    } finally {
      close();
    }
  });
});

describe('the request contract', () => {
  it('every request has a handler whose results parse with the contract\u2019s schemas', async () => {
    const { svc, close } = setup();
    try {
      const h = pitfallHandlers(svc);
      expect(Object.keys(h).sort()).toEqual(Object.keys(pitfallRequests).sort());
      type Req = typeof pitfallRequests;
      const call = async <M extends keyof Req>(m: M, params: z.input<Req[M]['params']>): Promise<z.output<Req[M]['result']>> =>
        (pitfallRequests[m].result as z.ZodType).parse(await (h[m] as (p: unknown) => unknown)((pitfallRequests[m].params as z.ZodType).parse(params))) as z.output<Req[M]['result']>;
      const list = await call('pitfalls.list', {});
      expect(list.pitfalls).toHaveLength(7);
      expect(list.errors).toEqual([]);
      expect((await call('pitfalls.get', { id: 'coredns-failures' })).start).toBe('dns-check');
      const s = await call('pitfalls.start', { id: 'coredns-failures', targetId: 'snapshot:demo:pitfall-coredns-failures' });
      expect(s.question?.nodeId).toBe('logs');
      const a = await call('pitfalls.answer', { sessionId: s.sessionId, nodeId: 'logs', answer: 'loop' });
      expect(a.diagnosis?.nodeId).toBe('this-loop');
      expect((await call('pitfalls.session', { sessionId: s.sessionId })).state).toBe('done');
      expect(await call('pitfalls.results', { targetId: 'snapshot:demo:pitfall-coredns-failures' })).toHaveLength(1);
      expect(await call('pitfalls.close', { sessionId: s.sessionId })).toEqual({});
      expect(await call('pitfalls.forget', { targetId: 'snapshot:demo:pitfall-coredns-failures' })).toEqual({});
      expect(await call('pitfalls.results', { targetId: 'snapshot:demo:pitfall-coredns-failures' })).toEqual([]);
      // Params the contract refuses.
      expect(pitfallRequests['pitfalls.answer'].params.safeParse({ sessionId: 'x', nodeId: 'logs', answer: { x: 1 } }).success).toBe(false);
      expect(pitfallRequests['pitfalls.start'].params.safeParse({ id: '../etc', targetId: MTU }).success).toBe(false);
    } finally {
      close();
    }
  });
});
