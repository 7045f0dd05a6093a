import { basename } from 'node:path';
import { LabError } from '../../../shared/errors';
import { liveClusterGather } from '../checkrun/live';
import { resolveTarget } from '../checkrun/resolve';
import { fetchPolicyObjects, policyObjectsFromSnapshot } from '../policy-live/fetch';
import type { SnapshotLibrary } from '../snapshot/library';
import { HOST_TARGET_ID, type TargetRegistry } from '../targets/registry';
import type { PitfallServiceOptions, PitfallSource } from './service';

/**
 * Where a pitfall run's facts and policy objects come from, from the app's own parts: the
 * target registry (live clusters: the fact gatherer and the policy objects' paged lists), the
 * snapshot library (the facts and raw.policy a snapshot holds) and the host. The lab service
 * builds the pitfall service with this; the integration tests use the same wiring.
 */
export function pitfallResolver(o: { targets: TargetRegistry; snapshots: SnapshotLibrary }): PitfallServiceOptions['resolve'] {
  return async (targetId, { debugPods }): Promise<PitfallSource> => {
    const resolved = await resolveTarget({ targets: o.targets, snapshots: o.snapshots, clusterGather: (id, g) => liveClusterGather(o.targets, id, g) }, targetId, { debugPods });
    if (targetId.startsWith('snapshot:')) {
      const s = o.snapshots.get(targetId);
      const entry = o.snapshots.entries().find((e) => e.id === targetId);
      const name = s.title ?? (entry ? basename(entry.file) : targetId);
      return {
        target: { kind: 'snapshot', name },
        gather: resolved.gather,
        policy: async () => {
          if (!s.raw.policy) throw new LabError('NOT_FOUND', 'this snapshot holds no policy objects (captured before policy capture, or from the host)');
          return policyObjectsFromSnapshot(s.raw, `snapshot ${name}`);
        },
      };
    }
    if (targetId === HOST_TARGET_ID) return { target: { kind: 'host', name: resolved.target.name }, gather: resolved.gather, policy: null };
    return { target: { kind: resolved.target.kind, name: resolved.target.name }, gather: resolved.gather, policy: async () => fetchPolicyObjects(o.targets.client(targetId)) };
  };
}
