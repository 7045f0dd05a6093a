import { ACCEPT_TABLE } from '../kube/client';
import type { PodRow } from '../facts/types';
import type { ClusterApi, ListPage } from './cluster-api';

/**
 * Pods as compact rows without ever fetching a full Pod: the server's Table form
 * (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`, `includeObject=None`) carries
 * name, status, IP and node in ~150 bytes a pod instead of several kilobytes of JSON.
 *
 * A Table row has no namespace column (kubectl takes it from the embedded object, which
 * would bring managedFields back), so pods are listed namespace by namespace, paged. Two
 * things the Table does not show come from the server too:
 * - the terminal phases, from the row conditions the server sets (Completed: Succeeded or
 *   Failed, pkg/printers/internalversion printPod);
 * - hostNetwork, from one list with the pod field selector `spec.hostNetwork=true`, joined
 *   by name, node and IP: a hostNetwork pod's IP is its node's, so a same-named pod in
 *   another namespace on the same node with the same IP is itself hostNetwork. A pod that
 *   was scheduled or got its IP between the two lists still matches: an empty node or IP on
 *   either side matches anything.
 */

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string }[];
  object?: { metadata?: { name?: string; namespace?: string } } | null;
}

export interface PodColumns {
  name: number;
  status: number;
  ip: number;
  node: number;
}

/** Column positions by name (the server may add columns; never assume positions). */
export function podColumns(defs: readonly { name: string }[] | undefined): PodColumns {
  const at = (n: string) => (defs ?? []).findIndex((d) => d.name === n);
  const cols = { name: at('Name'), status: at('Status'), ip: at('IP'), node: at('Node') };
  if (cols.name < 0) throw new Error(`the pod Table has no Name column (columns: ${(defs ?? []).map((d) => d.name).join(', ') || 'none'})`);
  return cols;
}

const cell = (row: TableRow, i: number): string => {
  const v = i >= 0 ? row.cells[i] : undefined;
  return typeof v === 'string' && v !== '<none>' ? v : '';
};

/** Status texts kubectl shows while a pod waits for its first start (phase Pending). */
const PENDING_REASONS = /^(Pending|ContainerCreating|PodInitializing|SchedulingGated|Init:.*)$/;

/**
 * The pod phase from a Table row. Terminal phases are exact (row conditions); a non-terminal
 * pod shows its phase unless a container reason hides it (ContainerCreating, CrashLoopBackOff,
 * Terminating, …): those map to Pending when the pod is still starting, else Running. Checks
 * only tell terminal from non-terminal (who holds an IP), which this keeps exact.
 */
export function phaseOfRow(row: TableRow, status: string, ip: string): PodRow[5] {
  const completed = row.conditions?.find((c) => c.type === 'Completed' && c.status === 'True');
  if (completed) return completed.reason === 'Failed' ? 'Failed' : 'Succeeded';
  if (status === 'Running' || status === 'Unknown') return status;
  if (PENDING_REASONS.test(status)) return 'Pending';
  return ip ? 'Running' : 'Pending';
}

export function podRowFromTable(ns: string, row: TableRow, cols: PodColumns, hostNetwork: (name: string, node: string, ip: string) => boolean): PodRow {
  const name = cell(row, cols.name);
  const node = cell(row, cols.node);
  const ip = cell(row, cols.ip);
  return [ns, name, node, ip, hostNetwork(name, node, ip), phaseOfRow(row, cell(row, cols.status), ip)];
}

interface HostNetPod {
  node: string;
  ip: string;
  used: boolean;
}

/** hostNetwork pods by name; take() matches a row once (node and IP equal, or empty on either side). */
export class HostNetworkIndex {
  private readonly byName = new Map<string, HostNetPod[]>();
  size = 0;

  add(name: string, node: string, ip: string): void {
    const list = this.byName.get(name);
    const e = { node, ip, used: false };
    if (list) list.push(e);
    else this.byName.set(name, [e]);
    this.size++;
  }

  take(name: string, node: string, ip: string): boolean {
    const list = this.byName.get(name);
    if (!list) return false;
    const same = (a: string, b: string) => a === b || a === '' || b === '';
    const hit = list.find((e) => !e.used && e.node === node && e.ip === ip) ?? list.find((e) => !e.used && same(e.node, node) && same(e.ip, ip));
    if (!hit) return false;
    hit.used = true;
    return true;
  }
}

