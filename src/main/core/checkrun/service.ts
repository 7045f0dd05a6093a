import { randomUUID, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRunResult } from '../../../shared/api';
import { LabError, toLabErrorValue } from '../../../shared/errors';
import type { EventBus } from '../api/events';
import { CHECKS } from '../checks';
import { runOnTarget, type GatherFn } from './run';
import type { CheckRun } from '../format/types';

export interface ResolvedTarget {
  target: CheckRun['target'];
  gather: GatherFn;
}

/**
 * Runs checks for the UI: one run per request, progress and the result as
 * events, cancellable, and the last result per target remembered on disk.
 */
export function createChecksService(deps: {
  bus: EventBus;
  resultsDir: string;
  resolve: (targetId: string, opts: { debugPods: boolean }) => Promise<ResolvedTarget>;
}) {
  const runs = new Map<string, AbortController>();
  const last = new Map<string, CheckRunResult>();
  const fileOf = (targetId: string) => join(deps.resultsDir, `${createHash('sha256').update(targetId).digest('hex').slice(0, 24)}.json`);

  return {
    list: () => CHECKS.map((c) => ({ id: c.id, title: c.title, category: c.category, needs: [...c.needs], reference: c.reference })),

    run(p: { targetId: string; only?: string[]; ciliumVersion?: string; debugPods?: boolean }): { runId: string } {
      const runId = randomUUID();
      const ac = new AbortController();
      runs.set(runId, ac);
      void (async () => {
        try {
          const { target, gather } = await deps.resolve(p.targetId, { debugPods: p.debugPods ?? false });
          const r = await runOnTarget(target, gather, {
            only: p.only,
            ciliumVersion: p.ciliumVersion,
            signal: ac.signal,
            onProgress: (e) => deps.bus.emit('checks.progress', { runId, targetId: p.targetId, ...e }),
          });
          if (ac.signal.aborted) throw new LabError('CANCELLED', 'the check run was cancelled');
          const result: CheckRunResult = {
            runId, targetId: p.targetId, target: r.target, findings: r.findings, startedAt: r.startedAt, durationMs: r.durationMs, tool: r.tool,
            only: p.only ?? null, ciliumVersion: p.ciliumVersion ?? null,
          };
          last.set(p.targetId, result);
          try {
            mkdirSync(deps.resultsDir, { recursive: true });
            writeFileSync(fileOf(p.targetId), JSON.stringify(result));
          } catch {
            /* remembering is best effort */
          }
          deps.bus.emit('checks.done', result);
        } catch (err) {
          deps.bus.emit('checks.failed', { runId, targetId: p.targetId, error: toLabErrorValue(err) });
        } finally {
          runs.delete(runId);
        }
      })();
      return { runId };
    },

    cancel(runId: string): Record<string, never> {
      runs.get(runId)?.abort();
      return {};
    },

    last(targetId: string): CheckRunResult | null {
      const mem = last.get(targetId);
      if (mem) return mem;
      try {
        const r = JSON.parse(readFileSync(fileOf(targetId), 'utf8')) as CheckRunResult;
        if (r.targetId !== targetId) return null;
        last.set(targetId, r);
        return r;
      } catch {
        return null;
      }
    },
  };
}
