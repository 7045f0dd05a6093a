import { hostname } from 'node:os';
import { LabError } from '../../../shared/errors';
import { gatherFacts } from '../gather';
import type { SnapshotLibrary } from '../snapshot/library';
import { HOST_TARGET_ID, type TargetRegistry } from '../targets/registry';
import { snapshotGather, type GatherFn } from './run';
import type { ResolvedTarget } from './service';

/** The host target: this machine's node facts; cluster facts do not apply. */
export const hostGather: GatherFn = async (keys, opts) => {
  const r = await gatherFacts({ kind: 'host' }, keys, { onProgress: opts.onProgress, signal: opts.signal });
  return { facts: r.facts, raw: r.raw };
};

export interface ResolveDeps {
  targets: TargetRegistry;
  snapshots: SnapshotLibrary;
  /** Live gathering on a cluster target. */
  clusterGather: (targetId: string, opts: { debugPods: boolean }) => GatherFn;
}

/** Turns a target id into what the check run needs: a description and where its facts come from. */
export async function resolveTarget(deps: ResolveDeps, targetId: string, opts: { debugPods: boolean }): Promise<ResolvedTarget> {
  if (targetId === HOST_TARGET_ID) {
    return { target: { kind: 'host', name: hostname(), context: null, server: null, serverVersion: null }, gather: hostGather };
  }
  if (targetId.startsWith('snapshot:')) {
    const s = deps.snapshots.get(targetId);
    return { target: { ...s.target, snapshot: s.title ?? targetId.replace(/^snapshot:[a-z]+:/, '') }, gather: snapshotGather(s.facts, s.raw) };
  }
  const t = deps.targets.find(targetId);
  if (!t) throw new LabError('NOT_FOUND', `no target ${targetId}`, 'Refresh the Clusters page.');
  const conn = await deps.targets.connect(targetId);
  if (conn.state !== 'connected' && conn.error) throw LabError.from(conn.error);
  return {
    target: { kind: t.kind === 'kind' ? 'kind' : 'cluster', name: t.name, context: t.context, server: t.server, serverVersion: conn.serverVersion },
    gather: deps.clusterGather(targetId, opts),
  };
}
