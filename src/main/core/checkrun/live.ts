import { stringify } from 'yaml';
import { gatherFacts } from '../gather';
import { debugPodSpec } from '../probes/debug-pod';
import type { TargetRegistry } from '../targets/registry';
import type { GatherFn } from './run';

/** The image of the opt-in node debug pod: it needs sh, cat, base64 and grep; ip is optional. */
export const DEBUG_POD_IMAGE = 'busybox:1.36';

/**
 * Gathering on a live cluster target: cluster facts from the API; node facts
 * from the kind node containers on a kind target, from debug pods only when the
 * user agreed to them.
 */
export function liveClusterGather(targets: TargetRegistry, targetId: string, opts: { debugPods: boolean }): GatherFn {
  return async (keys, o) => {
    const t = targets.find(targetId);
    const r = await gatherFacts(
      { kind: t?.kind === 'kind' ? 'kind' : 'cluster', client: targets.client(targetId), ...(t?.kindCluster ? { kindCluster: t.kindCluster } : {}), ...(opts.debugPods ? { nodeFacts: 'debug-pod' as const } : {}) },
      keys,
      { onProgress: o.onProgress, signal: o.signal, ...(opts.debugPods ? { debugPod: { image: DEBUG_POD_IMAGE } } : {}) },
    );
    return { facts: r.facts, raw: r.raw };
  };
}

/** The exact debug pod the lab would create on a node, as YAML, for the user to read before agreeing. */
export function debugPodPreview(node: string): string {
  return stringify(debugPodSpec(node, DEBUG_POD_IMAGE));
}
