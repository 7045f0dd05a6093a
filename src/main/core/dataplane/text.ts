import type { ParseProblem } from './types';

// eslint-disable-next-line no-control-regex -- ESC starts the colour codes cilium-cli prints
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const MAX_PROBLEM_TEXT = 300;

/** Splits command output into lines: colours removed, CRLF and CR handled. */
export function splitLines(text: string): string[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const lines = text.replace(ANSI, '').replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function problem(line: number, text: string, reason: string): ParseProblem {
  const t = text.trim();
  return { line, text: t.length > MAX_PROBLEM_TEXT ? `${t.slice(0, MAX_PROBLEM_TEXT)}…` : t, reason };
}

/**
 * A shell prompt that was pasted with the output ("$ cilium status",
 * "root@node:/home/cilium# cilium-dbg status", "% ./cilium status").
 */
const PROMPT = /^\s*(?:[\w.@:~/-]+\s?)?[$#%>]\s+(?:\.\/)?(?:cilium(?:-dbg)?|kubectl|hubble)\b/;
/** kubectl's note on stderr when exec picks the default container. */
const DEFAULTED_CONTAINER = /^\s*Defaulted container "[^"]*" out of:/;
/** Elisions people put into pasted output. */
const ELISION = /^\s*(?:\[\.\.\.\]|\.\.\.|…)\s*$/;

/** Lines that carry no status but are expected around real output. */
export function isNoise(line: string): boolean {
  return PROMPT.test(line) || DEFAULTED_CONTAINER.test(line) || ELISION.test(line);
}

/** Splits a line into cells separated by two or more spaces or tabs. */
export function cells(line: string): string[] {
  return line
    .trim()
    .split(/(?:\s{2,}|\t)+/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** Splits on commas that are not inside parentheses or brackets. */
export function splitTopLevel(text: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parses a non-negative decimal integer, or null. */
export function toInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Parses JSON without throwing; the error text on failure. */
export function tryJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
