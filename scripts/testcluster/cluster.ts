// Start, check, stop test clusters: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok as local processes on 127.0.0.1, seeded by a profile.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './binaries';
import { createClusterPki, issueCert, pkiPaths } from './certs';
import type { ClusterLayout, ExtraFlags } from './components';
import { componentCommand, componentHealthy, componentKubeconfig, layout } from './components';
import { writeKubeconfig } from './kubeconfig';
import { renderKwokConfig } from './kwok-config';
import { binaries, clusterDir, displayPath } from './paths';
import type { ProcessRecord } from './procs';
import { freePorts, isAlive, memoryOf, procStartTime, sleep, spawnDetached, stopProcess } from './procs';
import { getProfile } from './profiles/index';
import type { Profile, ProfileOptions, Variant } from './profiles/types';
import { nthAddress } from './profiles/kind';
import type { SeedContext } from './seed';
import { createSeedContext } from './seed';
import type { ClusterState, ComponentName } from './state';
import { COMPONENTS, knownClusters, newestFirst, readState, statePath, withLock, writeState } from './state';

export interface ClusterHandle {
  /** cluster (instance) name: the folder .testcluster/<name> */
  name: string;
  profile: string;
  /** absolute path of the admin kubeconfig */
  kubeconfig: string;
  /** the kubeconfig path as `up` prints it (relative to the repository root) */
  kubeconfigPath: string;
  context: string;
  /** https://127.0.0.1:<port> */
  server: string;
  dir: string;
}

export interface EnsureOptions {
  /** instance name (default: the profile name); lets one profile run more than once */
  name?: string;
  /** profile options, e.g. { nodes: 5000, pods: 100000 } for large */
  options?: ProfileOptions;
  /** progress lines (default: stderr) */
  log?: (line: string) => void;
  /** build missing binaries with build.sh (default true) */
  build?: boolean;
  /** start from scratch even when it runs */
  recreate?: boolean;
  /** keep it running until `down` (what `up` does); test runs never stop a kept cluster */
  keep?: boolean;
  /**
   * register this process as a user of the cluster; releaseCluster() later stops it when the
   * last user leaves and nobody asked to keep it (concurrent test runs share clusters safely)
   */
  hold?: boolean;
}

type Log = (line: string) => void;

