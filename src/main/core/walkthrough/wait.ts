import { LabError } from '../../../shared/errors';
import type { ApiReader } from '../baseline/compare';

/**
 * Waits until a DaemonSet or Deployment is rolled out and ready, polling the API (the rules of
 * `kubectl rollout status`: the controller saw the latest generation, every replica is updated
 * and available). Reports progress when it changes; on timeout says which pods are not ready
 * and why (Pending with the scheduler's message, waiting containers and their reasons).
 */

export interface WaitSpec {
  kind: 'DaemonSet' | 'Deployment';
  namespace: string;
  name: string;
  timeoutMs: number;
  /** A missing workload passes as "not deployed" (optional components). */
  mayBeAbsent?: boolean;
}

export interface WaitProgress {
  done: number;
  total: number;
  message: string;
}

export interface WaitResult {
  status: 'pass' | 'fail' | 'skipped';
  summary: string;
  details: string[];
  elapsedMs: number;
}

interface Workload {
  metadata?: { generation?: number };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    // DaemonSet
    desiredNumberScheduled?: number;
    numberReady?: number;
    numberAvailable?: number;
    updatedNumberScheduled?: number;
    // Deployment
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
  };
}

interface PodList {
  items?: {
    metadata?: { name?: string };
    spec?: { nodeName?: string };
    status?: {
      phase?: string;
      conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
      containerStatuses?: { name?: string; ready?: boolean; state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } } }[];
    };
  }[];
}

const PLURAL = { DaemonSet: 'daemonsets', Deployment: 'deployments' } as const;

/** Ready or not, with counts, from one object. */
export function rolloutState(kind: 'DaemonSet' | 'Deployment', w: Workload): { ready: boolean; done: number; total: number; message: string } {
  const s = w.status ?? {};
  const gen = w.metadata?.generation ?? 0;
  const observed = s.observedGeneration ?? 0;
  if (observed < gen) return { ready: false, done: 0, total: 0, message: 'waiting for the controller to see the new spec' };
  if (kind === 'DaemonSet') {
    const total = s.desiredNumberScheduled ?? 0;
    const updated = s.updatedNumberScheduled ?? 0;
    const available = s.numberAvailable ?? 0;
    const ready = s.numberReady ?? 0;
    if (total === 0) return { ready: false, done: 0, total: 0, message: 'no node runs it yet (0 desired)' };
    if (updated < total) return { ready: false, done: updated, total, message: `${updated} of ${total} pods updated` };
    if (available < total || ready < total) return { ready: false, done: Math.min(ready, available), total, message: `${Math.min(ready, available)} of ${total} pods ready` };
    return { ready: true, done: total, total, message: `${total} of ${total} pods ready` };
  }
  const total = w.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < total) return { ready: false, done: updated, total, message: `${updated} of ${total} replicas updated` };
  if ((s.replicas ?? 0) > updated) return { ready: false, done: updated, total, message: `${(s.replicas ?? 0) - updated} old replicas are terminating` };
  if (available < total || ready < total) return { ready: false, done: Math.min(ready, available), total, message: `${Math.min(ready, available)} of ${total} replicas ready` };
  return { ready: true, done: total, total, message: `${total} of ${total} replicas ready` };
}

/** Why pods of a workload are not ready: one line per pod that is not. */
export function podProblems(pods: PodList): string[] {
  const out: string[] = [];
  for (const p of pods.items ?? []) {
    const name = p.metadata?.name ?? '?';
    const st = p.status ?? {};
    const readyCond = st.conditions?.find((c) => c.type === 'Ready');
    if (st.phase === 'Running' && readyCond?.status === 'True') continue;
    const sched = st.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched) {
      out.push(`${name}: Pending, not scheduled: ${sched.message ?? sched.reason ?? 'no reason given'}`);
      continue;
    }
    const waiting = st.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
    const term = st.containerStatuses?.find((c) => c.state?.terminated)?.state?.terminated;
    const why = waiting ? `${waiting.reason ?? 'waiting'}${waiting.message ? `: ${waiting.message}` : ''}` : term ? `terminated ${term.reason ?? ''} (exit ${term.exitCode ?? '?'})` : `${st.phase ?? 'unknown phase'}${readyCond ? `, Ready ${readyCond.status}${readyCond.message ? `: ${readyCond.message}` : ''}` : ''}`;
    out.push(`${name}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}: ${why}`);
  }
  return out;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

export async function waitForWorkload(reader: ApiReader, spec: WaitSpec, o: { signal?: AbortSignal; intervalMs?: number; onProgress?: (p: WaitProgress) => void } = {}): Promise<WaitResult> {
  const t0 = Date.now();
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(spec.namespace)}/${PLURAL[spec.kind]}/${encodeURIComponent(spec.name)}`;
  const what = `${spec.kind} ${spec.namespace}/${spec.name}`;
  let last = '';
  let firstPoll = true;
  for (;;) {
    if (o.signal?.aborted) throw new LabError('CANCELLED', `stopped waiting for ${what}`);
    let w: Workload | null = null;
    try {
      w = await reader.get<Workload>(path, { signal: o.signal, what });
    } catch (err) {
      if (!(err instanceof LabError) || err.code !== 'NOT_FOUND') throw err;
      if (spec.mayBeAbsent && firstPoll) return { status: 'skipped', summary: `${what} is not deployed (optional)`, details: [], elapsedMs: Date.now() - t0 };
    }
    firstPoll = false;
    const state = w ? rolloutState(spec.kind, w) : { ready: false, done: 0, total: 0, message: 'not created yet' };
    if (state.message !== last) {
      last = state.message;
      o.onProgress?.({ done: state.done, total: state.total, message: `${what}: ${state.message}` });
    }
    if (state.ready) return { status: 'pass', summary: `${what}: ${state.message}`, details: [], elapsedMs: Date.now() - t0 };
    if (Date.now() - t0 >= spec.timeoutMs) {
      const details: string[] = [];
      const sel = w?.spec?.selector?.matchLabels;
      if (sel && Object.keys(sel).length) {
        try {
          const q = encodeURIComponent(Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(','));
          const pods = await reader.get<PodList>(`/api/v1/namespaces/${encodeURIComponent(spec.namespace)}/pods?labelSelector=${q}&limit=50`, { what: `pods of ${what}` });
          details.push(...podProblems(pods).slice(0, 20));
        } catch (err) {
          details.push(`the pods could not be listed: ${(err as Error).message}`);
        }
      }
      return { status: 'fail', summary: `${what} was not ready after ${Math.round(spec.timeoutMs / 1000)} s: ${state.message}`, details, elapsedMs: Date.now() - t0 };
    }
    await sleep(Math.min(o.intervalMs ?? 2000, Math.max(50, spec.timeoutMs - (Date.now() - t0))), o.signal);
  }
}
