import { counts, type CheckRun } from './types';

/** The CLI's JSON: {"target": {...}, "findings": [{checkId, status, summary, evidence, fix, reference, …}], "summary": {...}}. */
export function formatJson(run: CheckRun): string {
  return `${JSON.stringify(
    {
      target: run.target,
      findings: run.findings.map((f) => ({
        checkId: f.checkId,
        title: f.title,
        category: f.category,
        status: f.status,
        summary: f.summary,
        evidence: f.evidence,
        fix: f.fix,
        reference: f.reference,
        ...(f.details ? { details: f.details } : {}),
      })),
      summary: counts(run.findings),
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      generatedBy: run.tool,
    },
    null,
    2,
  )}\n`;
}
