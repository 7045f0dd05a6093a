import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';

/**
 * Writes a file whole or not at all: a temporary file next to it, then a rename, so a crash
 * or a full disk never leaves half a settings file, snapshot or report behind.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content, { mode });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file name for a target id (ids hold ':' and '/', and may be long). */
export const targetKey = (targetId: string) => createHash('sha256').update(targetId).digest('hex').slice(0, 24);

/**
 * One JSON document per target in a folder (<dir>/<targetKey>.json), cached, validated on
 * read and written atomically. A file that cannot be read is kept aside (renamed
 * `.corrupt-<time>`) with a warning, and the target starts from `empty`: losing a progress
 * file must never stop the app.
 */
export class PerTargetFiles<T extends { targetId: string }> {
  private readonly cache = new Map<string, T>();
  /** Problems met while reading files (kept aside), for the log. */
  readonly warnings: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly schema: z.ZodType<T>,
    /** What the files hold, for warnings ("walkthrough progress"). */
    private readonly what: string,
    private readonly empty: (targetId: string) => T,
    /** Fixes a document as it is read (e.g. a step left running by a previous run of the app). */
    private readonly onLoad: (data: T) => void = () => {},
  ) {}

  fileOf(targetId: string): string {
    return join(this.dir, `${targetKey(targetId)}.json`);
  }

  /** The target's document (the cached object: mutate it, then `save`). */
  get(targetId: string): T {
    const hit = this.cache.get(targetId);
    if (hit) return hit;
    const file = this.fileOf(targetId);
    let data = this.empty(targetId);
    try {
      const parsed = this.schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid');
      // A hash collision or a copied file: never show another target's state.
      if (parsed.data.targetId === targetId) data = parsed.data;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${file}.corrupt-${Date.now()}`;
        try {
          renameSync(file, aside);
        } catch {
          /* start empty anyway */
        }
        this.warnings.push(`${this.what} ${file} could not be read (${(err as Error).message}); kept as ${aside}`);
      }
    }
    this.onLoad(data);
    this.cache.set(targetId, data);
    return data;
  }

  /** Writes the target's document; `remove` deletes the file instead (nothing left to keep). */
  save(targetId: string, remove = false): void {
    const data = this.cache.get(targetId);
    if (!data) return;
    const file = this.fileOf(targetId);
    if (remove) rmSync(file, { force: true });
    else writeFileAtomic(file, JSON.stringify(data));
  }
}
