// Reads every .yaml/.yml/.json file under a folder into input objects with line numbers.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { PolicyIssue } from './model';
import type { InputObject } from './objects';
import type { Path } from './reader';

export interface LoadResult {
  objects: InputObject[];
  issues: PolicyIssue[];
  files: string[];
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];
const SKIP_DIRS = new Set(['.git', 'node_modules']);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await walk(p, out);
    } else if ((e.isFile() || e.isSymbolicLink()) && EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) {
      out.push(p);
    }
  }
}

/**
 * Parses the documents of one file. A YAML syntax error is reported with its
 * line and ends the file: the documents after it are not read, since the error
 * may have moved document boundaries (netpol-analyzer does the same). Other
 * files are not affected.
 */
export function parseText(text: string, file: string): { objects: InputObject[]; issues: PolicyIssue[] } {
  const objects: InputObject[] = [];
  const issues: PolicyIssue[] = [];
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true });
  const list: Document[] = Array.isArray(docs) ? (docs as Document[]) : [];
  for (let i = 0; i < list.length; i++) {
    const doc = list[i] as Document;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err?.linePos?.[0]?.line;
      const msg = ((err?.message ?? 'syntax error').split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      const rest = list.length - i - 1;
      issues.push({
        severity: 'error',
        file,
        ...(line !== undefined ? { line } : {}),
        message: `YAML syntax error: ${msg}${rest > 0 ? ` (${rest} later document(s) in this file not read)` : ''}`,
      });
      break;
    }
    const start = doc.contents?.range?.[0];
    const line = start !== undefined ? lc.linePos(start).line : undefined;
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      issues.push({ severity: 'error', file, ...(line !== undefined ? { line } : {}), message: `cannot read document: ${(e as Error).message}` });
      continue;
    }
    if (obj === null || obj === undefined) continue;
    const lineOf = (path: Path): number | undefined => {
      const node = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
      const r = (node as { range?: [number, number, number] } | undefined)?.range;
      return r ? lc.linePos(r[0]).line : undefined;
    };
    objects.push({ obj, file, ...(line !== undefined ? { line } : {}), lineOf });
  }
  return { objects, issues };
}

/** Loads every .yaml/.yml/.json file under `dir` (recursively, in name order). File names are `dir` joined with the relative path. */
export async function loadDir(dir: string): Promise<LoadResult> {
  const info = await stat(dir);
  const files: string[] = [];
  if (info.isDirectory()) await walk(dir, files);
  else files.push(dir);
  const objects: InputObject[] = [];
  const issues: PolicyIssue[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      issues.push({ severity: 'error', file: f, message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const r = parseText(text, f);
    objects.push(...r.objects);
    issues.push(...r.issues);
  }
  return { objects, issues, files };
}
