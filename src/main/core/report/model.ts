import { basename } from 'node:path';
import { CHECK_CATEGORIES, type Finding, type FindingStatus } from '../../../shared/api/checks-types';
import { REPORT_DOCUMENT_FORMAT, REPORT_DOCUMENT_VERSION, ReportDocumentSchema, type PolicyLintItem, type ReportDocument, type StatusCounts, type WalkthroughOutcome } from '../../../shared/api/report';
import { counts, STATUS_ORDER } from '../format/types';
import { isSecretField, REDACTED, redactValue } from '../redact/redact';
import type { ReportInput } from './types';
import { cmp, reportVersions } from './versions';

export const REDACTION_NOTE =
  'Redacted: Kubernetes Secrets are never included; values of credential fields (tokens, passwords, client keys, kubeconfig data) and environment variables are removed; certificates, keys, JSON Web Tokens, Authorization headers and cloud access keys are replaced by [redacted …] wherever they appear.';

const statusRank = (s: FindingStatus): number => STATUS_ORDER.indexOf(s);
const categoryRank = (c: string): number => {
  const i = (CHECK_CATEGORIES as readonly string[]).indexOf(c);
  return i < 0 ? CHECK_CATEGORIES.length : i;
};
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

/** Findings in report order: category, worst status first, check id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => categoryRank(a.category) - categoryRank(b.category) || cmp(a.category, b.category) || statusRank(a.status) - statusRank(b.status) || cmp(a.checkId, b.checkId));
}

export function sortLint(items: readonly PolicyLintItem[]): PolicyLintItem[] {
  return [...items].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      cmp(a.id, b.id) ||
      cmp(a.policy ?? '', b.policy ?? '') ||
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      cmp(a.message, b.message),
  );
}

export function sortWalkthroughs(items: readonly WalkthroughOutcome[]): WalkthroughOutcome[] {
  return [...items].sort((a, b) => cmp(a.walkthroughId, b.walkthroughId) || cmp(a.title, b.title));
}

/** The worst status: fail > warn > unknown > pass > not-applicable (pass when nothing ran). */
export function overallStatus(c: StatusCounts): FindingStatus {
  if (c.fail) return 'fail';
  if (c.warn) return 'warn';
  if (c.unknown) return 'unknown';
  return 'pass';
}

/** Evidence whose label names a credential loses its value (the label stays). */
function redactEvidence<T extends { evidence: { label: string; value: string; source: string }[] }>(x: T): T {
  return { ...x, evidence: x.evidence.map((e) => (isSecretField(e.label.trim().replace(/\s+/g, '-')) ? { ...e, value: REDACTED } : e)) };
}

/**
 * The report as data, redacted and in a stable order. Every string of the input passes
 * through redaction here; the renderers only format what this returns.
 */
export function buildReportDocument(input: ReportInput): ReportDocument {
  const { run } = input;
  const facts = input.facts ?? {};
  const findings = sortFindings(run.findings).map(redactEvidence);
  const walkthroughs = sortWalkthroughs(input.walkthroughs ?? []).map(redactEvidence);
  const policyLint = sortLint(input.policyLint ?? []);
  const findingCounts = counts(findings);
  const walkthroughCounts = counts(walkthroughs.map((w) => ({ status: w.status }) as Finding));
  const lintCounts = { error: 0, warning: 0, info: 0 };
  for (const l of policyLint) lintCounts[l.severity]++;
  const lab = input.labVersion ?? run.tool;
  const doc: ReportDocument = {
    format: REPORT_DOCUMENT_FORMAT,
    version: REPORT_DOCUMENT_VERSION,
    title: input.title ?? `Datapath Lab report: ${run.target.kind} ${run.target.name}`,
    generatedAt: input.generatedAt,
    generatedBy: lab,
    target: { kind: run.target.kind, name: run.target.name, context: run.target.context, server: run.target.server },
    snapshot: input.snapshot ? { title: input.snapshot.title, file: basename(input.snapshot.file) } : null,
    run: { startedAt: run.startedAt, durationMs: run.durationMs, tool: run.tool, checks: run.findings.length },
    versions: reportVersions(facts, run.target.serverVersion, lab),
    summary: { status: overallStatus(findingCounts), findings: findingCounts, walkthroughs: walkthroughCounts, policyLint: lintCounts },
    findings,
    walkthroughs,
    policyLint,
    redaction: REDACTION_NOTE,
  };
  return ReportDocumentSchema.parse(redactValue(doc));
}
