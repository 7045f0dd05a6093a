import type { ObjectDiff } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';

/**
 * What is in the cluster compared with what a file applies: each object read through the API
 * and compared field by field. Every field the file sets must be in the live object with the
 * same value; fields the server adds (uid, defaults, status) are not differences. This is the
 * "read back" of applied manifests and the diff shown before applying them.
 */

/** Reads one object by its API path; throws a LabError with code NOT_FOUND on 404. */
export interface ApiReader {
  get<T>(path: string, opts?: { signal?: AbortSignal; what?: string }): Promise<T>;
}

interface ObjectRef {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

/** Resource names of the kinds the walkthroughs apply (no discovery needed). */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  DaemonSet: { plural: 'daemonsets', namespaced: true },
  NetworkPolicy: { plural: 'networkpolicies', namespaced: true },
  CiliumNetworkPolicy: { plural: 'ciliumnetworkpolicies', namespaced: true },
  CiliumClusterwideNetworkPolicy: { plural: 'ciliumclusterwidenetworkpolicies', namespaced: false },
};

/** The API path of an object (the namespace defaults to "default" for namespaced kinds, as kubectl does). */
export function objectPath(obj: ObjectRef): string {
  const kind = String(obj.kind ?? '');
  const apiVersion = String(obj.apiVersion ?? '');
  const name = String(obj.metadata?.name ?? '');
  const r = RESOURCES[kind];
  if (!r || !apiVersion || !name) throw new LabError('INVALID_REQUEST', `cannot read back ${kind || 'an object without kind'} ${name}: unknown kind or no name`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(String(obj.metadata?.namespace ?? 'default'))}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(name)}`;
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Where `want` is not contained in `have`: "path: applied X, in the cluster Y". */
export function containedDifferences(want: unknown, have: unknown, path = ''): string[] {
  const at = path || '(object)';
  if (want === null || typeof want !== 'object') {
    if (want === have) return [];
    // Numbers and strings the server may normalise ("53" vs 53 in ports that accept both).
    if ((typeof want === 'number' || typeof want === 'string') && (typeof have === 'number' || typeof have === 'string') && String(want) === String(have)) return [];
    return [`${at}: applied ${show(want)}, in the cluster ${show(have)}`];
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) return [`${at}: applied a list of ${want.length}, in the cluster ${show(have)}`];
    if (want.length !== have.length) return [`${at}: applied ${want.length} item${want.length === 1 ? '' : 's'}, in the cluster ${have.length}`];
    return want.flatMap((w, i) => containedDifferences(w, have[i], `${path}[${i}]`));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return [`${at}: applied an object, in the cluster ${show(have)}`];
  return Object.entries(want as Record<string, unknown>).flatMap(([k, w]) => containedDifferences(w, (have as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
}

/** The parts of an object that are compared: everything but status and server-owned metadata. */
function comparable(obj: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = obj;
  const m = (obj.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = { name: m.name };
  if (m.labels) metadata.labels = m.labels;
  if (m.annotations) metadata.annotations = m.annotations;
  return { ...rest, metadata };
}

export async function compareWithCluster(objects: readonly Record<string, unknown>[], reader: ApiReader, o: { signal?: AbortSignal } = {}): Promise<ObjectDiff[]> {
  const out: ObjectDiff[] = [];
  for (const obj of objects) {
    const ref = obj as ObjectRef;
    const kind = String(ref.kind ?? '');
    const name = String(ref.metadata?.name ?? '');
    const r = RESOURCES[kind];
    const namespace = r?.namespaced ? String(ref.metadata?.namespace ?? 'default') : null;
    let live: Record<string, unknown>;
    try {
      live = await reader.get<Record<string, unknown>>(objectPath(ref), { signal: o.signal, what: `${kind} ${namespace ? `${namespace}/` : ''}${name}` });
    } catch (err) {
      if (err instanceof LabError && err.code === 'NOT_FOUND') out.push({ kind, namespace, name, state: 'absent', differences: [] });
      else out.push({ kind, namespace, name, state: 'unknown', differences: [err instanceof Error ? err.message : String(err)] });
      continue;
    }
    const differences = containedDifferences(comparable(obj), live);
    out.push({ kind, namespace, name, state: differences.length ? 'differs' : 'same', differences });
  }
  return out;
}
