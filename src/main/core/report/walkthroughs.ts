import type { Evidence, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type { WalkthroughOutcome } from '../../../shared/api/report';
import type { VerificationResult, WalkthroughProgress } from '../../../shared/api/walkthrough';

/** At most this many verification results become evidence rows of one walkthrough. */
const MAX_EVIDENCE = 40;

const RESULT_STATUS: Record<VerificationResult['status'], FindingStatus> = { pass: 'pass', warn: 'warn', fail: 'fail', unknown: 'unknown', skipped: 'not-applicable' };

/**
 * A walkthrough's progress on a target (the walkthrough engine's WalkthroughProgress) as a
 * report outcome, or null when no step has run. Status: fail when a step failed; unknown
 * while steps remain (running or not started); warn when every step passed but a result
 * warned; pass when every step passed or was skipped. Evidence: the last run's verification
 * results of each step; fix: the failing result's finding fix, when it has one.
 */
export function walkthroughOutcome(w: { id: string; title: string; stepTitles?: Record<string, string> }, progress: WalkthroughProgress): WalkthroughOutcome | null {
  const steps = progress.steps;
  if (steps.every((s) => s.state === 'not-started')) return null;
  const title = (id: string) => w.stepTitles?.[id] ?? id;
  const failed = steps.find((s) => s.state === 'failed');
  const passed = steps.filter((s) => s.state === 'passed').length;
  const skipped = steps.filter((s) => s.state === 'skipped').length;
  const pending = steps.filter((s) => s.state === 'running' || s.state === 'not-started');
  const results = steps.flatMap((s) => (s.lastRun?.results ?? []).map((r) => ({ step: s.stepId, r })));
  const warned = results.some(({ r }) => r.status === 'warn');

  let status: FindingStatus;
  let diagnosis: string;
  if (failed) {
    status = 'fail';
    diagnosis = `Step "${title(failed.stepId)}" failed${failed.reason ? `: ${failed.reason}` : ''}.`;
  } else if (pending.length) {
    status = 'unknown';
    diagnosis = `${passed} of ${steps.length} steps passed${skipped ? ` (${skipped} skipped)` : ''}; not finished: ${pending.map((s) => `"${title(s.stepId)}"`).join(', ')}.`;
  } else {
    status = warned ? 'warn' : 'pass';
    diagnosis = `All ${steps.length} steps done: ${passed} passed${skipped ? `, ${skipped} skipped` : ''}${warned ? ', with warnings' : ''}.`;
  }
  const skippedWhy = steps.filter((s) => s.state === 'skipped' && s.reason).map((s) => `"${title(s.stepId)}" skipped: ${s.reason}`);
  if (skippedWhy.length) diagnosis += ` ${skippedWhy.join('; ')}.`;

  const evidence: Evidence[] = results.slice(0, MAX_EVIDENCE).map(({ step, r }) => ({
    label: `${title(step)}: ${r.title}`,
    value: `${RESULT_STATUS[r.status]}: ${r.summary}`,
    source: r.finding ? `check ${r.finding.checkId}` : r.kind,
  }));
  if (results.length > MAX_EVIDENCE) evidence.push({ label: 'more', value: `${results.length - MAX_EVIDENCE} more results`, source: 'walkthrough progress' });

  let fix: Fix | null = null;
  if (failed) {
    const bad = (failed.lastRun?.results ?? []).find((r) => r.status === 'fail');
    fix = bad?.finding?.fix ?? null;
  }
  return { walkthroughId: w.id, title: w.title, diagnosis, status, evidence, fix };
}
