import { hostname } from 'node:os';
import { LabError } from '../../../shared/errors';
import type { Fact } from '../../../shared/facts';
import { factsNeeded, selectChecks } from '../checks/index';
import { markUnknown, mergeFactSets } from '../facts/factset';
import { isNodeFactKey, type FactKey, type FactSet, type NodeFactKey } from '../facts/types';
import { ACCEPT_TABLE, type KubeClient } from '../kube/client';
import { ClusterApi } from '../probes/cluster-api';
import { probeCluster, type ProgressFn } from '../probes/cluster';
import { runDebugPod } from '../probes/debug-pod';
import { readHostNodeFacts } from '../probes/host-kernel';
import { readKindNodeFacts } from '../probes/kind-nodes';

/**
 * The fact gatherer: given a target and the facts the chosen checks need, runs the probes
 * that can produce them and nothing else.
 *
 * - host: node facts of this machine (the node is named after the host); cluster facts are
 *   not applicable.
 * - cluster / kind: cluster facts from the API (probeCluster). Node facts from the node
 *   containers on a kind target (docker/podman exec), from debug pods only when the user
 *   opted in, otherwise unknown (not-applicable) with how to get them. The kernel release
 *   stays known without them: checks fall back to each Node's status.nodeInfo.kernelVersion.
 */

export type NodeFactsSource = 'none' | 'kind' | 'debug-pod';

export type GatherTarget =
  | { kind: 'host'; hostName?: string }
  | {
      kind: 'cluster' | 'kind';
      client: KubeClient;
      /** kind cluster name; default: the context name without its "kind-" prefix. */
      kindCluster?: string;
      /** docker or podman binary for kind node containers (default: found on PATH). */
      enginePath?: string;
      /** Where node facts come from; default 'kind' on a kind target, 'none' on a cluster. */
      nodeFacts?: NodeFactsSource;
    };

export interface DebugPodGatherOptions {
  /** Image with sh, base64, grep and cat (busybox works; ip is optional). */
  image: string;
  namespace?: string;
  /** Nodes to read (default: every node, up to maxNodes); the others are unknown (not-applicable). */
  nodes?: string[];
  /** At most this many debug pods (default 20); other nodes stay unknown. */
  maxNodes?: number;
  /** Debug pods at once (default 2). */
  concurrency?: number;
  /** Per pod, how long to wait for it to finish (default 90 s). */
  timeoutMs?: number;
  onPod?: (node: string, state: string) => void;
}

export interface GatherOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** API requests at once (default 4). */
  concurrency?: number;
  /** Deadline of one API request (default 30 s). */
  timeoutMs?: number;
  pageSize?: number;
  /** Keep the raw API objects for a snapshot (default true); a check run can pass false to hold less. */
  raw?: boolean;
  /** Required when nodeFacts is 'debug-pod': the user agreed to these pods. */
  debugPod?: DebugPodGatherOptions;
}

export interface GatherResult {
  facts: FactSet;
  /** Raw objects per resource (see probeCluster), plus node-script output per node ("node-script"). */
  raw: Record<string, unknown[]>;
  /** Milliseconds per fact key, per probe ("probe:cluster", "probe:nodes") and in total ("total"). */
  durations: Record<string, number>;
}

/** The facts the checks with these ids need (every check when ids is empty). */
export const factsForChecks = (ids?: readonly string[]): FactKey[] => factsNeeded(selectChecks(ids));

/** How to get node facts when none were read, for the unknown detail. */
export const NODE_FACTS_HINT =
  'node facts are read on each node: a kind target reads them with docker/podman exec in its node containers; on other clusters opt in to the node debug pod (one short read-only pod per node; its manifest is shown first). The kernel release still comes from each Node\u2019s status.nodeInfo.kernelVersion.';

const progressOf = (onProgress: ProgressFn | undefined, keys: readonly NodeFactKey[], facts: FactSet) => {
  for (const k of keys) {
    const f = facts[k] as Fact<unknown> | undefined;
    if (f) onProgress?.(f.state === 'known' ? { key: k, state: 'done' } : { key: k, state: 'unknown', detail: `${f.reason}: ${f.detail}` });
  }
};

/** Node names of the cluster (Table, names only). */
async function nodeNames(client: KubeClient, o: GatherOptions): Promise<string[]> {
  const api = new ClusterApi(client, { concurrency: 1, timeoutMs: o.timeoutMs, signal: o.signal });
  const names: string[] = [];
  await api.list<{ cells: unknown[] }>('/api/v1/nodes', { accept: ACCEPT_TABLE, what: 'nodes', limit: o.pageSize ?? 500, query: { includeObject: 'None' } }, (page) => {
    const i = Math.max(0, (page.columnDefinitions ?? []).findIndex((d) => d.name === 'Name'));
    for (const r of page.rows ?? []) if (typeof r.cells[i] === 'string') names.push(r.cells[i] as string);
  });
  return names;
}

