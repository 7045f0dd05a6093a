// Reports: a check run (live or on a snapshot), walkthrough outcomes and policy lint as
// Markdown, self-contained HTML or JSON — redacted, in a stable order, and refused if a
// secret could still be in the output.
//
//   const run = await runOnTarget(target, withReportFacts(gather));
//   const { content, name, mime } = renderReport({ run, facts: run.facts, generatedAt: new Date().toISOString() }, 'html');
export { buildReportDocument, sortFindings, sortLint, REDACTION_NOTE } from './model';
export { assertReportSafe } from './guard';
export { renderHtml } from './render-html';
export { renderMarkdown } from './render-md';
export { reportVersions, kernelsByRelease } from './versions';
export { REPORT_FACT_KEYS, withReportFacts, REPORT_EXTENSION, reportFileName, renderDocument, renderReport } from './render';
export { createReportService, type ReportServiceDeps, type ReportParams } from './service';
export { walkthroughOutcome } from './walkthroughs';
export type { RenderedReport, ReportInput, PolicyLintItem, WalkthroughOutcome, ReportDocument, ReportFormat } from './types';
export { REPORT_FORMATS, REPORT_MIME } from './types';
