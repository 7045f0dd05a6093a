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

export class PitfallResultStore {
  private readonly files: PerTargetFiles<ResultFile>;

  constructor(dir: string) {
    this.files = new PerTargetFiles(dir, FileSchema, 'pitfall results', (targetId) => ({ version: 1, targetId, results: {} }));
  }

  /** Problems met while reading files (kept aside), for the log. */
  get warnings(): readonly string[] {
    return this.files.warnings;
  }

  fileOf(targetId: string): string {
    return this.files.fileOf(targetId);
  }

  private load(targetId: string): ResultFile {
    return this.files.get(targetId);
  }

  private save(targetId: string): void {
    this.files.save(targetId, Object.keys(this.load(targetId).results).length === 0);
  }

  put(result: PitfallResult): void {
    const data = this.load(result.targetId);
    data.results[result.pitfallId] = structuredClone(result);
    this.save(result.targetId);
  }

  /** Results of a target, by pitfall id. */
  list(targetId: string): PitfallResult[] {
    const r = this.load(targetId).results;
    return Object.keys(r)
      .sort()
      .map((k) => structuredClone(r[k]!));
  }

  forget(targetId: string, pitfallId?: string): void {
    const data = this.load(targetId);
    if (pitfallId) delete data.results[pitfallId];
    else data.results = {};
    this.save(targetId);
  }
}
