import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  metric: string;
  value: number;
  unit: string;
  /** The reference figure this run is compared with (e.g. kubectl, a direct write). */
  reference?: number;
  referenceLabel?: string;
  /** Goal, as text: "≥ 0.8", "≤ 300 MB". */
  goal?: string;
  /** Whether the goal is met; undefined when there is no goal. */
  met?: boolean;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/**
 * Prints a benchmark's figures with the reference and the previous run side
 * by side, and saves this run to bench-results/<suite>.json.
 */
export function report(suite: string, rows: Row[], context: Record<string, unknown> = {}): void {
  const dir = join(process.cwd(), 'bench-results');
  const file = join(dir, `${suite}.json`);
  const previous: Record<string, number> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { values: Record<string, number> }).values : {};
  const head = ['metric', 'this run', 'reference', 'previous run', 'goal', ''];
  const lines = rows.map((r) => [
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.reference !== undefined ? `${fmt(r.reference)} ${r.unit}${r.referenceLabel ? ` (${r.referenceLabel})` : ''}` : '',
    previous[r.metric] !== undefined ? `${fmt(previous[r.metric]!)} ${r.unit}` : '',
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\n${suite}`);
  console.log(row(head));
  console.log(row(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(row(l));
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ suite, at: new Date().toISOString(), context, values: Object.fromEntries(rows.map((r) => [r.metric, r.value])) }, null, 2));
}
