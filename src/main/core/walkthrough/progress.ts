import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { TargetIdSchema } from '../../../shared/api/targets';
import { StepProgressSchema, type StepProgress, type WalkthroughProgress } from '../../../shared/api/walkthrough';

/**
 * Walkthrough progress per target: one JSON file per target in the config folder
 * (walkthroughs/progress/<hash of the target id>.json), written whole to a temporary file and
 * renamed. A file that cannot be read is kept aside and progress starts empty; a step left
 * "running" by a previous run of the app becomes "failed: interrupted".
 */

const FileSchema = z.object({
  version: z.literal(1),
  targetId: TargetIdSchema,
  walkthroughs: z.record(z.string(), z.record(z.string(), StepProgressSchema)),
});
type ProgressFile = z.infer<typeof FileSchema>;

export const targetKey = (targetId: string) => createHash('sha256').update(targetId).digest('hex').slice(0, 24);

export class ProgressStore {
  private readonly cache = new Map<string, ProgressFile>();
  /** Problems met while reading files (kept aside), for the log. */
  readonly warnings: string[] = [];

  constructor(private readonly dir: string) {}

  fileOf(targetId: string): string {
    return join(this.dir, `${targetKey(targetId)}.json`);
  }

  private load(targetId: string): ProgressFile {
    const hit = this.cache.get(targetId);
    if (hit) return hit;
    const file = this.fileOf(targetId);
    let data: ProgressFile = { version: 1, targetId, walkthroughs: {} };
    try {
      const parsed = FileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid');
      if (parsed.data.targetId === targetId) data = parsed.data;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${file}.corrupt-${Date.now()}`;
        try {
          renameSync(file, aside);
        } catch {
          /* start empty anyway */
        }
        this.warnings.push(`walkthrough progress ${file} could not be read (${(err as Error).message}); kept as ${aside}`);
      }
    }
    for (const steps of Object.values(data.walkthroughs)) {
      for (const s of Object.values(steps)) {
        if (s.state === 'running') {
          s.state = 'failed';
          s.reason = 'interrupted: the app stopped while the step ran';
          if (s.lastRun && !s.lastRun.endedAt) s.lastRun.endedAt = s.updatedAt;
        }
      }
    }
    this.cache.set(targetId, data);
    return data;
  }

  private save(targetId: string): void {
    const data = this.cache.get(targetId);
    if (!data) return;
    const file = this.fileOf(targetId);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
  }

  step(targetId: string, walkthroughId: string, stepId: string): StepProgress {
    const s = this.load(targetId).walkthroughs[walkthroughId]?.[stepId];
    return s ? structuredClone(s) : { stepId, state: 'not-started', reason: null, updatedAt: null, lastRun: null };
  }

  put(targetId: string, walkthroughId: string, progress: StepProgress): StepProgress {
    const data = this.load(targetId);
    (data.walkthroughs[walkthroughId] ??= {})[progress.stepId] = structuredClone(progress);
    this.save(targetId);
    return structuredClone(progress);
  }

  /** Forgets one step, or every step of the walkthrough. */
  reset(targetId: string, walkthroughId: string, stepId?: string): void {
    const data = this.load(targetId);
    const w = data.walkthroughs[walkthroughId];
    if (!w) return;
    if (stepId) delete w[stepId];
    else delete data.walkthroughs[walkthroughId];
    this.save(targetId);
  }

  walkthrough(targetId: string, walkthroughId: string, stepIds: readonly string[]): WalkthroughProgress {
    return { targetId, walkthroughId, steps: stepIds.map((id) => this.step(targetId, walkthroughId, id)) };
  }
}
