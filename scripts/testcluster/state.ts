// The state file of one cluster: what runs (PIDs), on which ports, how far it got.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, clustersRoot } from './paths';
import type { ProcessRecord } from './procs';
import { isAlive, sleep } from './procs';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface ClusterNetwork {
  /** Service CIDR; kube-dns gets its 10th address, the kubernetes Service its first */
  serviceCIDR: string;
  /** Pod CIDR the controller-manager carves node podCIDRs from */
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
}

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export interface ClusterState {
  version: 1;
  name: string;
  profile: string;
  /** profile options it was seeded with (e.g. nodes, pods) */
  options: Record<string, unknown>;
  context: string;
  server: string;
  network: ClusterNetwork;
  ports: Ports;
  createdAt: string;
  phase: 'starting' | 'seeding' | 'ready' | 'failed';
  error?: string;
  components: Partial<Record<ComponentName, ProcessRecord>>;
  /** started or reused by `up`: stays running until `down` (test runs never stop it) */
  keep?: boolean;
  /** processes (test runs) using it; the last one to release a cluster without `keep` stops it */
  holders?: Array<{ pid: number; startTime: number }>;
  timings?: Record<string, number>;
  metrics?: Record<string, unknown>;
}

export function statePath(name: string): string {
  return join(clusterDir(name), 'state.json');
}

export function readState(name: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(name), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(s: ClusterState): void {
  const p = statePath(s.name);
  mkdirSync(clusterDir(s.name), { recursive: true });
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, p);
}

export function updateState(name: string, fn: (s: ClusterState) => void): ClusterState {
  const s = readState(name);
  if (!s) throw new Error(`cluster ${name} has no state file`);
  fn(s);
  writeState(s);
  return s;
}

/** Names of every cluster folder with a state file. */
export function knownClusters(): string[] {
  const root = clustersRoot();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'state.json')))
    .map((d) => d.name)
    .sort();
}

/** Recorded processes, newest first (by kernel start time): the order to stop them in. */
export function newestFirst(s: ClusterState): Array<[ComponentName, ProcessRecord]> {
  return (Object.entries(s.components) as Array<[ComponentName, ProcessRecord]>).sort((a, b) => b[1].startTime - a[1].startTime);
}

/**
 * A per-cluster lock (O_EXCL file holding our PID) so two `up`s of one cluster do not race.
 * A lock whose holder is gone is taken over.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  // Not re-entrant: public functions take it, internal helpers never do.
  const dir = clusterDir(name);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.lock');
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid} ${procStart(process.pid)}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: string;
      try {
        holder = readFileSync(lock, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      const [pid, start] = holder.trim().split(' ').map(Number);
      const holderAlive = pid !== undefined && start !== undefined && isAlive({ pid, startTime: start, exe: '', startedAt: '' });
      if (!holderAlive) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > end) throw new Error(`cluster ${name} is locked by process ${pid}`, { cause: e });
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function procStart(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}