export interface PodListResult {
  rows: PodRow[];
  /** How the rows were read, for the fact's source. */
  source: string;
}

/**
 * Every pod as a row. `namespaces` lists namespace names (Table, paged); when that is
 * forbidden the caller passes null and the pods come from one cluster-wide Table with
 * metadata objects (heavier, still no spec or status).
 */
export async function listPodRows(api: ClusterApi, pageSize: number): Promise<PodListResult> {
  // hostNetwork pods: one cluster-wide list, usually the node agents.
  const hostNet = new HostNetworkIndex();
  const hostNetDone = api.list<TableRow>('/api/v1/pods', { accept: ACCEPT_TABLE, what: 'pods with spec.hostNetwork=true', limit: pageSize, fieldSelector: 'spec.hostNetwork=true', query: { includeObject: 'None' } }, (page) => {
    const cols = podColumns(page.columnDefinitions);
    for (const r of page.rows ?? []) hostNet.add(cell(r, cols.name), cell(r, cols.node), cell(r, cols.ip));
  });
  hostNetDone.catch(() => {}); // awaited below; no unhandled rejection meanwhile

  let namespaces: string[] | null = null;
  let nsError: unknown = null;
  try {
    const names: string[] = [];
    await api.list<TableRow>('/api/v1/namespaces', { accept: ACCEPT_TABLE, what: 'namespaces', limit: pageSize, query: { includeObject: 'None' } }, (page) => {
      const i = (page.columnDefinitions ?? []).findIndex((d) => d.name === 'Name');
      for (const r of page.rows ?? []) names.push(cell(r, i < 0 ? 0 : i));
    });
    namespaces = names.filter(Boolean);
  } catch (err) {
    if (api.failed) throw api.failed;
    nsError = err;
  }

  // Rows are converted page by page (the Table pages are dropped at once); hostNetwork is
  // filled in once its list is complete.
  const rows: [string, string, string, string, boolean, PodRow[5]][] = [];
  // 100,000 rows name a few thousand nodes and namespaces: share those strings.
  const shared = new Map<string, string>();
  const intern = (s: string) => {
    const hit = shared.get(s);
    if (hit !== undefined) return hit;
    shared.set(s, s);
    return s;
  };
  const add = (ns: string, page: ListPage<TableRow>) => {
    const cols = podColumns(page.columnDefinitions);
    for (const row of page.rows ?? []) {
      const [n, name, node, ip, , phase] = podRowFromTable(ns || row.object?.metadata?.namespace || '', row, cols, () => false);
      rows.push([intern(n), name, intern(node), ip, false, phase]);
    }
  };
  let source: string;
  if (namespaces) {
    source = `pod Tables per namespace (${namespaces.length} namespaces, includeObject=None)`;
    await Promise.all(
      namespaces.map((ns) =>
        api.list<TableRow>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { accept: ACCEPT_TABLE, what: `pods in namespace ${ns}`, limit: pageSize, query: { includeObject: 'None' } }, (page) => add(ns, page)),
      ),
    );
  } else {
    source = `cluster-wide pod Table with metadata (namespaces could not be listed: ${nsError instanceof Error ? nsError.message : String(nsError)})`;
    await api.list<TableRow>('/api/v1/pods', { accept: ACCEPT_TABLE, what: 'pods', limit: pageSize, query: { includeObject: 'Metadata' } }, (page) => add('', page));
  }
  await hostNetDone;
  if (hostNet.size) for (const r of rows) if (hostNet.take(r[1], r[2], r[3])) r[4] = true;
  return { rows, source };
}

/**
 * A count from a `limit=1` metadata list: items on the page plus remainingItemCount. Returns
 * null when the server does not say (then the caller counts by paging).
 */
export function countFromPage(page: ListPage<unknown>): number | null {
  const n = (page.items ?? page.rows ?? []).length;
  if (!page.metadata?.continue) return n;
  const rest = page.metadata.remainingItemCount;
  return typeof rest === 'number' ? n + rest : null;
}
