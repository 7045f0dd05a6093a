import type { PolicyLintItem, ReportFormat, WalkthroughOutcome } from '../../../shared/api/report';
import type { FactSet } from '../facts/types';
import type { CheckRun } from '../format/types';

export type { PolicyLintItem, ReportDocument, ReportFormat, WalkthroughOutcome } from '../../../shared/api/report';
export { REPORT_FORMATS, REPORT_MIME } from '../../../shared/api/report';

/** Everything a report is made from. The same input always gives the same bytes. */
export interface ReportInput {
  run: CheckRun;
  /**
   * The facts of the run (RunResult.facts), for the versions section: Kubernetes, Cilium and
   * other CNIs from the workloads' images, kernel releases per node. Without them only the
   * target's server version is known.
   */
  facts?: FactSet;
  /** Outcomes from the walkthrough engine (empty or absent: the section says none ran). */
  walkthroughs?: readonly WalkthroughOutcome[];
  /** Findings of the policy analyzer's lint (core/policy lint()); empty or absent: none. */
  policyLint?: readonly PolicyLintItem[];
  /** When the report is made (ISO 8601). Injected so that output is reproducible. */
  generatedAt: string;
  /** The snapshot the run was on. Only the file's base name is shown. */
  snapshot?: { title: string | null; file: string };
  /** "datapath-lab 1.2.3"; default from the run's tool. */
  labVersion?: string;
  /** Default: "Datapath Lab report: <kind> <name>". */
  title?: string;
}

export interface RenderedReport {
  format: ReportFormat;
  mime: string;
  /** A file name to save it as (no directory). */
  name: string;
  content: string;
}
