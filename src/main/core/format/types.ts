import type { Finding } from '../../../shared/api/checks-types';

/** One run of checks on one target: what every output format renders. */
export interface CheckRun {
  target: { kind: string; name: string; context: string | null; server: string | null; serverVersion: string | null; snapshot?: string };
  findings: Finding[];
  startedAt: string;
  durationMs: number;
  tool: string;
}

export const STATUS_ORDER = ['fail', 'warn', 'unknown', 'pass', 'not-applicable'] as const;

export function counts(findings: readonly Finding[]): Record<(typeof STATUS_ORDER)[number], number> {
  const c = { fail: 0, warn: 0, unknown: 0, pass: 0, 'not-applicable': 0 };
  for (const f of findings) c[f.status]++;
  return c;
}

/** A fix's commands as shell-ready lines (argv joined with quoting where needed), for display only. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
