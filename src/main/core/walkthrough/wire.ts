import { runOnTarget, type GatherFn } from '../checkrun/run';
import { gatherFacts, type GatherTarget, type NodeFactsSource } from '../gather/index';
import type { Runner } from '../runner/runner';
import { HOST_TARGET_ID, type TargetRegistry } from '../targets/registry';
import { LabError } from '../../../shared/errors';
import type { WalkthroughDeps, WalkthroughEmit } from './engine';

/**
 * The engine's dependencies from the app's own parts: the Runner, the target registry (kube
 * target, API client, server), the fact gatherer and the checks engine. The lab service builds
 * the walkthrough service with this; the integration tests use the same wiring.
 */
export interface WireOptions {
  configDir: string;
  runner: Runner;
  targets: TargetRegistry;
  emit?: WalkthroughEmit;
  /** Where node facts come from on kind targets (default: docker/podman exec into the nodes). */
  kindNodeFacts?: NodeFactsSource;
  /** KIND_EXPERIMENTAL_PROVIDER (docker when unset), for the node containers. */
  kindProvider?: string;
  /** resources/walkthroughs by default. */
  dir?: string;
}

export function walkthroughDeps(o: WireOptions): WalkthroughDeps {
  const gatherTarget = (targetId: string): GatherTarget => {
    if (targetId === HOST_TARGET_ID) return { kind: 'host' };
    const t = o.targets.find(targetId);
    if (!t) throw new LabError('NOT_FOUND', `no target ${targetId}`, 'Refresh the Clusters page.');
    if (t.kind === 'snapshot') throw new LabError('INVALID_REQUEST', 'a snapshot is read-only: walkthrough steps run on a cluster target');
    const engine = (o.kindProvider || 'docker').toLowerCase();
    return {
      kind: t.kind === 'kind' ? 'kind' : 'cluster',
      client: o.targets.client(targetId),
      ...(t.kindCluster ? { kindCluster: t.kindCluster } : {}),
      ...(t.kind === 'kind' ? { enginePath: o.runner.resolve(engine === 'podman' ? 'podman' : 'docker').path ?? undefined, nodeFacts: o.kindNodeFacts ?? 'kind' } : {}),
    };
  };
  const gather = (targetId: string): GatherFn => {
    const t = gatherTarget(targetId);
    return async (keys, g) => {
      const r = await gatherFacts(t, keys, { signal: g.signal, onProgress: g.onProgress });
      return { facts: r.facts, raw: r.raw };
    };
  };
  return {
    configDir: o.configDir,
    ...(o.dir ? { dir: o.dir } : {}),
    runner: o.runner,
    kubeTarget: (targetId) => o.targets.kubeTarget(targetId),
    reader: (targetId) => o.targets.client(targetId),
    server: (targetId) => o.targets.find(targetId)?.server ?? null,
    checks: async (targetId, ids, c) => {
      const t = o.targets.find(targetId);
      const r = await runOnTarget({ kind: t?.kind ?? 'cluster', name: t?.name ?? targetId, context: t?.context ?? null, server: t?.server ?? null, serverVersion: null }, gather(targetId), { only: ids, signal: c.signal });
      return r.findings;
    },
    facts: async (targetId, keys, c) => (await gatherFacts(gatherTarget(targetId), keys, { signal: c.signal })).facts,
    kindKubeconfig: () => o.targets.paths[0]!,
    ...(o.emit ? { emit: o.emit } : {}),
  };
}
