import type { Evidence, Finding, FindingDetail, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type { ReportDocument } from '../../../shared/api/report';
import { commandLine } from '../format/types';
import { anchor, categoryOrder, categoryTitle, countsLine, duration, splitUrls, STATUS_LABEL, STATUS_SYMBOL, STATUS_WORD, STATUSES } from './text';

// ---------------------------------------------------------------------------------------
// Self-contained HTML: one file, inline CSS, no scripts, no fonts, no images, nothing
// fetched (a Content-Security-Policy says so too). Evidence folds into <details>; the
// print stylesheet unfolds it. Every piece of data is escaped.

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escaped text with http(s) URLs as links (no referrer, no opener). */
function linked(s: string): string {
  return splitUrls(s)
    .map((p) => (p.url ? `<a href="${esc(p.text)}" rel="noreferrer noopener">${esc(p.text)}</a>` : esc(p.text)))
    .join('');
}

const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--panel:#f6f8fa;--code:#f6f8fa;
--pass:#1a7f37;--pass-bg:#dafbe1;--warn:#9a6700;--warn-bg:#fff8c5;--fail:#cf222e;--fail-bg:#ffebe9;--unknown:#8250df;--unknown-bg:#fbefff;--na:#59636e;--na-bg:#eff2f5}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1080px;margin:0 auto;padding:32px 24px 48px}
h1{font-size:28px;line-height:1.25;margin:0 0 8px}
h2{font-size:21px;margin:40px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:28px 0 10px}
h4{font-size:15px;margin:0}
a{color:#0969da}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
code{background:var(--code);border-radius:4px;padding:1px 5px;overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:10px 12px;margin:8px 0;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
pre code{background:none;padding:0}
table{border-collapse:collapse;width:100%;margin:8px 0 12px;font-size:14px}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}
th,td{border:1px solid var(--line);padding:6px 9px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--panel);font-weight:600}
table.meta th{width:160px}
table.evidence td:first-child{width:24%}
table.checks td:nth-child(1){width:28%}
table.checks td:nth-child(2),table.lint td:nth-child(3){width:15%;overflow-wrap:normal}
table.checks td:nth-child(3),table.lint td:nth-child(1),table.lint td:nth-child(2){width:1%;white-space:nowrap}
table.evidence td.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
.muted{color:var(--muted)}
.badge{display:inline-block;min-width:78px;text-align:center;font-size:12px;font-weight:700;letter-spacing:.03em;padding:2px 8px;border-radius:999px;border:1px solid currentColor;white-space:nowrap}
.s-pass{color:var(--pass);background:var(--pass-bg)}.s-warn{color:var(--warn);background:var(--warn-bg)}.s-fail{color:var(--fail);background:var(--fail-bg)}
.s-unknown{color:var(--unknown);background:var(--unknown-bg)}.s-not-applicable{color:var(--na);background:var(--na-bg)}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:12px 16px;margin-bottom:16px}
header.top .badge{font-size:14px;padding:4px 14px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card-count{flex:1 1 120px;border:1px solid var(--line);border-left:6px solid currentColor;border-radius:8px;padding:10px 12px;background:var(--bg)}
.card-count b{display:block;font-size:26px;line-height:1.1;color:var(--fg)}
.card-count span{font-size:13px}
nav.toc{border:1px solid var(--line);border-radius:8px;background:var(--panel);padding:10px 16px;margin:16px 0}
nav.toc ul{display:flex;flex-wrap:wrap;gap:4px 20px;list-style:none;margin:6px 0 2px;padding:0}
nav.toc .sub{color:var(--muted)}
article.finding{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:8px;padding:14px 16px;margin:12px 0;background:var(--bg)}
article.f-pass{border-left-color:var(--pass)}article.f-warn{border-left-color:var(--warn)}article.f-fail{border-left-color:var(--fail)}
article.f-unknown{border-left-color:var(--unknown)}article.f-not-applicable{border-left-color:var(--na)}
article.finding header{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 12px;margin-bottom:6px}
article.finding .id{color:var(--muted);font-size:13px}
article.finding p{margin:6px 0}
details{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:0 10px}
details>summary{cursor:pointer;padding:6px 0;font-weight:600;color:var(--muted)}
details[open]>summary{border-bottom:1px solid var(--line);margin-bottom:6px}
.fix{background:#ddf4ff;border:1px solid #54aeff;border-radius:6px;padding:8px 12px;margin:10px 0}
.fix>p{margin:0 0 4px}
.fix pre{background:#ffffff}
.ref{font-size:13px;color:var(--muted);margin-top:8px}
footer{margin-top:40px;padding-top:12px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}
@page{margin:14mm}
@media print{
  body{font-size:11pt}
  main{max-width:none;padding:0}
  nav.toc{display:none}
  h2{break-after:avoid}
  article.finding,table,pre{break-inside:avoid}
  details{border:none;padding:0}
  details::details-content{content-visibility:visible;display:block}
  details>summary{list-style:none}
  a{color:inherit;text-decoration:none}
  .badge,.card-count,article.finding,.fix{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

const CARD_LABEL: Record<FindingStatus, string> = { fail: 'Failed', warn: 'Warnings', unknown: 'Unknown', pass: 'Passed', 'not-applicable': 'Not applicable' };

const badge = (s: FindingStatus): string => `<span class="badge s-${s}">${STATUS_SYMBOL[s]} ${STATUS_WORD[s]}</span>`;

function evidenceHtml(evidence: readonly Evidence[], details: readonly FindingDetail[] | undefined): string {
  const out: string[] = [];
  if (evidence.length) {
    out.push(
      `<details><summary>Evidence (${evidence.length})</summary><table class="evidence"><thead><tr><th scope="col">What</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead><tbody>`,
      ...evidence.map((e) => `<tr><td>${esc(e.label)}</td><td class="value">${esc(e.value)}</td><td class="muted">${linked(e.source)}</td></tr>`),
      '</tbody></table></details>',
    );
  }
  if (details?.length) {
    out.push(
      `<details><summary>Per item (${details.length})</summary><table><thead><tr><th scope="col">Item</th><th scope="col">Status</th><th scope="col">Summary</th></tr></thead><tbody>`,
      ...details.map((d) => `<tr><td><code>${esc(d.subject)}</code></td><td>${badge(d.status)}</td><td>${esc(d.summary)}</td></tr>`),
      '</tbody></table></details>',
    );
  }
  return out.join('\n');
}

function fixHtml(fix: Fix | null): string {
  if (!fix) return '';
  const out = [`<div class="fix" role="note" aria-label="Fix"><p><strong>Fix:</strong> ${linked(fix.text)}</p>`];
  if (fix.commands?.length) out.push(`<pre aria-label="Commands"><code>${esc(fix.commands.map((c) => commandLine(c)).join('\n'))}</code></pre>`);
  if (fix.yaml) out.push(`<pre aria-label="YAML"><code>${esc(fix.yaml.replace(/\s+$/, ''))}</code></pre>`);
  out.push('</div>');
  return out.join('\n');
}

function paragraphs(s: string): string {
  return s
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${linked(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

function findingHtml(f: Finding): string {
  return [
    `<article class="finding f-${f.status}" id="${anchor('check', f.checkId)}" aria-labelledby="${anchor('title', f.checkId)}">`,
    `<header>${badge(f.status)}<h4 id="${anchor('title', f.checkId)}">${esc(f.title)}</h4><code class="id">${esc(f.checkId)}</code></header>`,
    paragraphs(f.summary),
    evidenceHtml(f.evidence, f.details),
    fixHtml(f.fix),
    `<p class="ref">Reference: ${linked(f.reference)}</p>`,
    '</article>',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderHtml(doc: ReportDocument): string {
  const t = doc.target;
  const v = doc.versions;
  const B: string[] = [];
  B.push(`<header class="top"><h1>${esc(doc.title)}</h1>${badge(doc.summary.status)}</header>`);
  B.push(`<p class="muted">${esc(countsLine(doc.summary.findings))}</p>`);

  const meta: [string, string][] = [['Target', `${esc(t.kind)} <code>${esc(t.name)}</code>${t.context && t.context !== t.name ? ` (context <code>${esc(t.context)}</code>)` : ''}`]];
  if (t.server) meta.push(['API server', `<code>${esc(t.server)}</code>`]);
  if (doc.snapshot) meta.push(['Snapshot', `${doc.snapshot.title ? `${esc(doc.snapshot.title)} ` : ''}(<code>${esc(doc.snapshot.file)}</code>)`]);
  meta.push(['Checks run', `${esc(doc.run.startedAt)}, ${doc.run.checks} checks in ${duration(doc.run.durationMs)}`]);
  meta.push(['Generated', `${esc(doc.generatedAt)} by ${esc(doc.generatedBy)}`]);
  B.push(`<table class="meta" aria-label="Target"><tbody>${meta.map(([k, val]) => `<tr><th scope="row">${k}</th><td>${val}</td></tr>`).join('')}</tbody></table>`);

  // Count cards
  B.push(
    `<div class="cards" role="list" aria-label="Finding counts">${STATUSES.map((s) => `<div class="card-count s-${s}" role="listitem"><b>${doc.summary.findings[s]}</b><span>${CARD_LABEL[s]}</span></div>`).join('')}</div>`,
  );

  const cats = categoryOrder(doc.findings.map((f) => f.category));
  B.push(
    `<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul><li><a href="#versions">Versions</a></li><li><a href="#summary">Summary</a></li><li><a href="#findings">Findings</a>${
      cats.length ? ` <span class="sub">(${cats.map((c) => `<a href="#${anchor('category', c)}">${esc(categoryTitle(c))}</a>`).join(' · ')})</span>` : ''
    }</li><li><a href="#walkthroughs">Walkthroughs</a></li><li><a href="#policy-lint">Policy lint</a></li></ul></nav>`,
  );

  // Versions
  B.push('<section aria-labelledby="versions"><h2 id="versions">Versions</h2>');
  const vrows: string[] = [`<tr><th scope="row">Datapath Lab</th><td>${esc(v.lab.replace(/^datapath-lab\s+/, ''))}</td><td></td></tr>`];
  vrows.push(`<tr><th scope="row">Kubernetes</th><td>${v.kubernetes ? esc(v.kubernetes) : '<span class="muted">unknown</span>'}</td><td class="muted">${v.kubernetes ? 'API server /version' : ''}</td></tr>`);
  vrows.push(`<tr><th scope="row">Cilium</th><td>${v.cilium ? esc(v.cilium.version) : '<span class="muted">not installed or unknown</span>'}</td><td class="muted">${v.cilium ? `image <code>${esc(v.cilium.image)}</code>` : ''}</td></tr>`);
  for (const c of v.cnis.filter((c) => c.name !== 'Cilium'))
    vrows.push(`<tr><th scope="row">CNI: ${esc(c.name)}</th><td>${c.version ? esc(c.version) : '<span class="muted">unknown</span>'}</td><td class="muted">image <code>${esc(c.image)}</code></td></tr>`);
  B.push(`<table><caption>Components</caption><thead><tr><th scope="col">Component</th><th scope="col">Version</th><th scope="col">Source</th></tr></thead><tbody>${vrows.join('')}</tbody></table>`);
  if (v.kernels.length) {
    B.push(
      `<table><caption>Kernel releases</caption><thead><tr><th scope="col">Release</th><th scope="col">Nodes</th></tr></thead><tbody>${v.kernels
        .map((k) => `<tr><td><code>${esc(k.release)}</code></td><td>${k.count}: ${k.nodes.map((n) => `<code>${esc(n)}</code>`).join(', ')}${k.count > k.nodes.length ? ` and ${k.count - k.nodes.length} more` : ''}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  } else B.push('<p class="muted">Kernel releases: unknown.</p>');
  B.push('</section>');

  // Summary
  B.push('<section aria-labelledby="summary"><h2 id="summary">Summary</h2>');
  B.push(
    `<table><caption>Counts</caption><thead><tr><th scope="col">Status</th><th scope="col">Findings</th><th scope="col">Walkthroughs</th></tr></thead><tbody>${STATUSES.map(
      (s) => `<tr><td>${badge(s)} <span class="muted">${STATUS_LABEL[s]}</span></td><td>${doc.summary.findings[s]}</td><td>${doc.summary.walkthroughs[s]}</td></tr>`,
    ).join('')}</tbody></table>`,
  );
  const pl = doc.summary.policyLint;
  B.push(`<p>Policy lint: ${pl.error} errors, ${pl.warning} warnings, ${pl.info} notes.</p>`);
  if (doc.findings.length) {
    B.push(
      `<table class="checks"><caption>Checks</caption><thead><tr><th scope="col">Check</th><th scope="col">Category</th><th scope="col">Status</th><th scope="col">Summary</th></tr></thead><tbody>${doc.findings
        .map((f) => `<tr><td><a href="#${anchor('check', f.checkId)}">${esc(f.title)}</a></td><td>${esc(categoryTitle(f.category))}</td><td>${badge(f.status)}</td><td>${esc(f.summary)}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  }
  B.push('</section>');

  // Findings by category
  B.push('<section aria-labelledby="findings"><h2 id="findings">Findings</h2>');
  if (!doc.findings.length) B.push('<p class="muted">No checks ran.</p>');
  for (const c of cats) {
    B.push(`<section aria-labelledby="${anchor('category', c)}"><h3 id="${anchor('category', c)}">${esc(categoryTitle(c))}</h3>`);
    for (const f of doc.findings.filter((x) => x.category === c)) B.push(findingHtml(f));
    B.push('</section>');
  }
  B.push('</section>');

  // Walkthroughs
  B.push('<section aria-labelledby="walkthroughs"><h2 id="walkthroughs">Walkthroughs</h2>');
  if (!doc.walkthroughs.length) B.push('<p class="muted">No walkthroughs ran on this target.</p>');
  doc.walkthroughs.forEach((w, i) => {
    const id = anchor(`walkthrough-${i + 1}`, w.walkthroughId);
    B.push(
      [
        `<article class="finding f-${w.status}" id="${id}" aria-labelledby="${id}-title">`,
        `<header>${badge(w.status)}<h4 id="${id}-title">${esc(w.title)}</h4><code class="id">${esc(w.walkthroughId)}</code></header>`,
        paragraphs(w.diagnosis),
        evidenceHtml(w.evidence, undefined),
        fixHtml(w.fix),
        '</article>',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
  B.push('</section>');

  // Policy lint
  B.push('<section aria-labelledby="policy-lint"><h2 id="policy-lint">Policy lint</h2>');
  if (!doc.policyLint.length) B.push('<p class="muted">No policy lint findings (or no policies were analyzed).</p>');
  else {
    const sev = { error: 'fail', warning: 'warn', info: 'not-applicable' } as const;
    B.push(
      `<table class="lint"><caption>Lint findings</caption><thead><tr><th scope="col">Severity</th><th scope="col">Lint</th><th scope="col">Policy</th><th scope="col">Where</th><th scope="col">Message</th></tr></thead><tbody>${doc.policyLint
        .map(
          (l) =>
            `<tr><td><span class="badge s-${sev[l.severity]}">${esc(l.severity.toUpperCase())}</span></td><td><code>${esc(l.id)}</code></td><td>${l.policy ? esc(l.policy) : ''}</td><td>${l.file ? `<code>${esc(`${l.file}${l.line !== undefined ? `:${l.line}` : ''}`)}</code>` : ''}</td><td>${esc(l.message)}</td></tr>`,
        )
        .join('')}</tbody></table>`,
    );
  }
  B.push('</section>');

  B.push(`<footer><p>${esc(doc.redaction)}</p><p>${esc(doc.generatedBy)} · ${esc(doc.generatedAt)}</p></footer>`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(doc.generatedBy)}">
<title>${esc(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${B.join('\n')}
</main>
</body>
</html>
`;
}
