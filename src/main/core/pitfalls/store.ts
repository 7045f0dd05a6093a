import { z } from 'zod';
import { PitfallResultSchema, type PitfallResult } from '../../../shared/api/pitfalls';
import { TargetIdSchema } from '../../../shared/api/targets';
import { PerTargetFiles } from '../storage/files';

/**
 * The last result of each pitfall per target, one JSON file per target in the config folder
 * (pitfalls/results/<hash of the target id>.json, as the walkthrough progress store names its
 * files), written whole to a temporary file and renamed. A file that cannot be read is kept
 * aside and the target starts with no results.
 */

const FileSchema = z.object({ version: z.literal(1), targetId: TargetIdSchema, results: z.record(z.string(), PitfallResultSchema) });
type ResultFile = z.infer<typeof FileSchema>;

export class PitfallResultStore extends PerTargetFiles<ResultFile> {
  constructor(dir: string) {
    super(dir, FileSchema, 'pitfall results', (targetId) => ({ version: 1, targetId, results: {} }));
  }

  /** Writes the target's results; a target with none left has no file. */
  private write(targetId: string): void {
    this.save(targetId, Object.keys(this.get(targetId).results).length === 0);
  }

  put(result: PitfallResult): void {
    const data = this.get(result.targetId);
    data.results[result.pitfallId] = structuredClone(result);
    this.write(result.targetId);
  }

  /** Results of a target, by pitfall id. */
  list(targetId: string): PitfallResult[] {
    const r = this.get(targetId).results;
    return Object.keys(r)
      .sort()
      .map((k) => structuredClone(r[k]!));
  }

  forget(targetId: string, pitfallId?: string): void {
    const data = this.get(targetId);
    if (pitfallId) delete data.results[pitfallId];
    else data.results = {};
    this.write(targetId);
  }
}
