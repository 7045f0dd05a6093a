import { FACT_KEYS } from '../facts/types';
import type { ResolvedTarget } from '../checkrun/service';
import type { KubeClient } from '../kube/client';
import { fetchPolicyObjects } from '../policy-live/fetch';
import { makeSnapshot, type Snapshot } from './snapshot';

/**
 * Everything a snapshot holds for a live target: every fact the lab can read, the raw objects behind them, and (for clusters) the workloads and
 * policies the policy lab reads. Secrets are removed by makeSnapshot.
 */
export async function captureSnapshot(resolved: ResolvedTarget, client: KubeClient | null, meta: { title?: string; description?: string } = {}): Promise<Snapshot> {
  // Every fact, not only what today's checks read: reports and the recommender read more.
  const { facts, raw } = await resolved.gather([...FACT_KEYS], {});
  const all: Record<string, unknown[]> = { ...raw };
  if (client) all.policy = (await fetchPolicyObjects(client)).raw;
  const { snapshot: _s, ...target } = resolved.target;
  return makeSnapshot({ ...target, kind: target.kind as 'host' | 'kind' | 'cluster' }, facts, all, meta);
}
