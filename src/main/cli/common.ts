// What the target-taking commands (check, snapshot, report, recommend) share:
// target flags, their resolution, progress on stderr, and failure messages.
import { resolve as resolvePath } from 'node:path';
import { LabError } from '../../shared/errors';
import { resolveTarget } from '../core/checkrun/resolve';
import { liveClusterGather } from '../core/checkrun/live';
import { snapshotGather, type GatherProgress } from '../core/checkrun/run';
import type { ResolvedTarget } from '../core/checkrun/service';
import type { KubeClient } from '../core/kube/client';
import { SnapshotLibrary } from '../core/snapshot/library';
import { readSnapshot } from '../core/snapshot/snapshot';
import { contextTargetId, HOST_TARGET_ID, TargetRegistry } from '../core/targets/registry';

/** The target flags every target-taking command accepts (parseArgs options). */
export const TARGET_OPTIONS = {
  host: { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  snapshot: { type: 'string' },
  'debug-pods': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CILIUM_VERSION = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;

export function checkCiliumVersion(v: string | undefined): void {
  if (v !== undefined && !CILIUM_VERSION.test(v)) throw new Usage(`--cilium-version must look like 1.18 or 1.16.5, not ${v}`);
}

/** A failure the command reports as a usage error (exit 2, with its help). */
export class Usage extends Error {}

export function targetArgs(values: { host?: boolean; context?: string; snapshot?: string; kubeconfig?: string }, allowSnapshot: boolean) {
  const chosen = [values.host ? 'host' : null, values.context !== undefined ? 'context' : null, values.snapshot !== undefined ? 'snapshot' : null].filter(Boolean);
  if (chosen.length !== 1) throw new Usage(`choose exactly one target: --host, --context NAME${allowSnapshot ? ' or --snapshot FILE' : ''}`);
  if (values.kubeconfig !== undefined && values.context === undefined) throw new Usage('--kubeconfig goes with --context');
}

/** Turns CLI target flags into a resolved target (clear errors for unknown contexts and unreachable clusters). */
export async function resolveCliTarget(values: { host?: boolean; context?: string; snapshot?: string; kubeconfig?: string }, debugPods: boolean): Promise<ResolvedTarget & { client?: KubeClient }> {
  if (values.snapshot !== undefined) {
    const file = resolvePath(values.snapshot);
    const s = readSnapshot(file);
    return { target: { ...s.target, snapshot: file }, gather: snapshotGather(s.facts, s.raw) };
  }
  const env = values.kubeconfig !== undefined ? { ...process.env, KUBECONFIG: resolvePath(values.kubeconfig) } : process.env;
  const targets = new TargetRegistry({ env });
  const snapshots = new SnapshotLibrary('/nonexistent', '/nonexistent');
  const deps = { targets, snapshots, clusterGather: (id: string, o: { debugPods: boolean }) => liveClusterGather(targets, id, o) };
  if (values.host) return resolveTarget(deps, HOST_TARGET_ID, { debugPods });
  const id = contextTargetId(values.context!);
  if (!targets.has(id)) {
    const list = targets.list();
    const names = list.targets.filter((t) => t.context).map((t) => t.context);
    const files = list.files.map((f) => `${f.path} (${f.state}${f.error ? `: ${f.error}` : ''})`).join(', ');
    throw new LabError('NOT_FOUND', `no context "${values.context}" in ${files || 'the kubeconfig'}`, names.length ? `Contexts: ${names.join(', ')}` : 'Pass --kubeconfig FILE or set KUBECONFIG.');
  }
  return { ...(await resolveTarget(deps, id, { debugPods })), client: targets.client(id) };
}

/** Progress on stderr, but only once a run takes longer than a second. */
export function progressPrinter(quiet: boolean) {
  const t0 = Date.now();
  const pending: string[] = [];
  let live = false;
  const timer = setTimeout(() => {
    live = !quiet;
    if (live) for (const l of pending.splice(0)) process.stderr.write(l);
  }, 1000);
  return {
    onProgress(p: GatherProgress) {
      if (p.state === 'started') return;
      const line = `  ${p.key}: ${p.state === 'done' ? 'read' : `unknown (${p.detail ?? ''})`} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`;
      if (live) process.stderr.write(line);
      else pending.push(line);
    },
    stop: () => clearTimeout(timer),
  };
}


/** Prints a failure with its fix and returns the exit code for "usage or connection error". */
export function failed(command: string, err: unknown): number {
  const e = err instanceof LabError ? err : new LabError('INTERNAL', (err as Error).message);
  console.error(`datapath-lab ${command}: ${e.message}${e.fix ? `\n  fix: ${e.fix}` : ''}`);
  return 2;
}
