import { z } from 'zod';
import { TargetIdSchema } from '../../../shared/api/targets';
import { PerTargetFiles } from '../storage/files';
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

/** A step left "running" by a previous run of the app did not finish. */
function markInterrupted(data: ProgressFile): void {
  for (const steps of Object.values(data.walkthroughs)) {
    for (const s of Object.values(steps)) {
      if (s.state === 'running') {
        s.state = 'failed';
        s.reason = 'interrupted: the app stopped while the step ran';
        if (s.lastRun && !s.lastRun.endedAt) s.lastRun.endedAt = s.updatedAt;
      }
    }
  }
}

export class ProgressStore extends PerTargetFiles<ProgressFile> {
  constructor(dir: string) {
    super(dir, FileSchema, 'walkthrough progress', (targetId) => ({ version: 1, targetId, walkthroughs: {} }), markInterrupted);
  }

  step(targetId: string, walkthroughId: string, stepId: string): StepProgress {
    const s = this.get(targetId).walkthroughs[walkthroughId]?.[stepId];
    return s ? structuredClone(s) : { stepId, state: 'not-started', reason: null, updatedAt: null, lastRun: null };
  }

  put(targetId: string, walkthroughId: string, progress: StepProgress): StepProgress {
    const data = this.get(targetId);
    (data.walkthroughs[walkthroughId] ??= {})[progress.stepId] = structuredClone(progress);
    this.save(targetId);
    return structuredClone(progress);
  }

  /** Forgets one step, or every step of the walkthrough. */
  reset(targetId: string, walkthroughId: string, stepId?: string): void {
    const data = this.get(targetId);
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
