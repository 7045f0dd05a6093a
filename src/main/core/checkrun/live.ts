import { LabError } from '../../../shared/errors';
import type { TargetRegistry } from '../targets/registry';
import type { GatherFn } from './run';

/** Gathering on a live cluster target (kubeconfig context). */
export function liveClusterGather(_targets: TargetRegistry, _targetId: string, _opts: { debugPods: boolean }): GatherFn {
  return async () => {
    throw new LabError('INTERNAL', 'cluster probes are not wired yet');
  };
}
