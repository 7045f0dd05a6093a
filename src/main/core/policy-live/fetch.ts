import { LabError } from '../../../shared/errors';
import type { KubeClient } from '../kube/client';
import type { InputObject, PolicyIssue } from '../policy';

/** The collections the policy analyzer reads from a cluster, with the kind of their items. */
const SOURCES: { path: string; kind: string; what: string; optional?: boolean }[] = [
  { path: '/api/v1/namespaces', kind: 'Namespace', what: 'namespaces' },
  { path: '/api/v1/pods', kind: 'Pod', what: 'pods' },
  { path: '/api/v1/services', kind: 'Service', what: 'services' },
  { path: '/apis/apps/v1/deployments', kind: 'Deployment', what: 'deployments' },
  { path: '/apis/apps/v1/replicasets', kind: 'ReplicaSet', what: 'replicasets' },
  { path: '/apis/apps/v1/statefulsets', kind: 'StatefulSet', what: 'statefulsets' },
  { path: '/apis/apps/v1/daemonsets', kind: 'DaemonSet', what: 'daemonsets' },
  { path: '/apis/batch/v1/jobs', kind: 'Job', what: 'jobs' },
  { path: '/apis/batch/v1/cronjobs', kind: 'CronJob', what: 'cronjobs' },
  { path: '/apis/networking.k8s.io/v1/networkpolicies', kind: 'NetworkPolicy', what: 'networkpolicies' },
  { path: '/apis/cilium.io/v2/ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', what: 'ciliumnetworkpolicies', optional: true },
  { path: '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', kind: 'CiliumClusterwideNetworkPolicy', what: 'ciliumclusterwidenetworkpolicies', optional: true },
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(o: unknown, keys: string[]): Obj | undefined {
  if (!isObj(o)) return undefined;
  const out: Obj = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** What the analyzer reads of a pod spec: labels live in metadata; ports, service account and host networking here. */
function compactPodSpec(spec: unknown): Obj | undefined {
  if (!isObj(spec)) return undefined;
  const containers = (list: unknown) => (Array.isArray(list) ? list.map((c) => pick(c, ['name', 'ports'])) : undefined);
  return { ...pick(spec, ['serviceAccountName', 'hostNetwork', 'nodeName']), containers: containers(spec.containers), initContainers: containers(spec.initContainers) };
}

function compactMeta(m: unknown): Obj | undefined {
  return pick(m, ['name', 'namespace', 'labels', 'ownerReferences', 'uid']);
}

/**
 * Keeps only what the policy analyzer reads (and no secret: env, volumes,
 * annotations and managedFields never leave): policies whole, workloads as
 * metadata + pod template labels and ports, pods likewise plus their IP.
 */
export function compactForPolicy(o: Obj, kind: string): Obj {
  const base: Obj = { apiVersion: o.apiVersion, kind, metadata: compactMeta(o.metadata) };
  switch (kind) {
    case 'NetworkPolicy':
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
      return { ...base, spec: o.spec, ...(o.specs !== undefined ? { specs: o.specs } : {}) };
    case 'Namespace':
      return base;
    case 'Pod':
      return { ...base, spec: compactPodSpec(o.spec), status: pick(o.status, ['podIP', 'podIPs', 'phase']) };
    case 'Service':
      return { ...base, spec: pick(o.spec, ['selector', 'ports', 'clusterIP', 'type']) };
    case 'CronJob': {
      const spec = isObj(o.spec) ? o.spec : {};
      const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
      const js = isObj(jt.spec) ? jt.spec : {};
      const t = isObj(js.template) ? js.template : {};
      return { ...base, spec: { jobTemplate: { metadata: compactMeta(jt.metadata), spec: { template: { metadata: compactMeta(t.metadata), spec: compactPodSpec(t.spec) } } } } };
    }
    default: {
      const spec = isObj(o.spec) ? o.spec : {};
      const t = isObj(spec.template) ? spec.template : {};
      return { ...base, spec: { ...pick(spec, ['selector', 'replicas']), template: { metadata: compactMeta(t.metadata), spec: compactPodSpec(t.spec) } } };
    }
  }
}

/**
 * Reads the policy analyzer's input from a live cluster: paged lists, compacted
 * as they arrive. A forbidden list or a missing Cilium CRD becomes an issue
 * (the analysis goes on without it); an unreachable cluster is an error.
 */
export async function fetchPolicyObjects(client: KubeClient, opts: { signal?: AbortSignal } = {}): Promise<{ objects: InputObject[]; issues: PolicyIssue[]; raw: Obj[] }> {
  const raw: Obj[] = [];
  const issues: PolicyIssue[] = [];
  const source = `context ${client.contextName}`;
  await Promise.all(
    SOURCES.map(async (s) => {
      try {
        await client.list<Obj>(s.path, { limit: 500, what: s.what, signal: opts.signal, timeoutMs: 30_000 }, (items) => {
          for (const it of items) raw.push(compactForPolicy(it, s.kind));
        });
      } catch (err) {
        if (!(err instanceof LabError)) throw err;
        if (err.code === 'UNREACHABLE' || err.code === 'UNAUTHORIZED' || err.code === 'TLS' || err.code === 'CANCELLED') throw err;
        if (err.code === 'NOT_FOUND' && s.optional) {
          issues.push({ severity: 'info', file: source, message: `${s.what}: the Cilium CRD is not installed (no ${s.kind} objects)` });
        } else {
          issues.push({ severity: 'warning', file: source, message: `${s.what} not read: ${err.message}${err.fix ? ` (${err.fix})` : ''}` });
        }
      }
    }),
  );
  // Stable order: the analysis output must not depend on which list answered first.
  const order = new Map(SOURCES.map((s, i) => [s.kind, i]));
  raw.sort((a, b) => (order.get(String(a.kind))! - order.get(String(b.kind))!) || key(a).localeCompare(key(b)));
  return { objects: raw.map((obj) => ({ obj, file: source })), issues, raw };
}

function key(o: Obj): string {
  const m = isObj(o.metadata) ? o.metadata : {};
  return `${String(m.namespace ?? '')}/${String(m.name ?? '')}`;
}

/** Input objects from a snapshot's raw.policy list. */
export function policyObjectsFromSnapshot(raw: Record<string, unknown[]>, name: string): { objects: InputObject[]; issues: PolicyIssue[] } {
  const list = raw.policy;
  if (!list) return { objects: [], issues: [{ severity: 'warning', file: name, message: 'this snapshot holds no policy objects (it was captured before policy capture, or from the host)' }] };
  return { objects: list.map((obj) => ({ obj, file: name })), issues: [] };
}
