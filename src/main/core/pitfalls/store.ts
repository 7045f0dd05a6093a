import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { PitfallResultSchema, type PitfallResult } from '../../../shared/api/pitfalls';
import { TargetIdSchema } from '../../../shared/api/targets';
import { targetKey } from '../walkthrough/progress';

/**
 * The last result of each pitfall per target, one JSON file per target in the config folder
 * (pitfalls/results/<hash of the target id>.json, as the walkthrough progress store names its
 * files), written whole to a temporary file and renamed. A file that cannot be read is kept
 * aside and the target starts with no results.
 */

const FileSchema = z.object({ version: z.literal(1), targetId: TargetIdSchema, results: z.record(z.string(), PitfallResultSchema) });
type ResultFile = z.infer<typeof FileSchema>;

export class PitfallResultStore {
  private readonly cache = new Map<string, ResultFile>();
  /** Problems met while reading files (kept aside), for the log. */
  readonly warnings: string[] = [];

  constructor(private readonly dir: string) {}

  fileOf(targetId: string): string {
    return join(this.dir, `${targetKey(targetId)}.json`);
  }

  private load(targetId: string): ResultFile {
    const hit = this.cache.get(targetId);
    if (hit) return hit;
    const file = this.fileOf(targetId);
    let data: ResultFile = { version: 1, targetId, results: {} };
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
        this.warnings.push(`pitfall results ${file} could not be read (${(err as Error).message}); kept as ${aside}`);
      }
    }
    this.cache.set(targetId, data);
    return data;
  }

  private save(targetId: string): void {
    const data = this.cache.get(targetId);
    if (!data) return;
    const file = this.fileOf(targetId);
    if (Object.keys(data.results).length === 0) {
      rmSync(file, { force: true });
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
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