function defaultLog(name: string): Log {
  return (line) => process.stderr.write(`[testcluster ${name} ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function handleOf(s: ClusterState): ClusterHandle {
  const l = layout(clusterDir(s.name));
  return { name: s.name, profile: s.profile, kubeconfig: l.kubeconfig, kubeconfigPath: displayPath(l.kubeconfig), context: s.context, server: s.server, dir: l.dir };
}

function effectiveOptions(p: Profile, o: ProfileOptions = {}): ProfileOptions {
  const out: ProfileOptions = { ...p.defaults };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function sameOptions(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const norm = (x: Record<string, unknown>) => JSON.stringify(Object.entries(x).filter(([, v]) => v !== undefined).sort(([k1], [k2]) => k1.localeCompare(k2)));
  return norm(a) === norm(b);
}

function tuningOf(s: ClusterState): ExtraFlags {
  const base: ExtraFlags = {
    // The default client QPS (20) makes DaemonSet/ReplicaSet pods and service accounts trickle in.
    'kube-controller-manager': ['--kube-api-qps=100', '--kube-api-burst=200'],
  };
  const t = getProfile(s.profile).tuning?.(s.options)?.flags ?? {};
  const out: ExtraFlags = { ...base };
  for (const c of COMPONENTS) if (t[c]) out[c] = [...(base[c] ?? []), ...(t[c] ?? [])];
  return out;
}

const START_TIMEOUT: Record<ComponentName, number> = {
  etcd: 30_000,
  'kube-apiserver': 120_000,
  'kube-controller-manager': 60_000,
  'kube-scheduler': 60_000,
  kwok: 60_000,
};

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts one component from the state's recorded ports and waits until it answers healthy. */
async function startComponentUnlocked(s: ClusterState, c: ComponentName, log: Log): Promise<ProcessRecord> {
  const l = layout(clusterDir(s.name));
  const cmd = componentCommand(c, s, l, tuningOf(s));
  const rec = await spawnDetached(cmd.bin, cmd.args, { logFile: cmd.log, cwd: l.dir });
  s.components[c] = rec;
  writeState(s);
  const end = Date.now() + START_TIMEOUT[c];
  for (;;) {
    if (!isAlive(rec)) throw new Error(`${c} exited during start; last lines of ${displayPath(cmd.log)}:\n${logTail(cmd.log)}`);
    if (await componentHealthy(c, s, l)) break;
    if (Date.now() > end) throw new Error(`${c} not healthy after ${START_TIMEOUT[c] / 1000} s; last lines of ${displayPath(cmd.log)}:\n${logTail(cmd.log)}`);
    await sleep(c === 'etcd' ? 100 : 250);
  }
  log(`${c} up (pid ${rec.pid})`);
  return rec;
}

/** PIDs of processes whose command line names this cluster's folder (started by us, but not recorded, e.g. after a crash). */
function strays(dir: string, known: Set<number>): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || known.has(Number(e)) || Number(e) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const exe = args[0] ?? '';
      const ours = Object.values(binaries()).includes(exe);
      if (ours && args.some((a) => a.includes(`${dir}/`))) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

async function stopUnlocked(name: string, log: Log): Promise<{ stopped: string[] }> {
  const dir = clusterDir(name);
  const s = readState(name);
  const stopped: string[] = [];
  if (s) {
    for (const [c, rec] of newestFirst(s)) {
      const how = await stopProcess(rec);
      if (how !== 'not-running') {
        stopped.push(`${c} (pid ${rec.pid}, ${how})`);
        log(`stopped ${c} (pid ${rec.pid}, ${how})`);
      }
    }
    const left = Object.values(s.components).filter((r) => r && isAlive(r));
    if (left.length) throw new Error(`processes still running after stop: ${left.map((r) => r?.pid).join(', ')}`);
  }
  // Anything of ours that the state file missed (a crash between start and record).
  const known = new Set(Object.values(s?.components ?? {}).map((r) => r?.pid ?? 0));
  for (const pid of strays(dir, known)) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const how = await stopProcess({ pid, startTime, exe: '', startedAt: '' });
    stopped.push(`unrecorded pid ${pid} (${how})`);
    log(`stopped unrecorded process ${pid} started for this cluster (${how})`);
  }
  const l = layout(dir);
  for (const p of [statePath(name), l.etcdData, l.kubeconfig, join(dir, 'users'), join(dir, 'apiserver-certs')]) rmSync(p, { recursive: true, force: true });
  return { stopped };
}

async function healthy(s: ClusterState): Promise<boolean> {
  if (s.phase !== 'ready') return false;
  const l = layout(clusterDir(s.name));
  for (const c of COMPONENTS) {
    const rec = s.components[c];
    if (!rec || !isAlive(rec)) return false;
  }
  const checks = await Promise.all(COMPONENTS.map((c) => componentHealthy(c, s, l)));
  return checks.every(Boolean) && existsSync(l.kubeconfig);
}

function writeClientConfigs(s: ClusterState, l: ClusterLayout): void {
  const p = pkiPaths(l.pki);
  const server = s.server;
  writeKubeconfig(l.kubeconfig, { context: s.context, server, caFile: p.ca.cert, certFile: p.admin.cert, keyFile: p.admin.key });
  const comp = { 'kube-controller-manager': p.controllerManager, 'kube-scheduler': p.scheduler, kwok: p.kwok } as const;
  for (const [c, files] of Object.entries(comp) as Array<[keyof typeof comp, (typeof comp)[keyof typeof comp]]>) {
    writeKubeconfig(componentKubeconfig(l, c), { context: c, server, caFile: p.ca.cert, certFile: files.cert, keyFile: files.key });
  }
}

function recordMetrics(s: ClusterState): void {
  const memory: Record<string, { rssMiB: number; peakMiB: number }> = {};
  for (const c of COMPONENTS) {
    const rec = s.components[c];
    const m = rec ? memoryOf(rec.pid) : undefined;
    if (m) memory[c] = { rssMiB: Math.round(m.rss / 2 ** 20), peakMiB: Math.round(m.peak / 2 ** 20) };
  }
  s.metrics = { ...s.metrics, memory, measuredAt: new Date().toISOString() };
}

async function startFresh(profile: Profile, name: string, options: ProfileOptions, log: Log): Promise<ClusterState> {
  const dir = clusterDir(name);
  mkdirSync(dir, { recursive: true });
  const l = layout(dir);
  for (const p of [l.etcdData, l.pki, l.conf, l.logs, join(dir, 'helm'), join(dir, 'users'), join(dir, 'apiserver-certs'), l.kubeconfig]) rmSync(p, { recursive: true, force: true });
  mkdirSync(l.logs, { recursive: true });
  mkdirSync(l.conf, { recursive: true });
  const t0 = Date.now();
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = (await freePorts(6)) as [number, number, number, number, number, number];
  const s: ClusterState = {
    version: 1,
    name,
    profile: profile.name,
    options,
    context: profile.context,
    server: `https://127.0.0.1:${apiserver}`,
    network: profile.network,
    ports: { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok },
    createdAt: new Date().toISOString(),
    phase: 'starting',
    components: {},
    timings: {},
  };
  writeState(s);
  const timings: Record<string, number> = {};
  try {
    await createClusterPki(l.pki, { clusterName: profile.context, serviceIP: nthAddress(profile.network.serviceCIDR, 1) });
    writeClientConfigs(s, l);
    writeFileSync(l.kwokConfig, renderKwokConfig(binaries().kwokStages, profile.tuning?.(options)?.kwok));
    timings.pkiMs = Date.now() - t0;

    await startComponentUnlocked(s, 'etcd', log);
    await startComponentUnlocked(s, 'kube-apiserver', log);
    // The rest only need the apiserver; start them together.
    for (const c of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
      const cmd = componentCommand(c, s, l, tuningOf(s));
      s.components[c] = await spawnDetached(cmd.bin, cmd.args, { logFile: cmd.log, cwd: l.dir });
      writeState(s);
    }
    await Promise.all(
      (['kube-controller-manager', 'kube-scheduler', 'kwok'] as const).map(async (c) => {
        const end = Date.now() + START_TIMEOUT[c];
        const rec = s.components[c] as ProcessRecord;
        const log2 = join(l.logs, `${c}.log`);
        for (;;) {
          if (!isAlive(rec)) throw new Error(`${c} exited during start; last lines of ${displayPath(log2)}:\n${logTail(log2)}`);
          if (await componentHealthy(c, s, l)) return;
          if (Date.now() > end) throw new Error(`${c} not healthy in time; see ${displayPath(log2)}`);
          await sleep(250);
        }
      }),
    );
    timings.controlPlaneMs = Date.now() - t0;
    log(`control plane up in ${(timings.controlPlaneMs / 1000).toFixed(1)} s (${s.server}); seeding profile ${profile.name}`);

    s.phase = 'seeding';
    writeState(s);
    const ctx = createSeedContext({ name, profile: profile.name, dir, kubeconfig: l.kubeconfig, context: s.context, server: s.server, network: s.network, caFile: pkiPaths(l.pki).ca.cert, log });
    const seedStart = Date.now();
    try {
      await profile.seed(ctx, options);
    } finally {
      ctx.close();
    }
    timings.seedMs = Date.now() - seedStart;
    // A profile may have recorded its own metrics in the state file meanwhile.
    s.metrics = { ...readState(name)?.metrics, ...s.metrics };
    timings.totalMs = Date.now() - t0;
    s.phase = 'ready';
    s.timings = { ...s.timings, ...timings };
    recordMetrics(s);
    writeState(s);
    log(`ready in ${(timings.totalMs / 1000).toFixed(1)} s (control plane ${(timings.controlPlaneMs / 1000).toFixed(1)} s, seeding ${(timings.seedMs / 1000).toFixed(1)} s)`);
    return s;
  } catch (e) {
    s.phase = 'failed';
    s.error = (e as Error).message;
    s.timings = { ...s.timings, ...timings };
    writeState(s);
    if (process.env.DATAPATH_LAB_KEEP_FAILED === '1') {
      log(`failed; processes left running for inspection (DATAPATH_LAB_KEEP_FAILED=1); logs in ${displayPath(l.logs)}`);
    } else {
      log(`failed; stopping what was started (logs stay in ${displayPath(l.logs)})`);
      await stopUnlocked(name, log).catch(() => {});
      writeState({ ...s, components: {} });
    }
    throw e;
  }
}

