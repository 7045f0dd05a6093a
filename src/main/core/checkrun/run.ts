import { LabError } from '../../../shared/errors';
import type { Finding } from '../../../shared/api/checks-types';
import { runChecks, selectChecks, factsNeeded, type Check, type CheckOptions } from '../checks';
import type { FactKey, FactSet } from '../facts/types';
import type { CheckRun } from '../format/types';
import { APP_VERSION } from '../version';

export interface GatherProgress {
  key: FactKey;
  state: 'started' | 'done' | 'unknown';
  detail?: string;
}

export interface Gathered {
  facts: FactSet;
  raw: Record<string, unknown[]>;
}

/** Where facts come from: a live probe or a snapshot. Gets only the keys the checks need. */
export type GatherFn = (keys: FactKey[], opts: { onProgress?: (p: GatherProgress) => void; signal?: AbortSignal }) => Promise<Gathered>;

export interface RunOptions extends CheckOptions {
  only?: string[];
  onProgress?: (p: GatherProgress) => void;
  onFinding?: (f: Finding) => void;
  signal?: AbortSignal;
}

export interface RunResult extends CheckRun, Gathered {
  keys: FactKey[];
}

/**
 * Gathers exactly the facts the chosen checks need, then evaluates them.
 * The same path serves the UI, the CLI and snapshots.
 */
export async function runOnTarget(target: CheckRun['target'], gather: GatherFn, opts: RunOptions = {}): Promise<RunResult> {
  let checks;
  try {
    checks = selectChecks(opts.only);
  } catch (err) {
    throw new LabError('INVALID_REQUEST', (err as Error).message, 'Run `datapath-lab check --help` for the check ids.');
  }
  const keys = factsNeeded(checks);
  const startedAt = new Date();
  const { facts, raw } = await gather(keys, { onProgress: opts.onProgress, signal: opts.signal });
  const findings = runChecks(facts, { ciliumVersion: opts.ciliumVersion }, checks).map((f) => notApplicable(f, facts, checks));
  for (const f of findings) opts.onFinding?.(f);
  return { target, findings, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), tool: `datapath-lab ${APP_VERSION}`, facts, raw, keys };
}

/**
 * A check that is unknown only because the facts it needs do not apply to
 * this target (cluster facts on the host) is not applicable, not unknown.
 */
function notApplicable(f: Finding, facts: FactSet, checks: readonly Check[]): Finding {
  if (f.status !== 'unknown') return f;
  const check = checks.find((c) => c.id === f.checkId);
  const unknowns = (check?.needs ?? []).map((k) => [k, facts[k]] as const).filter(([, v]) => v?.state === 'unknown');
  if (!unknowns.length || !unknowns.every(([, v]) => v?.state === 'unknown' && v.reason === 'not-applicable')) return f;
  const why = unknowns[0]![1]!.state === 'unknown' ? (unknowns[0]![1] as { detail: string }).detail : '';
  return { ...f, status: 'not-applicable', summary: `Not applicable here: ${why}`, fix: null };
}

/** Gathering from a snapshot: the facts it holds, restricted to the keys asked for. */
export function snapshotGather(facts: FactSet, raw: Record<string, unknown[]>): GatherFn {
  return async (keys) => {
    const subset: FactSet = {};
    for (const k of keys) if (facts[k]) (subset as Record<string, unknown>)[k] = facts[k];
    return { facts: subset, raw };
  };
}
