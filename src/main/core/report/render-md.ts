import type { Evidence, Finding, FindingDetail, Fix } from '../../../shared/api/checks-types';
import type { ReportDocument } from '../../../shared/api/report';
import { commandLine } from '../format/types';
import { anchor, categoryOrder, categoryTitle, countsLine, duration, splitUrls, STATUS_LABEL, STATUS_SYMBOL, STATUS_WORD, STATUSES } from './text';

// ---------------------------------------------------------------------------------------
// Markdown (GitHub-flavoured; readable as plain text too). Every piece of data is escaped:
// nothing in a finding can open a link, an image, HTML or a table cell of its own.

/** Escapes Markdown inline syntax; http(s) URLs become autolinks. Newlines become spaces. */
export function mdInline(s: string): string {
  return splitUrls(s.replace(/\r?\n/g, ' '))
    .map((p) => (p.url ? `<${p.text}>` : escapeMd(p.text)))
    .join('');
}

function escapeMd(s: string): string {
  return s
    .replace(/[\\`*[\]<>|~!#]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/&/g, '&amp;');
}

/** A table cell: lines escaped and joined with <br> (GFM cells are one line). */
function mdCell(s: string): string {
  return s
    .replace(/\s+$/, '')
    .split(/\r?\n/)
    .map((l) => mdInline(l))
    .join('<br>');
}

/** A paragraph: lines kept, each escaped (a leading "-", "+", "1." or "=" cannot start a list or heading). */
function mdParagraph(s: string): string {
  return s
    .trim()
    .split(/\r?\n/)
    .map((l) => mdInline(l).replace(/^(\s*)([-+=]|\d+[.)])(\s)/, '$1\\$2$3'))
    .join('  \n');
}

/** Inline code that survives backticks inside. */
export function mdCode(s: string): string {
  const one = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...one.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') || longest > 0 ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** A fenced code block that survives backtick runs inside. */
export function mdBlock(s: string, lang = ''): string {
  const longest = Math.max(2, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${s.replace(/\s+$/, '')}\n${fence}`;
}

const badge = (s: Finding['status']) => `${STATUS_SYMBOL[s]} ${STATUS_WORD[s]}`;

/** A GFM table; pipes not yet escaped (inside code spans) are escaped so no cell splits. */
function table(head: string[], rows: string[][]): string {
  const cell = (c: string) => c.replace(/(?<!\\)\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function evidenceBlock(evidence: readonly Evidence[], details: readonly FindingDetail[] | undefined): string[] {
  const out: string[] = [];
  if (evidence.length) {
    out.push(`<details><summary>Evidence (${evidence.length})</summary>`, '');
    out.push(table(['What', 'Value', 'Source'], evidence.map((e) => [mdInline(e.label), mdCell(e.value), mdInline(e.source)])));
    out.push('', '</details>', '');
  }
  if (details?.length) {
    out.push(`<details><summary>Per item (${details.length})</summary>`, '');
    out.push(table(['Item', 'Status', 'Summary'], details.map((d) => [mdInline(d.subject), badge(d.status), mdInline(d.summary)])));
    out.push('', '</details>', '');
  }
  return out;
}

function fixBlock(fix: Fix | null): string[] {
  if (!fix) return [];
  const out = [`**Fix:** ${mdParagraph(fix.text)}`, ''];
  if (fix.commands?.length) out.push(mdBlock(fix.commands.map((c) => commandLine(c)).join('\n'), 'sh'), '');
  if (fix.yaml) out.push(mdBlock(fix.yaml, 'yaml'), '');
  return out;
}

export function renderMarkdown(doc: ReportDocument): string {
  const L: string[] = [];
  const t = doc.target;
  L.push(`# ${mdInline(doc.title)}`, '');
  L.push(`**Overall: ${badge(doc.summary.status)}** — ${countsLine(doc.summary.findings)}`, '');

  const meta: string[][] = [['Target', `${mdInline(t.kind)} ${mdCode(t.name)}${t.context && t.context !== t.name ? ` (context ${mdCode(t.context)})` : ''}`]];
  if (t.server) meta.push(['API server', mdInline(t.server)]);
  if (doc.snapshot) meta.push(['Snapshot', `${doc.snapshot.title ? `${mdInline(doc.snapshot.title)} ` : ''}(${mdCode(doc.snapshot.file)})`]);
  meta.push(['Checks run', `${mdInline(doc.run.startedAt)}, ${doc.run.checks} checks in ${duration(doc.run.durationMs)}`]);
  meta.push(['Generated', `${mdInline(doc.generatedAt)} by ${mdInline(doc.generatedBy)}`]);
  L.push(table(['', ''], meta), '');

  // Versions
  const v = doc.versions;
  L.push('## Versions', '');
  const vrows: string[][] = [['Datapath Lab', mdInline(v.lab.replace(/^datapath-lab\s+/, '')), '']];
  vrows.push(['Kubernetes', v.kubernetes ? mdInline(v.kubernetes) : 'unknown', v.kubernetes ? 'API server /version' : '']);
  vrows.push(['Cilium', v.cilium ? mdInline(v.cilium.version) : 'not installed or unknown', v.cilium ? `image ${mdCode(v.cilium.image)}` : '']);
  for (const c of v.cnis.filter((c) => c.name !== 'Cilium')) vrows.push([`CNI: ${mdInline(c.name)}`, c.version ? mdInline(c.version) : 'unknown', `image ${mdCode(c.image)}`]);
  L.push(table(['Component', 'Version', 'Source'], vrows), '');
  if (v.kernels.length) {
    L.push(table(['Kernel release', 'Nodes'], v.kernels.map((k) => [mdCode(k.release), `${k.count}: ${k.nodes.map(mdCode).join(', ')}${k.count > k.nodes.length ? ` and ${k.count - k.nodes.length} more` : ''}`])), '');
  } else L.push('Kernel releases: unknown.', '');

  // Summary
  L.push('## Summary', '');
  L.push(
    table(
      ['Status', 'Findings', 'Walkthroughs'],
      STATUSES.map((s) => [`${badge(s)} (${STATUS_LABEL[s]})`, String(doc.summary.findings[s]), String(doc.summary.walkthroughs[s])]),
    ),
    '',
  );
  const pl = doc.summary.policyLint;
  L.push(`Policy lint: ${pl.error} errors, ${pl.warning} warnings, ${pl.info} notes.`, '');
  if (doc.findings.length) {
    L.push(table(['Check', 'Category', 'Status', 'Summary'], doc.findings.map((f) => [`[${mdInline(f.title)}](#${anchor('check', f.checkId)})`, mdInline(categoryTitle(f.category)), badge(f.status), mdInline(f.summary)])), '');
  }

  // Findings
  L.push('## Findings', '');
  if (!doc.findings.length) L.push('No checks ran.', '');
  for (const cat of categoryOrder(doc.findings.map((f) => f.category))) {
    L.push(`### ${mdInline(categoryTitle(cat))}`, '');
    for (const f of doc.findings.filter((x) => x.category === cat)) {
      L.push(`<a id="${anchor('check', f.checkId)}"></a>`, '');
      L.push(`#### ${badge(f.status)} — ${mdInline(f.title)} (${mdCode(f.checkId)})`, '');
      L.push(mdParagraph(f.summary), '');
      L.push(...evidenceBlock(f.evidence, f.details));
      L.push(...fixBlock(f.fix));
      L.push(`Reference: ${mdInline(f.reference)}`, '');
    }
  }

  // Walkthroughs
  L.push('## Walkthroughs', '');
  if (!doc.walkthroughs.length) L.push('No walkthroughs ran on this target.', '');
  for (const w of doc.walkthroughs) {
    L.push(`### ${badge(w.status)} — ${mdInline(w.title)} (${mdCode(w.walkthroughId)})`, '');
    L.push(mdParagraph(w.diagnosis), '');
    L.push(...evidenceBlock(w.evidence, undefined));
    L.push(...fixBlock(w.fix));
  }

  // Policy lint
  L.push('## Policy lint', '');
  if (!doc.policyLint.length) L.push('No policy lint findings (or no policies were analyzed).', '');
  else {
    L.push(
      table(
        ['Severity', 'Lint', 'Policy', 'Where', 'Message'],
        doc.policyLint.map((l) => [l.severity, mdCode(l.id), l.policy ? mdInline(l.policy) : '', l.file ? mdCode(`${l.file}${l.line !== undefined ? `:${l.line}` : ''}`) : '', mdInline(l.message)]),
      ),
      '',
    );
  }

  L.push('---', '', `_${mdInline(doc.redaction)}_`, '');
  return L.join('\n');
}