/**
 * Makes sure cluster `opts.name` (default: the profile name) runs the given profile and
 * is ready: reuses it when it already runs healthy with the same options, otherwise
 * builds what is missing, starts a fresh control plane and seeds it.
 */
export async function ensureCluster(profileName: string, opts: EnsureOptions = {}): Promise<ClusterHandle> {
  const profile = getProfile(profileName);
  const name = opts.name ?? profile.name;
  const log = opts.log ?? defaultLog(name);
  const options = effectiveOptions(profile, opts.options);
  return withLock(name, async () => {
    const s = readState(name);
    if (s && !opts.recreate) {
      if (s.profile === profile.name && sameOptions(s.options, options) && (await healthy(s))) {
        log(`already running and healthy (${s.server})`);
        if (opts.keep || opts.hold) {
          s.keep = s.keep || !!opts.keep;
          s.holders = liveHolders(s);
          if (opts.hold) s.holders.push(self());
          writeState(s);
        }
        return handleOf(s);
      }
      log(s.profile !== profile.name || !sameOptions(s.options, options) ? 'runs another profile or other options: replacing it' : `not healthy (phase ${s.phase}): starting it again`);
    }
    if (s || existsSync(clusterDir(name))) await stopUnlocked(name, log);
    if (opts.build !== false) await ensureBinaries(['etcd', 'kube', 'kwok', 'helm'], log);
    const fresh = await startFresh(profile, name, options, log);
    fresh.keep = !!opts.keep;
    fresh.holders = opts.hold ? [self()] : [];
    writeState(fresh);
    return handleOf(fresh);
  });
}

