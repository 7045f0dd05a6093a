import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { LabError } from '../../../shared/errors';
import { parseFactSet, type FactSet } from '../facts/types';
import { redactObjects, redactValue } from '../redact/redact';
import { APP_VERSION } from '../version';
import { writeFileAtomic } from '../storage/files';

/** The snapshot file format: one versioned JSON document (gzip when the name ends in .gz). */
export const SNAPSHOT_FORMAT = 'datapath-lab/snapshot';
export const SNAPSHOT_VERSION = 1;

export const SnapshotTargetSchema = z.object({
  kind: z.enum(['host', 'kind', 'cluster']),
  name: z.string(),
  context: z.string().nullable(),
  server: z.string().nullable(),
  serverVersion: z.string().nullable(),
});
export type SnapshotTarget = z.infer<typeof SnapshotTargetSchema>;

const EnvelopeSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  target: SnapshotTargetSchema,
  /** What the snapshot is about, for demos and shared snapshots. */
  title: z.string().optional(),
  description: z.string().optional(),
  facts: z.unknown(),
  /** The raw API objects behind the facts, secrets removed. */
  raw: z.record(z.string(), z.array(z.unknown())),
});

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  createdAt: string;
  createdBy: string;
  target: SnapshotTarget;
  title?: string;
  description?: string;
  facts: FactSet;
  raw: Record<string, unknown[]>;
}

/** Builds a snapshot; raw objects and every fact value pass through redaction. */
export function makeSnapshot(target: SnapshotTarget, facts: FactSet, raw: Record<string, unknown[]>, meta: { title?: string; description?: string; createdAt?: string } = {}): Snapshot {
  const redactedRaw: Record<string, unknown[]> = {};
  for (const [k, list] of Object.entries(raw)) redactedRaw[k] = redactObjects(list);
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    createdBy: `datapath-lab ${APP_VERSION}`,
    target,
    ...(meta.title ? { title: meta.title } : {}),
    ...(meta.description ? { description: meta.description } : {}),
    facts: parseFactSet(redactValue(facts)),
    raw: redactedRaw,
  };
}

export function serializeSnapshot(s: Snapshot, gzip: boolean): Buffer {
  const json = Buffer.from(`${JSON.stringify(s)}\n`);
  return gzip ? gzipSync(json) : json;
}

export function writeSnapshot(path: string, s: Snapshot): void {
  writeFileAtomic(path, serializeSnapshot(s, path.endsWith('.gz')));
}

/**
 * Reads and validates a snapshot. Old, corrupt or foreign files get a
 * SNAPSHOT_INVALID error that names the cause and the fix.
 */
export function parseSnapshot(bytes: Buffer, name: string): Snapshot {
  let text: string;
  try {
    text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  } catch {
    throw new LabError('SNAPSHOT_INVALID', `${name} is a gzip file that is corrupt or cut short`, 'Ask for the snapshot again, or capture a new one with `datapath-lab snapshot`.');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LabError('SNAPSHOT_INVALID', `${name} is not a Datapath Lab snapshot: not JSON (${(err as Error).message.slice(0, 120)}); the file may be cut short`, 'Capture a new one with `datapath-lab snapshot --context NAME -o FILE`.');
  }
  const format = (doc as { format?: unknown } | null)?.format;
  if (format !== SNAPSHOT_FORMAT) {
    const hint = (doc as { kind?: unknown } | null)?.kind ? ` (it looks like a Kubernetes ${String((doc as { kind: unknown }).kind)})` : '';
    throw new LabError('SNAPSHOT_INVALID', `${name} is not a Datapath Lab snapshot${hint}`, 'Snapshots are made with `datapath-lab snapshot` or the Checks page; they start with "format": "datapath-lab/snapshot".');
  }
  const version = (doc as { version?: unknown }).version;
  if (typeof version !== 'number' || version > SNAPSHOT_VERSION) {
    throw new LabError('SNAPSHOT_INVALID', `${name} was made by a newer Datapath Lab (snapshot version ${String(version)}; this one reads up to ${SNAPSHOT_VERSION})`, 'Update Datapath Lab to open it.');
  }
  if (version < 1) throw new LabError('SNAPSHOT_INVALID', `${name} has snapshot version ${version}, older than any this Datapath Lab reads`, 'Capture the snapshot again.');
  const env = EnvelopeSchema.safeParse(doc);
  if (!env.success) {
    const issue = env.error.issues[0]!;
    throw new LabError('SNAPSHOT_INVALID', `${name} is damaged: ${issue.path.join('.') || '(top)'}: ${issue.message}`, 'Capture the snapshot again.');
  }
  let facts: FactSet;
  try {
    facts = parseFactSet(env.data.facts);
  } catch (err) {
    const issue = (err as z.ZodError).issues?.[0];
    throw new LabError('SNAPSHOT_INVALID', `${name} has facts this Datapath Lab cannot read: ${issue ? `${issue.path.join('.')}: ${issue.message}` : (err as Error).message}`, 'Capture the snapshot again with this version.');
  }
  return { ...env.data, format: SNAPSHOT_FORMAT, facts } as Snapshot;
}

export function readSnapshot(path: string): Snapshot {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LabError(e.code === 'ENOENT' ? 'NOT_FOUND' : 'SNAPSHOT_INVALID', `cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  return parseSnapshot(bytes, path);
}
