import type { CheckCategory, Finding } from '../../../shared/api/checks-types';
import type { FactKey, FactSet } from '../facts/types';

export interface CheckOptions {
  /**
   * The Cilium version to judge against (e.g. "1.18" or "1.16.5"): an upgrade you plan.
   * When absent, the installed version (the agent image tag) is used, else the newest
   * version the checks know.
   */
  ciliumVersion?: string;
}

/**
 * A check is a pure function of facts: no I/O, no clock, no randomness. It never throws
 * for missing facts; it answers `unknown` and says which fact is missing and why.
 */
export interface Check {
  /** Stable id, e.g. kernel.version. */
  id: string;
  title: string;
  category: CheckCategory;
  /** Every fact the check reads; the gatherer collects exactly these. */
  needs: readonly FactKey[];
  /** Where the verdict rules come from (URL or repo path); findings may refine it. */
  reference: string;
  evaluate(facts: FactSet, opts: CheckOptions): Finding;
}
