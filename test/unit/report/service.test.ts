import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotGather } from '../../../src/main/core/checkrun/run';
import { createReportService, walkthroughOutcome } from '../../../src/main/core/report';
import type { Finding } from '../../../src/shared/api/checks-types';
import { createRecommendService } from '../../../src/main/core/recommend/service';
import { ReportDocumentSchema, reportRequests, WalkthroughOutcomeSchema } from '../../../src/shared/api/report';
import { LabError } from '../../../src/shared/errors';
import { fixedInput } from './fixture';

const target = { kind: 'kind', name: 'kind-cilium-nodes', context: 'kind-cilium-nodes', server: 'https://127.0.0.1:39847', serverVersion: 'v1.34.4' };

function service(opts: { keep?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-reports-'));
  let t = Date.parse('2025-06-02T09:31:12.000Z');
  const resolved: string[] = [];
  const svc = createReportService({
    dir,
    resolve: async (targetId) => {
      resolved.push(targetId);
      if (targetId === 'context:gone') throw new LabError('UNREACHABLE', 'cannot reach https://10.0.0.1:6443');
      return { target, gather: snapshotGather(fixedInput().facts!, {}) };
    },
    walkthroughs: () => fixedInput().walkthroughs ?? [],
    snapshotInfo: (id) => (id.startsWith('snapshot:') ? { title: 'Demo', file: '/opt/lab/resources/snapshots/demo.json.gz' } : null),
    now: () => new Date((t += 1000)),
    keep: opts.keep,
  });
  return { svc, dir, resolved };
}

describe('report service (reports.* handlers)', () => {
  it('preview returns the document, valid against the contract', async () => {
    const { svc } = service();
    const doc = await svc.preview({ targetId: 'snapshot:demo:x', only: ['kernel.version'] });
    expect(ReportDocumentSchema.parse(doc)).toEqual(doc);
    expect(doc.findings.map((f) => f.checkId)).toEqual(['kernel.version']);
    expect(doc.snapshot).toEqual({ title: 'Demo', file: 'demo.json.gz' });
    expect(doc.walkthroughs).toHaveLength(2);
  });

  it('create renders, keeps the report, and list/get/delete find it', async () => {
    const { svc, dir } = service();
    const r = await svc.create({ targetId: 'context:kind-lab', format: 'html' });
    expect(reportRequests['reports.create'].result.parse(r)).toEqual(r);
    expect(r.mime).toBe('text/html; charset=utf-8');
    expect(r.name).toBe('datapath-lab-report-kind-cilium-nodes-20250602-093113.html');
    expect(r.entry).toMatchObject({ id: r.id, format: 'html', targetId: 'context:kind-lab', targetName: 'kind-cilium-nodes', status: 'fail', bytes: Buffer.byteLength(r.content) });
    const md = await svc.create({ targetId: 'context:kind-lab', format: 'md' });
    expect(svc.list().map((e) => e.id)).toEqual([md.id, r.id]);
    expect(svc.get(r.id)).toEqual({ id: r.id, name: r.name, format: 'html', mime: r.mime, content: r.content });
    expect(svc.delete(r.id)).toEqual({});
    expect(svc.list().map((e) => e.id)).toEqual([md.id]);
    expect(readdirSync(dir).sort()).toEqual([`${md.id}.md`, `${md.id}.meta.json`]);
  });

  it('keeps at most `keep` reports', async () => {
    const { svc } = service({ keep: 2 });
    const ids = [];
    for (const format of ['md', 'json', 'html'] as const) ids.push((await svc.create({ targetId: 'context:x', format })).id);
    expect(svc.list().map((e) => e.id)).toEqual([ids[2], ids[1]]);
  });

  it('unknown or malformed ids are NOT_FOUND (no path is built from them)', () => {
    const { svc } = service();
    for (const id of ['20250101-000000-deadbeef', '../../etc/passwd', 'x']) {
      expect(() => svc.get(id)).toThrow(LabError);
      try {
        svc.get(id);
      } catch (e) {
        expect((e as LabError).code).toBe('NOT_FOUND');
      }
    }
  });

  it('connection errors from the resolver pass through as typed errors', async () => {
    const { svc } = service();
    await expect(svc.create({ targetId: 'context:gone', format: 'md' })).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});

describe('recommend service (recommend.* handlers)', () => {
  it('gathers only what the recommender reads and answers', async () => {
    const asked: string[][] = [];
    const svc = createRecommendService({
      resolve: async () => ({
        target,
        gather: async (keys) => {
          asked.push(keys);
          return snapshotGather(fixedInput().facts!, {})(keys, {});
        },
      }),
    });
    expect(svc.questions().map((q) => q.id)).toEqual(['audit', 'multiCloud', 'latencySensitive', 'egressByDns']);
    const rec = await svc.run({ targetId: 'context:kind-lab', answers: { latencySensitive: true } });
    expect(reportRequests['recommend.run'].result.parse(rec)).toEqual(rec);
    expect(rec.choice).toBe('calico-ebpf');
    expect(asked[0]).toContain('node.kernel.release');
    expect(asked[0]).not.toContain('k8s.pods');
  });
});

describe('walkthrough progress as report outcomes', () => {
  const step = (stepId: string, state: 'not-started' | 'running' | 'passed' | 'failed' | 'skipped', results: { status: 'pass' | 'warn' | 'fail' | 'unknown' | 'skipped'; title: string; summary: string; finding?: Finding }[] = [], reason: string | null = null) => ({
    stepId,
    state,
    reason,
    updatedAt: '2025-06-02T09:00:00.000Z',
    lastRun: results.length
      ? { runId: 'r1', kind: 'verify' as const, startedAt: '2025-06-02T09:00:00.000Z', endedAt: '2025-06-02T09:00:05.000Z', sessions: [], results: results.map((r) => ({ kind: 'check' as const, details: [], optional: false, sessionIds: [], ...r })), error: null }
      : null,
  });
  const w = { id: 'mtu', title: 'Large packets vanish', stepTitles: { create: 'Create the cluster', probe: 'Probe the path MTU' } };
  const finding = { ...fixedInput().run.findings.find((f) => f.checkId === 'kernel.version')! };

  it('not started: no outcome', () => {
    expect(walkthroughOutcome(w, { targetId: 'host', walkthroughId: 'mtu', steps: [step('create', 'not-started')] })).toBeNull();
  });

  it('a failed step: fail, with the failing finding as evidence and its fix', () => {
    const o = walkthroughOutcome(w, {
      targetId: 'host',
      walkthroughId: 'mtu',
      steps: [step('create', 'passed', [{ status: 'pass', title: 'nodes ready', summary: '3/3' }]), step('probe', 'failed', [{ status: 'fail', title: 'kernel', summary: 'too old', finding }], 'kernel: too old')],
    })!;
    expect(WalkthroughOutcomeSchema.parse(o)).toEqual(o);
    expect(o).toMatchObject({ status: 'fail', diagnosis: 'Step "Probe the path MTU" failed: kernel: too old.', fix: finding.fix });
    expect(o.evidence).toEqual([
      { label: 'Create the cluster: nodes ready', value: 'pass: 3/3', source: 'check' },
      { label: 'Probe the path MTU: kernel', value: 'fail: too old', source: 'check kernel.version' },
    ]);
  });

  it('in progress: unknown; all done with a warning: warn; skipped steps say why', () => {
    expect(walkthroughOutcome(w, { targetId: 'host', walkthroughId: 'mtu', steps: [step('create', 'passed'), step('probe', 'running')] })!.status).toBe('unknown');
    const o = walkthroughOutcome(w, { targetId: 'host', walkthroughId: 'mtu', steps: [step('create', 'skipped', [], 'I already have a cluster'), step('probe', 'passed', [{ status: 'warn', title: 'mtu', summary: '1450 < 1500' }])] })!;
    expect(o.status).toBe('warn');
    expect(o.diagnosis).toBe('All 2 steps done: 1 passed, 1 skipped, with warnings. "Create the cluster" skipped: I already have a cluster.');
  });
});
