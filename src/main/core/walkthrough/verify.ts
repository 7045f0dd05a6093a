import type { Expect, ParserId } from '../../../shared/api/walkthrough';
import { parseAgentStatusJson, parseAgentStatusText, parseCiliumStatusJson, parseCiliumStatusText, parseHubbleFlows, parseServiceList } from '../dataplane/index';
import { resolveTyped, resolveValue, placeholderRef, type Scope } from './template';

/**
 * Expectations on a command's result: exit code, text in the output, and values in the output
 * once parsed, by the lab's own dataplane parsers (cilium status, agent status, service list,
 * hubble flows) or as JSON.
 */

export interface CommandOutcome {
  exitCode: number | null;
  /** stdout and stderr as the terminal showed them (without the lab's "$ argv" line). */
  output: string;
}

export interface ExpectResult {
  ok: boolean;
  /** What did not hold, one line each. */
  failures: string[];
  /** A line about what was seen (verdict, counts). */
  seen: string[];
}

const PARSERS: Record<ParserId, (text: string) => unknown> = {
  'cilium-status-json': parseCiliumStatusJson,
  'cilium-status-text': parseCiliumStatusText,
  'agent-status-json': parseAgentStatusJson,
  'agent-status-text': parseAgentStatusText,
  'service-list': parseServiceList,
  'hubble-flows': parseHubbleFlows,
  json: parseJsonOutput,
};

/** JSON from a command's output: the first complete value from the first "{" or "[" (tools print notices around it). */
export function parseJsonOutput(text: string): unknown {
  const start = text.search(/[{[]/);
  if (start < 0) throw new Error('no JSON in the output');
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error('the JSON in the output is cut off');
}

/** "data.ipam", "rows.0.frontend", "counts.byVerdict.DROPPED", "items.length". */
export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (Array.isArray(cur)) {
      if (seg === 'length') {
        cur = cur.length;
        continue;
      }
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === 'object') {
      cur = (cur as Record<string, unknown>)[seg];
    } else return undefined;
  }
  return cur;
}

function sameValue(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(want) && scalar(have) && String(want) === String(have);
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

export function evaluateExpect(e: Expect, r: CommandOutcome, scope: Scope): ExpectResult {
  const failures: string[] = [];
  const seen: string[] = [];
  const codes = e.exitCode === undefined ? [0] : Array.isArray(e.exitCode) ? e.exitCode : [e.exitCode];
  if (r.exitCode === null || !codes.includes(r.exitCode)) failures.push(`exit code ${r.exitCode ?? 'none'} (expected ${codes.join(' or ')})`);
  const text = (s: string) => String(resolveTyped(s, scope) ?? '');
  for (const s of e.contains ?? []) if (!r.output.includes(text(s))) failures.push(`the output does not contain ${JSON.stringify(text(s))}`);
  for (const s of e.notContains ?? []) if (r.output.includes(text(s))) failures.push(`the output contains ${JSON.stringify(text(s))}`);
  if (e.lines?.length) {
    const lines = new Set(r.output.split('\n').map((l) => l.trim()));
    for (const s of e.lines) if (!lines.has(text(s))) failures.push(`no output line is ${JSON.stringify(text(s))}`);
  }
  if (e.parse || e.json?.length) {
    let parsed: unknown;
    try {
      parsed = PARSERS[e.parse ?? 'json'](r.output);
    } catch (err) {
      failures.push(`the output could not be parsed${e.parse ? ` as ${e.parse}` : ' as JSON'}: ${(err as Error).message}`);
      return { ok: false, failures, seen };
    }
    const verdict = getPath(parsed, 'verdict');
    if (typeof verdict === 'string') {
      const reasons = (getPath(parsed, 'reasons') ?? getPath(parsed, 'errors')) as unknown;
      seen.push(`verdict ${verdict}${Array.isArray(reasons) && reasons.length ? `: ${reasons.slice(0, 5).join('; ')}` : ''}`);
      const ok = e.verdict ?? ['ok'];
      if (e.parse && e.parse !== 'json' && e.parse !== 'hubble-flows' && e.parse !== 'service-list' && !ok.includes(verdict as 'ok')) failures.push(`verdict ${verdict} (expected ${ok.join(' or ')})${Array.isArray(reasons) && reasons.length ? `: ${reasons.slice(0, 5).join('; ')}` : ''}`);
    }
    const counts = getPath(parsed, 'counts');
    if (counts && typeof counts === 'object') seen.push(`counts ${JSON.stringify(counts)}`);
    for (const j of e.json ?? []) {
      const have = getPath(parsed, j.path);
      if (j.exists !== undefined && (have !== undefined && have !== null) !== j.exists) failures.push(`${j.path}: ${j.exists ? 'missing' : `present (${show(have)})`}`);
      if (j.equals !== undefined) {
        const want = typeof j.equals === 'string' && placeholderRef(j.equals) ? resolveValue(scope, placeholderRef(j.equals)!) : j.equals;
        if (!sameValue(want, have)) failures.push(`${j.path} is ${show(have)} (expected ${show(want)})`);
      }
    }
  }
  return { ok: failures.length === 0, failures, seen };
}

/** The command's own output from a runner transcript: without the "$ argv" line the runner writes first. */
export function outputFromTranscript(text: string): string {
  return text.startsWith('$ ') ? text.slice(text.indexOf('\n') + 1) : text;
}
