import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../../shared/errors';
import { REPORT_MIME, ReportEntrySchema, type PolicyLintItem, type ReportContent, type ReportDocument, type ReportEntry, type ReportFormat, type WalkthroughOutcome } from '../../../shared/api/report';
import { runOnTarget } from '../checkrun/run';
import type { ResolvedTarget } from '../checkrun/service';
import { APP_VERSION } from '../version';
import { REPORT_EXTENSION, renderDocument, withReportFacts } from './render';
import { buildReportDocument } from './model';

export interface ReportServiceDeps {
  /** Where reports are kept (e.g. <config>/reports). */
  dir: string;
  /** The same resolver the checks service uses. */
  resolve: (targetId: string, opts: { debugPods: boolean }) => Promise<ResolvedTarget>;
  /** For snapshot targets: the snapshot's title and file (only its base name is shown). */
  snapshotInfo?: (targetId: string) => { title: string | null; file: string } | null;
  /** Walkthrough outcomes on the target (from the walkthrough engine); none when absent. */
  walkthroughs?: (targetId: string) => readonly WalkthroughOutcome[] | Promise<readonly WalkthroughOutcome[]>;
  /** Policy lint of the target's policies; none when absent. */
  policyLint?: (targetId: string) => readonly PolicyLintItem[] | Promise<readonly PolicyLintItem[]>;
  now?: () => Date;
  /** At most this many reports are kept; the oldest go first (default 50). */
  keep?: number;
}

export interface ReportParams {
  targetId: string;
  only?: string[];
  ciliumVersion?: string;
  debugPods?: boolean;
}

const ID = /^\d{8}-\d{6}-[0-9a-f]{8}$/;

/**
 * Reports for the UI: `reports.preview` (the document), `reports.create` (rendered, kept on
 * disk), `reports.list`, `reports.get`, `reports.delete`. Every report is made from a fresh
 * check run, so it shows the target as it is now.
 */
export function createReportService(deps: ReportServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const keep = deps.keep ?? 50;

  async function document(p: ReportParams, signal?: AbortSignal): Promise<ReportDocument> {
    const { target, gather } = await deps.resolve(p.targetId, { debugPods: p.debugPods ?? false });
    const run = await runOnTarget(target, withReportFacts(gather), { only: p.only, ciliumVersion: p.ciliumVersion, signal });
    const [walkthroughs, policyLint] = await Promise.all([deps.walkthroughs?.(p.targetId) ?? [], deps.policyLint?.(p.targetId) ?? []]);
    const snapshot = deps.snapshotInfo?.(p.targetId) ?? undefined;
    return buildReportDocument({ run, facts: run.facts, walkthroughs, policyLint, snapshot, generatedAt: now().toISOString(), labVersion: `datapath-lab ${APP_VERSION}` });
  }

  const metaFile = (id: string) => join(deps.dir, `${id}.meta.json`);
  function entries(): ReportEntry[] {
    let files: string[];
    try {
      files = readdirSync(deps.dir).filter((f) => f.endsWith('.meta.json'));
    } catch {
      return [];
    }
    const out: ReportEntry[] = [];
    for (const f of files) {
      try {
        const e = ReportEntrySchema.safeParse(JSON.parse(readFileSync(join(deps.dir, f), 'utf8')));
        if (e.success && ID.test(e.data.id)) out.push(e.data);
      } catch {
        /* a damaged entry is skipped */
      }
    }
    return out.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  }
  function entry(id: string): ReportEntry {
    if (!ID.test(id)) throw new LabError('NOT_FOUND', `no report ${id}`);
    const e = entries().find((x) => x.id === id);
    if (!e) throw new LabError('NOT_FOUND', `no report ${id}`, 'It may have been deleted; make a new one.');
    return e;
  }
  function remove(e: ReportEntry) {
    rmSync(join(deps.dir, `${e.id}.${REPORT_EXTENSION[e.format]}`), { force: true });
    rmSync(metaFile(e.id), { force: true });
  }

  return {
    preview: (p: ReportParams, opts: { signal?: AbortSignal } = {}): Promise<ReportDocument> => document(p, opts.signal),

    async create(p: ReportParams & { format: ReportFormat }, opts: { signal?: AbortSignal } = {}): Promise<ReportContent & { entry: ReportEntry }> {
      const doc = await document(p, opts.signal);
      const r = renderDocument(doc, p.format);
      const at = now();
      const stamp = at.toISOString().replace(/\D/g, '').slice(0, 14);
      const id = `${stamp.slice(0, 8)}-${stamp.slice(8, 14)}-${randomBytes(4).toString('hex')}`;
      const e: ReportEntry = {
        id,
        name: r.name,
        format: p.format,
        targetId: p.targetId,
        targetName: doc.target.name,
        createdAt: at.toISOString(),
        bytes: Buffer.byteLength(r.content),
        status: doc.summary.status,
        findings: doc.summary.findings,
      };
      try {
        mkdirSync(deps.dir, { recursive: true });
        const file = join(deps.dir, `${id}.${REPORT_EXTENSION[p.format]}`);
        writeFileSync(`${file}.tmp`, r.content);
        renameSync(`${file}.tmp`, file);
        writeFileSync(metaFile(id), JSON.stringify(e));
        for (const old of entries().slice(keep)) remove(old);
      } catch {
        /* keeping it for reports.list is best effort; the content is returned either way */
      }
      return { id, name: r.name, format: p.format, mime: r.mime, content: r.content, entry: e };
    },

    list: (): ReportEntry[] => entries(),

    get(id: string): ReportContent {
      const e = entry(id);
      let content: string;
      try {
        content = readFileSync(join(deps.dir, `${id}.${REPORT_EXTENSION[e.format]}`), 'utf8');
      } catch {
        throw new LabError('NOT_FOUND', `report ${id} has no content on disk`, 'Make a new one.');
      }
      return { id, name: e.name, format: e.format, mime: REPORT_MIME[e.format], content };
    },

    delete(id: string): Record<string, never> {
      remove(entry(id));
      return {};
    },
  };
}
