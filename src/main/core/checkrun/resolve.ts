import { hostname } from 'node:os';
import { LabError } from '../../../shared/errors';
import { isNodeFactKey, type FactKey, type FactSet } from '../facts/types';
import { markUnknown } from '../facts/factset';
import { readHostNodeFacts } from '../probes/host-kernel';
import type { SnapshotLibrary } from '../snapshot/library';
import { HOST_TARGET_ID, type TargetRegistry } from '../targets/registry';
import { snapshotGather, type GatherFn } from './run';
import type { ResolvedTarget } from './service';

/** The host target: this machine's node facts; cluster facts do not apply. */
export const hostGather: GatherFn = async (keys, opts) => {
  const node = hostname();
  const nodeKeys = keys.filter(isNodeFactKey);
  for (const k of nodeKeys) opts.onProgress?.({ key: k, state: 'started' });
  const all = nodeKeys.length ? await readHostNodeFacts(node) : {};
  const facts: FactSet = {};
  for (const k of nodeKeys) {
    (facts as Record<string, unknown>)[k] = (all as Record<string, unknown>)[k];
    opts.onProgress?.({ key: k, state: 'done' });
  }
  const clusterKeys = keys.filter((k) => !isNodeFactKey(k));
  markUnknown(facts, clusterKeys as FactKey[], 'not-applicable', 'the host target has no cluster: pick a kubeconfig context or a snapshot to check the cluster');
  return { facts, raw: {} };
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
