import { commandLine, counts, type CheckRun } from './types';

const SYMBOL: Record<string, string> = { pass: '✔', warn: '▲', fail: '✖', unknown: '?', 'not-applicable': '–' };
const WORD: Record<string, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN', 'not-applicable': 'N/A' };
const COLOUR: Record<string, string> = { pass: '32', warn: '33', fail: '31', unknown: '35', 'not-applicable': '90' };

/** Terminal text: one block per finding, worst first; colours only when asked. */
export function formatText(run: CheckRun, opts: { colour?: boolean; verbose?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const t = run.target;
  const lines: string[] = [];
  lines.push(`Datapath Lab checks on ${t.kind} ${t.name}${t.context && t.context !== t.name ? ` (context ${t.context})` : ''}${t.serverVersion ? `, Kubernetes ${t.serverVersion}` : ''}${t.snapshot ? `, snapshot ${t.snapshot}` : ''}`);
  lines.push('');
  const rank = (s: string) => ['fail', 'warn', 'unknown', 'pass', 'not-applicable'].indexOf(s);
  for (const f of [...run.findings].sort((a, b) => rank(a.status) - rank(b.status))) {
    lines.push(`${c(COLOUR[f.status]!, `${SYMBOL[f.status]} ${WORD[f.status]!.padEnd(7)}`)} ${f.checkId.padEnd(18)} ${f.summary}`);
    const showDetail = opts.verbose || f.status === 'fail' || f.status === 'warn' || f.status === 'unknown';
    if (!showDetail) continue;
    for (const e of f.evidence.slice(0, opts.verbose ? 50 : 6)) lines.push(`    ${e.label}: ${e.value}  ${c('90', `(${e.source})`)}`);
    for (const d of (f.details ?? []).filter((d) => d.status !== 'pass').slice(0, opts.verbose ? 50 : 5)) lines.push(`    - ${d.subject}: ${d.status}: ${d.summary}`);
    if (f.fix) {
      lines.push(`    fix: ${f.fix.text}`);
      for (const cmd of f.fix.commands ?? []) lines.push(`      $ ${commandLine(cmd)}`);
      if (f.fix.yaml) lines.push(...f.fix.yaml.trimEnd().split('\n').map((l) => `      ${l}`));
    }
    lines.push(`    ${c('90', `see ${f.reference}`)}`);
  }
  const n = counts(run.findings);
  lines.push('');
  lines.push(`${n.fail} failed, ${n.warn} warnings, ${n.unknown} unknown, ${n.pass} passed, ${n['not-applicable']} not applicable (${(run.durationMs / 1000).toFixed(1)} s)`);
  return `${lines.join('\n')}\n`;
}