function self(): { pid: number; startTime: number } {
  return { pid: process.pid, startTime: procStartTime(process.pid) ?? 0 };
}

function liveHolders(s: ClusterState): Array<{ pid: number; startTime: number }> {
  return (s.holders ?? []).filter((h) => isAlive({ pid: h.pid, startTime: h.startTime, exe: '', startedAt: '' }));
}

/**
 * Ends this process's use of a cluster taken with ensureCluster(…, { hold: true }). Stops it
 * when no live user is left and it is not kept (started by `up`). Returns whether it stopped.
 */
export async function releaseCluster(name: string, opts: { log?: Log } = {}): Promise<boolean> {
  const log = opts.log ?? defaultLog(name);
  return withLock(name, async () => {
    const s = readState(name);
    if (!s) return false;
    const me = self();
    s.holders = liveHolders(s).filter((h) => !(h.pid === me.pid && h.startTime === me.startTime));
    if (s.keep || s.holders.length > 0) {
      writeState(s);
      return false;
    }
    await stopUnlocked(name, log);
    return true;
  });
}

/** Stops every process of the cluster (newest first), verifies they are gone, removes its data. Tolerates missing or stale state. */
export async function stopCluster(name: string, opts: { log?: Log } = {}): Promise<{ stopped: string[] }> {
  const log = opts.log ?? defaultLog(name);
  if (!existsSync(clusterDir(name))) return { stopped: [] };
  return withLock(name, () => stopUnlocked(name, log));
}

/** Stops one component (e.g. kube-apiserver to test an unreachable cluster); startComponent brings it back on the same port. */
export async function stopComponent(name: string, component: ComponentName): Promise<void> {
  await withLock(name, async () => {
    const s = readState(name);
    if (!s) throw new Error(`cluster ${name} is not running`);
    const rec = s.components[component];
    if (rec) await stopProcess(rec);
    delete s.components[component];
    writeState(s);
  });
}

export async function startComponent(name: string, component: ComponentName, opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? defaultLog(name);
  await withLock(name, async () => {
    const s = readState(name);
    if (!s) throw new Error(`cluster ${name} is not running`);
    const rec = s.components[component];
    if (rec && isAlive(rec)) return;
    await startComponentUnlocked(s, component, log);
  });
}

export interface ComponentStatus {
  component: ComponentName;
  pid?: number;
  port: number;
  running: boolean;
  healthy: boolean;
  memoryMiB?: number;
}

export interface ClusterStatus {
  name: string;
  profile: string;
  phase: ClusterState['phase'];
  error?: string;
  ready: boolean;
  context: string;
  server: string;
  kubeconfig: string;
  components: ComponentStatus[];
  timings?: Record<string, number>;
  metrics?: Record<string, unknown>;
}