export async function gatherFacts(target: GatherTarget, keys: readonly FactKey[], opts: GatherOptions = {}): Promise<GatherResult> {
  const t0 = performance.now();
  const wanted = [...new Set(keys)];
  const nodeKeys = wanted.filter(isNodeFactKey);
  const clusterKeys = wanted.filter((k) => !isNodeFactKey(k));
  const durations: Record<string, number> = {};
  const raw: Record<string, unknown[]> = {};
  const sets: FactSet[] = [];
  const since = (t: number) => Math.round(performance.now() - t);

  if (target.kind === 'host') {
    const set: FactSet = {};
    markUnknown(set, clusterKeys, 'not-applicable', 'the host target has no Kubernetes API: pick a cluster or kind target for cluster facts', 'host');
    for (const k of clusterKeys) opts.onProgress?.({ key: k, state: 'unknown', detail: 'not-applicable: the host target has no Kubernetes API' });
    sets.push(set);
    if (nodeKeys.length) {
      for (const k of nodeKeys) opts.onProgress?.({ key: k, state: 'started' });
      const t = performance.now();
      const all = await readHostNodeFacts(target.hostName ?? hostname());
      const only: FactSet = {};
      for (const k of nodeKeys) (only as Record<string, unknown>)[k] = all[k];
      durations['probe:nodes'] = since(t);
      progressOf(opts.onProgress, nodeKeys, only);
      sets.push(only);
    }
    durations.total = since(t0);
    return { facts: mergeFactSets(...sets), raw, durations };
  }

  const source: NodeFactsSource = target.nodeFacts ?? (target.kind === 'kind' ? 'kind' : 'none');
  const client = target.client;

  const nodeTask = async (): Promise<void> => {
    if (nodeKeys.length === 0) return;
    for (const k of nodeKeys) opts.onProgress?.({ key: k, state: 'started' });
    const t = performance.now();
    const set: FactSet = {};
    if (source === 'kind') {
      const cluster = target.kindCluster ?? client.contextName.replace(/^kind-/, '');
      const r = await readKindNodeFacts({ cluster, enginePath: target.enginePath, signal: opts.signal });
      for (const k of nodeKeys) (set as Record<string, unknown>)[k] = r.facts[k];
      if (opts.raw !== false) raw['node-script'] = Object.entries(r.raw).map(([node, output]) => ({ node, via: 'kind', output }));
    } else if (source === 'debug-pod') {
      const dp = opts.debugPod;
      if (!dp) throw new LabError('INVALID_REQUEST', 'node facts from debug pods need debugPod options (image) and the user\u2019s consent');
      const all = await nodeNames(client, opts);
      const max = dp.maxNodes ?? 20;
      const chosen = (dp.nodes ?? all).slice(0, max);
      const queue = [...chosen];
      const outputs: unknown[] = [];
      const worker = async () => {
        for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
          if (opts.signal?.aborted) return;
          const r = await runDebugPod(client, node, { image: dp.image, namespace: dp.namespace, timeoutMs: dp.timeoutMs, signal: opts.signal, onState: (s) => dp.onPod?.(node, s) });
          for (const k of nodeKeys) {
            const f = r.facts[k];
            if (f?.state === 'known') for (const [n, nf] of Object.entries(f.value)) setNode(set, k, n, nf);
          }
          if (r.log !== null) outputs.push({ node, via: `debug pod ${r.namespace}/${r.pod}`, output: r.log });
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(dp.concurrency ?? 2, chosen.length)) }, worker));
      if (opts.signal?.aborted) throw new LabError('CANCELLED', 'the gather was cancelled');
      const picked = new Set(chosen);
      const skipped = all.filter((n) => !picked.has(n));
      for (const n of skipped) for (const k of nodeKeys) setNode(set, k, n, { state: 'unknown', reason: 'not-applicable', detail: `no debug pod ran on this node (debug pods ran on ${chosen.length} of ${all.length} nodes; choose the nodes to read)`, source: 'debug pod' });
      markUnknown(set, nodeKeys, 'not-found', 'no node to read', 'debug pod');
      if (opts.raw !== false) raw['node-script'] = outputs;
    } else {
      markUnknown(set, nodeKeys, 'not-applicable', NODE_FACTS_HINT, target.kind === 'kind' ? 'kind target without node access' : 'cluster target');
    }
    durations['probe:nodes'] = since(t);
    progressOf(opts.onProgress, nodeKeys, set);
    sets.push(set);
  };

  const clusterTask = async (): Promise<void> => {
    if (clusterKeys.length === 0) return;
    const t = performance.now();
    const r = await probeCluster(client, clusterKeys, { signal: opts.signal, onProgress: opts.onProgress, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, pageSize: opts.pageSize, raw: opts.raw });
    durations['probe:cluster'] = since(t);
    durations.requests = r.requests;
    for (const [k, ms] of Object.entries(r.durations)) durations[k] = ms;
    Object.assign(raw, r.raw);
    sets.unshift(r.facts);
  };

  await Promise.all([clusterTask(), nodeTask()]);
  durations.total = since(t0);
  return { facts: mergeFactSets(...sets), raw, durations };
}

/** Puts one node's fact under a node key (the outer map is created known on first use). */
function setNode(set: FactSet, key: NodeFactKey, node: string, fact: Fact<unknown>): void {
  const cur = set[key] as Fact<Record<string, Fact<unknown>>> | undefined;
  if (cur?.state === 'known') cur.value[node] = fact;
  else (set as Record<string, unknown>)[key] = { state: 'known', value: { [node]: fact }, source: 'debug pods' };
}
