import { commandLine, counts, type CheckRun } from './types';

/** XML-escaped, without the control characters XML 1.0 forbids (tool output can contain them). */
const esc = (s: string) =>
  [...s]
    .filter((ch) => {
      const c = ch.charCodeAt(0);
      return c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/**
 * JUnit XML for CI: one testcase per check. fail → <failure>; unknown and
 * not-applicable → <skipped> with the reason; warn passes with the warning in
 * system-out (a warning should not break a pipeline; fail does).
 */
export function formatJunit(run: CheckRun): string {
  const n = counts(run.findings);
  const suite = `datapath-lab checks: ${run.target.kind} ${run.target.name}`;
  const cases = run.findings.map((f) => {
    const body: string[] = [];
    const detail = [
      f.summary,
      ...f.evidence.map((e) => `${e.label}: ${e.value} (${e.source})`),
      ...(f.details ?? []).filter((d) => d.status !== 'pass').map((d) => `${d.subject}: ${d.status}: ${d.summary}`),
      ...(f.fix ? [`fix: ${f.fix.text}`, ...(f.fix.commands ?? []).map((c) => `$ ${commandLine(c)}`)] : []),
      `reference: ${f.reference}`,
    ].join('\n');
    if (f.status === 'fail') body.push(`<failure message="${esc(f.summary)}" type="${f.checkId}">${esc(detail)}</failure>`);
    else if (f.status === 'unknown' || f.status === 'not-applicable') body.push(`<skipped message="${esc(`${f.status}: ${f.summary}`)}"/>`);
    else body.push(`<system-out>${esc(detail)}</system-out>`);
    return `    <testcase classname="datapath-lab.${f.category}" name="${esc(f.checkId)}">\n      ${body.join('\n      ')}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="datapath-lab" tests="${run.findings.length}" failures="${n.fail}" skipped="${n.unknown + n['not-applicable']}" time="${(run.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${run.findings.length}" failures="${n.fail}" errors="0" skipped="${n.unknown + n['not-applicable']}" timestamp="${run.startedAt}" time="${(run.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
