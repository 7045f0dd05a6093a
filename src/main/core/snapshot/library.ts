import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Target } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { readSnapshot, type Snapshot } from './snapshot';

export interface SnapshotEntry {
  id: string;
  file: string;
  origin: 'demo' | 'user';
  snapshot: Snapshot | null;
  error: string | null;
}

const SNAPSHOT_FILE = /\.json(\.gz)?$/;

/**
 * Snapshots the lab offers as targets: the demos shipped in
 * resources/snapshots and the user's own in <config>/snapshots. Parsed
 * lazily and cached by modification time.
 */
export class SnapshotLibrary {
  private cache = new Map<string, { mtimeMs: number; entry: SnapshotEntry }>();

  constructor(
    readonly demoDir: string,
    readonly userDir: string,
  ) {}

  entries(): SnapshotEntry[] {
    const out: SnapshotEntry[] = [];
    for (const [origin, dir] of [['demo', this.demoDir], ['user', this.userDir]] as const) {
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => SNAPSHOT_FILE.test(f)).sort();
      } catch {
        continue;
      }
      for (const f of files) {
        const file = join(dir, f);
        const mtimeMs = statSync(file).mtimeMs;
        const hit = this.cache.get(file);
        if (hit && hit.mtimeMs === mtimeMs) {
          out.push(hit.entry);
          continue;
        }
        const id = `snapshot:${origin}:${f.replace(SNAPSHOT_FILE, '')}`;
        let entry: SnapshotEntry;
        try {
          entry = { id, file, origin, snapshot: readSnapshot(file), error: null };
        } catch (err) {
          entry = { id, file, origin, snapshot: null, error: (err as Error).message };
        }
        this.cache.set(file, { mtimeMs, entry });
        out.push(entry);
      }
    }
    return out;
  }

  get(id: string): Snapshot {
    const e = this.entries().find((x) => x.id === id);
    if (!e) throw new LabError('NOT_FOUND', `no snapshot ${id}`, 'Refresh the Clusters page.');
    if (!e.snapshot) throw new LabError('SNAPSHOT_INVALID', e.error ?? `${e.file} cannot be read`);
    return e.snapshot;
  }

  /** Where a new user snapshot named `name` goes (name validated: letters, digits, . _ -). */
  userPath(name: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/.test(name)) throw new LabError('INVALID_REQUEST', `snapshot name "${name}" may only use letters, digits, ".", "_" and "-"`);
    mkdirSync(this.userDir, { recursive: true });
    return join(this.userDir, `${name.replace(SNAPSHOT_FILE, '')}.json.gz`);
  }

  targets(): Target[] {
    return this.entries().map((e) => ({
      id: e.id,
      kind: 'snapshot',
      name: e.snapshot?.title ?? basename(e.file).replace(SNAPSHOT_FILE, ''),
      context: e.snapshot?.target.context ?? null,
      server: null,
      clusterName: e.snapshot?.target.name ?? null,
      namespace: null,
      userName: null,
      authKind: null,
      execCommand: null,
      execCommandFound: null,
      authProvider: null,
      file: e.origin === 'demo' ? `demo: ${basename(e.file)}` : e.file,
      isCurrentContext: false,
      kindCluster: null,
      problems: e.error ? [e.error] : [],
      description: e.snapshot?.description ?? null,
    }));
  }
}
