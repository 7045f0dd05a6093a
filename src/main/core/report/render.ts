import type { FactKey } from '../facts/types';
import type { GatherFn } from '../checkrun/run';
import { REPORT_MIME, type ReportDocument, type ReportFormat } from '../../../shared/api/report';
import { assertReportSafe } from './guard';
import { buildReportDocument } from './model';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-md';
import { slug } from './text';
import type { RenderedReport, ReportInput } from './types';

/** Facts the versions section reads, on top of what the checks need. */
export const REPORT_FACT_KEYS: readonly FactKey[] = ['k8s.version', 'k8s.nodes', 'k8s.workloads', 'node.kernel.release'];

/** A gather function that also collects the facts the report's versions section reads. */
export function withReportFacts(gather: GatherFn): GatherFn {
  return (keys, opts) => gather([...new Set([...keys, ...REPORT_FACT_KEYS])], opts);
}

export const REPORT_EXTENSION: Record<ReportFormat, string> = { md: 'md', html: 'html', json: 'json' };

/** datapath-lab-report-<target>-<yyyymmdd-hhmmss>.<ext>, from the generation time (no clock read here). */
export function reportFileName(doc: Pick<ReportDocument, 'target' | 'generatedAt'>, format: ReportFormat): string {
  const digits = doc.generatedAt.replace(/\D/g, '');
  const stamp = digits.length >= 14 ? `${digits.slice(0, 8)}-${digits.slice(8, 14)}` : digits || 'undated';
  return `datapath-lab-report-${slug(doc.target.name)}-${stamp}.${REPORT_EXTENSION[format]}`;
}

/** Renders an already redacted document and checks the bytes; throws rather than return a secret. */
export function renderDocument(doc: ReportDocument, format: ReportFormat): RenderedReport {
  const content = format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : format === 'html' ? renderHtml(doc) : renderMarkdown(doc);
  assertReportSafe(content, `the ${format} report`);
  return { format, mime: REPORT_MIME[format], name: reportFileName(doc, format), content };
}

/** The report in one format. Same input, same bytes. */
export function renderReport(input: ReportInput, format: ReportFormat): RenderedReport {
  return renderDocument(buildReportDocument(input), format);
}
