/**
 * Shared shapes for the dataplane parsers. Every parser returns what it could
 * read plus `problems`: the lines it did not understand, each with its 1-based
 * line number and a reason. Parsers never throw on bad input.
 */

export interface ParseProblem {
  /** 1-based line number in the input (0 when the problem is about the whole input). */
  line: number;
  /** The offending text (trimmed to a reasonable length). */
  text: string;
  reason: string;
}

/** ok: nothing wrong; degraded: works but something needs attention; failed: not working. */
export type Verdict = 'ok' | 'degraded' | 'failed';

/** The agent API's health states (models.Status.State), plus what old agents printed. */
export type SubsystemState = 'Ok' | 'Warning' | 'Failure' | 'Disabled' | string;

export interface SubsystemStatus {
  state: SubsystemState;
  message: string;
}