const PORT_OF: Record<ComponentName, keyof ClusterState['ports']> = {
  etcd: 'etcdClient',
  'kube-apiserver': 'apiserver',
  'kube-controller-manager': 'controllerManager',
  'kube-scheduler': 'scheduler',
  kwok: 'kwok',
};

/** What runs: per cluster (all known ones unless `name` is given) its components, PIDs, ports and health. */
export async function clusterStatus(name?: string): Promise<ClusterStatus[]> {
  const names = name ? [name] : knownClusters();
  const out: ClusterStatus[] = [];
  for (const n of names) {
    const s = readState(n);
    if (!s) continue;
    const l = layout(clusterDir(n));
    const components = await Promise.all(
      COMPONENTS.map(async (c): Promise<ComponentStatus> => {
        const rec = s.components[c];
        const running = !!rec && isAlive(rec);
        const mem = running && rec ? memoryOf(rec.pid) : undefined;
        return {
          component: c,
          pid: rec?.pid,
          port: s.ports[PORT_OF[c]],
          running,
          healthy: running && (await componentHealthy(c, s, l)),
          memoryMiB: mem ? Math.round(mem.rss / 2 ** 20) : undefined,
        };
      }),
    );
    out.push({
      name: n,
      profile: s.profile,
      phase: s.phase,
      error: s.error,
      ready: s.phase === 'ready' && components.every((c) => c.healthy),
      context: s.context,
      server: s.server,
      kubeconfig: displayPath(l.kubeconfig),
      components,
      timings: s.timings,
      metrics: s.metrics,
    });
  }
  return out;
}

/** The handle of a running cluster (throws when it is not ready). */
export function clusterHandle(name: string): ClusterHandle {
  const s = readState(name);
  if (!s || s.phase !== 'ready') throw new Error(`cluster ${name} is not running (npm run testcluster -- up --profile …)`);
  return handleOf(s);
}

export interface UserKubeconfigOptions {
  /** the user name (certificate CN) */
  user: string;
  /** groups (certificate O) */
  groups?: string[];
  /** where to write it (default .testcluster/<name>/users/<user>.kubeconfig) */
  out?: string;
}

/**
 * Mints a client certificate signed by the cluster's CA for `user` in `groups` and writes a
 * kubeconfig for it (same context name as the admin kubeconfig). For RBAC tests: such a user
 * has no permissions until something binds them.
 */
export async function issueUserKubeconfig(name: string, o: UserKubeconfigOptions): Promise<string> {
  const s = readState(name);
  if (!s) throw new Error(`cluster ${name} is not running`);
  const l = layout(clusterDir(name));
  const p = pkiPaths(l.pki);
  const safe = o.user.replace(/[^A-Za-z0-9_.-]/g, '_');
  const usersDir = join(l.dir, 'users');
  const files = await issueCert(usersDir, safe, p.ca, { usage: 'client', cn: o.user, orgs: o.groups ?? [] });
  const out = o.out ?? join(usersDir, `${safe}.kubeconfig`);
  writeKubeconfig(out, { context: s.context, cluster: s.context, user: o.user, server: s.server, caFile: p.ca.cert, certFile: files.cert, keyFile: files.key });
  return out;
}

/** A seeding context on a running cluster, for variants and tests that add objects. Close it when done. */
export function openSeedContext(name: string, log?: Log): SeedContext & { close(): void } {
  const s = readState(name);
  if (!s || s.phase !== 'ready') throw new Error(`cluster ${name} is not running`);
  const l = layout(clusterDir(name));
  return createSeedContext({ name, profile: s.profile, dir: l.dir, kubeconfig: l.kubeconfig, context: s.context, server: s.server, network: s.network, caFile: pkiPaths(l.pki).ca.cert, log: log ?? defaultLog(name) });
}

/** Applies a variant (extra objects through the API) to a running cluster. */
export async function applyVariant(name: string, variant: Variant): Promise<void> {
  const ctx = openSeedContext(name);
  try {
    await variant.apply(ctx);
  } finally {
    ctx.close();
  }
}

export async function revertVariant(name: string, variant: Variant): Promise<void> {
  if (!variant.revert) throw new Error(`variant ${variant.name} cannot be reverted`);
  const ctx = openSeedContext(name);
  try {
    await variant.revert(ctx);
  } finally {
    ctx.close();
  }
}
