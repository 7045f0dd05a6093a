import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Connection, Target, TargetList } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { execQuiet } from '../exec';
import { KubeClient } from '../kube/client';
import type { KubeTarget } from '../runner/runner';
import { checkCluster, checkUser, type CredentialProblem } from './credentials';
import { authKind, kubeconfigPaths, loadKubeconfigs, type MergedKubeconfig } from './kubeconfig';

export const HOST_TARGET_ID = 'host';
export const contextTargetId = (context: string) => `context:${context}`;

export interface RegistryOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Path of the kind binary, when there is one (for `kind get clusters`). */
  kindPath?: () => string | null;
  onChange?: (list: TargetList) => void;
  onConnection?: (c: Connection) => void;
  /** Poll interval for kubeconfig changes (fs.watchFile also sees files that appear later). */
  watchIntervalMs?: number;
  connectTimeoutMs?: number;
  hostName?: string;
  /** More targets to list after the kubeconfig contexts (saved snapshots). */
  extraTargets?: () => Target[];
}

interface ContextInfo {
  target: Target;
  blocking: CredentialProblem | null;
  files: string[];
}

/**
 * The targets the lab can work on: this host and every kubeconfig context
 * (kind clusters marked), loaded as kubectl loads them and kept live as the
 * files change. Everything that talks to a cluster gets its client or its
 * kubeconfig + context from here, explicitly, never from a current-context.
 */
export class TargetRegistry {
  private merged: MergedKubeconfig;
  private infos = new Map<string, ContextInfo>();
  private kindClusters: string[] = [];
  private kindNote: string | null = null;
  private clients = new Map<string, KubeClient>();
  private watched: string[] = [];
  private debounce: NodeJS.Timeout | null = null;
  private snapshotJson = '';
  readonly paths: string[];

  constructor(private readonly opts: RegistryOptions = {}) {
    this.paths = kubeconfigPaths(opts.env ?? process.env, opts.home);
    this.merged = loadKubeconfigs(this.paths);
    this.rebuild();
  }

  /** Re-reads the kubeconfig files (and `kind get clusters`); emits onChange when anything differs. */
  async refresh(): Promise<TargetList> {
    this.merged = loadKubeconfigs(this.paths);
    await this.refreshKind();
    this.rebuild();
    return this.list();
  }

  private async refreshKind(): Promise<void> {
    const kind = this.opts.kindPath?.();
    this.kindNote = null;
    if (!kind) {
      this.kindClusters = [];
      return;
    }
    const r = await execQuiet(kind, ['get', 'clusters'], { timeoutMs: 8000 });
    if (r.code === 0) {
      this.kindClusters = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !/^No kind clusters/.test(l));
    } else {
      this.kindClusters = [];
      const first = `${r.stderr}\n${r.stdout}`.split('\n').find((l) => l.trim()) ?? `exit ${r.code}`;
      this.kindNote = `kind get clusters failed: ${first.trim().slice(0, 300)}`;
    }
  }

  private rebuild(): void {
    const infos = new Map<string, ContextInfo>();
    const kindSet = new Set(this.kindClusters);
    for (const [name, ctx] of this.merged.contexts) {
      const problems: CredentialProblem[] = [];
      const clusterEntry = ctx.value.cluster ? this.merged.clusters.get(ctx.value.cluster) : undefined;
      const userEntry = ctx.value.user ? this.merged.users.get(ctx.value.user) : undefined;
      if (!ctx.value.cluster) problems.push({ code: 'KUBECONFIG_INVALID', message: `context "${name}" names no cluster`, fix: 'Add a cluster to the context entry.' });
      else if (!clusterEntry) problems.push({ code: 'KUBECONFIG_INVALID', message: `context "${name}" names cluster "${ctx.value.cluster}", which no kubeconfig file defines`, fix: 'Add that cluster entry, or fix the context.' });
      if (ctx.value.user && !userEntry) problems.push({ code: 'KUBECONFIG_INVALID', message: `context "${name}" names user "${ctx.value.user}", which no kubeconfig file defines`, fix: 'Add that user entry, or fix the context.' });
      if (clusterEntry) problems.push(...checkCluster(clusterEntry.value));
      let execCommandFound: boolean | null = null;
      if (userEntry) {
        const u = checkUser(userEntry.value, new Date(), (this.opts.env ?? process.env).PATH);
        problems.push(...u.problems);
        execCommandFound = u.execCommandFound;
        if (userEntry.value.username && !userEntry.value.exec) {
          problems.push({ code: 'KUBECONFIG_INVALID', message: 'basic authentication (username/password) was removed in Kubernetes 1.19', fix: 'Use a token, a client certificate or an exec plugin.' });
        }
      }
      const kindName = name.startsWith('kind-') ? name.slice(5) : null;
      const isKind = kindName !== null && (kindSet.size === 0 || kindSet.has(kindName) || /^https:\/\/(127\.0\.0\.1|localhost|\[::1\])/.test(clusterEntry?.value.server ?? ''));
      const target: Target = {
        id: contextTargetId(name),
        kind: isKind ? 'kind' : 'cluster',
        name,
        context: name,
        server: clusterEntry?.value.server ?? null,
        clusterName: ctx.value.cluster ?? null,
        namespace: ctx.value.namespace ?? null,
        userName: ctx.value.user ?? null,
        authKind: userEntry ? authKind(userEntry.value) : ctx.value.user ? null : 'none',
        execCommand: userEntry?.value.exec?.command ?? null,
        execCommandFound,
        authProvider: userEntry?.value['auth-provider']?.name ?? null,
        file: ctx.file,
        isCurrentContext: this.merged.currentContext === name,
        kindCluster: isKind ? kindName : null,
        problems: problems.map((p) => `${p.message}. ${p.fix}`),
      };
      const files = [...new Set([ctx.file, clusterEntry?.file, userEntry?.file].filter((f): f is string => !!f))];
      // A problem that makes connecting pointless: say it instead of trying.
      const blocking = problems.find((p) => p.code === 'EXEC_PLUGIN_MISSING' || p.code === 'CERT_EXPIRED' || (p.code === 'KUBECONFIG_INVALID' && !/basic authentication/.test(p.message))) ?? null;
      infos.set(target.id, { target, blocking, files });
    }
    this.infos = infos;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    const list = this.list();
    const json = JSON.stringify(list);
    if (this.snapshotJson && json !== this.snapshotJson) this.opts.onChange?.(list);
    this.snapshotJson = json;
  }

  hostTarget(): Target {
    return {
      id: HOST_TARGET_ID, kind: 'host', name: this.opts.hostName ?? 'this machine', context: null, server: null, clusterName: null,
      namespace: null, userName: null, authKind: null, execCommand: null, execCommandFound: null, authProvider: null, file: null,
      isCurrentContext: false, kindCluster: null, problems: [],
    };
  }

  list(): TargetList {
    const contextKinds = new Set([...this.infos.values()].map((i) => i.target.kindCluster).filter(Boolean));
    const notes = [...this.merged.shadowed];
    const cc = this.merged.currentContext;
    if (cc && !this.merged.contexts.has(cc)) notes.push(`current-context "${cc}" is not defined in any kubeconfig file (the lab never uses current-context; pick a target)`);
    if (this.kindNote) notes.push(this.kindNote);
    return {
      targets: [this.hostTarget(), ...[...this.infos.values()].map((i) => i.target), ...(this.opts.extraTargets?.() ?? [])],
      files: this.merged.files,
      notes,
      kindWithoutContext: this.kindClusters.filter((k) => !contextKinds.has(k)),
    };
  }

  private info(targetId: string): ContextInfo {
    const i = this.infos.get(targetId);
    if (!i) {
      if (targetId === HOST_TARGET_ID) throw new LabError('INVALID_REQUEST', 'the host target has no cluster', 'Pick a cluster target for kubectl, helm, cilium and hubble.');
      throw new LabError('NOT_FOUND', `no target ${targetId}`, `It is not in the kubeconfig files (${this.paths.join(', ')}); refresh the Clusters page.`);
    }
    return i;
  }

  has(targetId: string): boolean {
    return targetId === HOST_TARGET_ID || this.infos.has(targetId) || (this.opts.extraTargets?.() ?? []).some((t) => t.id === targetId);
  }

  /** The target as listed (host, context or extra), or undefined. */
  find(targetId: string): Target | undefined {
    return this.list().targets.find((t) => t.id === targetId);
  }

  /** kubeconfig file(s) and context for commands: one file when it holds everything, else the KUBECONFIG list. */
  kubeTarget(targetId: string): KubeTarget {
    const i = this.info(targetId);
    if (i.blocking) throw new LabError(i.blocking.code, `context ${i.target.context}: ${i.blocking.message}`, i.blocking.fix);
    const loaded = this.merged.files.filter((f) => f.state === 'loaded').map((f) => f.path);
    return { kubeconfigs: i.files.length === 1 ? i.files : loaded, context: i.target.context! };
  }

  /** A client-node KubeConfig holding exactly this context, its cluster and its user. */
  kubeConfig(targetId: string): KubeConfig {
    const i = this.info(targetId);
    if (i.blocking) throw new LabError(i.blocking.code, `context ${i.target.context}: ${i.blocking.message}`, i.blocking.fix);
    const ctx = this.merged.contexts.get(i.target.context!)!;
    const cluster = this.merged.clusters.get(ctx.value.cluster!)!;
    const user = ctx.value.user ? this.merged.users.get(ctx.value.user) : undefined;
    const u = user?.value ?? {};
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: cluster.name, server: cluster.value.server, caFile: cluster.value['certificate-authority'], caData: cluster.value['certificate-authority-data'], skipTLSVerify: cluster.value['insecure-skip-tls-verify'] ?? false, tlsServerName: cluster.value['tls-server-name'], proxyUrl: cluster.value['proxy-url'] }],
      users: [{ name: user?.name ?? '(none)', token: u.token, certFile: u['client-certificate'], certData: u['client-certificate-data'], keyFile: u['client-key'], keyData: u['client-key-data'], exec: u.exec, authProvider: u['auth-provider'], username: u.username, password: u.password, impersonateUser: u.as }],
      contexts: [{ name: i.target.context, cluster: cluster.name, user: user?.name ?? '(none)', namespace: ctx.value.namespace }],
      currentContext: i.target.context,
    });
    if (u.tokenFile) {
      // client-node does not read kubectl's tokenFile: read it here (fresh on every client).
      (kc.users[0] as { token?: string }).token = requireTokenFile(u.tokenFile);
    }
    return kc;
  }

  /** The API client for a target (cached until the kubeconfig changes). */
  client(targetId: string): KubeClient {
    let c = this.clients.get(targetId);
    if (!c) {
      c = new KubeClient(this.kubeConfig(targetId), this.info(targetId).target.context!);
      this.clients.set(targetId, c);
    }
    return c;
  }

  /** Health probe: /readyz and /version with tight timeouts. */
  async connect(targetId: string): Promise<Connection> {
    const t0 = Date.now();
    const done = (c: Omit<Connection, 'targetId' | 'checkedAt' | 'elapsedMs'>): Connection => {
      const conn = { targetId, ...c, checkedAt: new Date().toISOString(), elapsedMs: Date.now() - t0 };
      this.opts.onConnection?.(conn);
      return conn;
    };
    this.opts.onConnection?.({ targetId, state: 'connecting', serverVersion: null, ready: null, error: null, checkedAt: new Date().toISOString(), elapsedMs: 0 });
    try {
      const client = this.client(targetId);
      const timeoutMs = this.opts.connectTimeoutMs ?? 5000;
      const ready = await client.raw('/readyz', { timeoutMs });
      if (ready.status === 401) await client.get('/readyz', { timeoutMs }); // throws the typed 401
      const version = await client.get<{ gitVersion?: string }>('/version', { timeoutMs, what: 'the server version' });
      return done({ state: 'connected', serverVersion: version.gitVersion ?? null, ready: ready.status === 200 ? ready.body.trim() || 'ok' : `not ready (HTTP ${ready.status}): ${ready.body.trim().split('\n').filter((l) => l.includes('[-]')).join('; ').slice(0, 300)}`, error: null });
    } catch (err) {
      const e = err instanceof LabError ? err : new LabError('INTERNAL', (err as Error).message);
      return done({ state: 'error', serverVersion: null, ready: null, error: e.toJSON() });
    }
  }

  /** Watches every kubeconfig path (also files that do not exist yet). */
  watch(): void {
    const interval = this.opts.watchIntervalMs ?? 1000;
    for (const p of this.paths) {
      watchFile(p, { interval, persistent: false }, () => {
        // Let a writer finish (truncate, then write) before reading: no flash of an empty list.
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.refresh(), 150);
      });
      this.watched.push(p);
    }
  }

  close(): void {
    if (this.debounce) clearTimeout(this.debounce);
    for (const p of this.watched) unwatchFile(p);
    this.watched = [];
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

function requireTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new LabError('KUBECONFIG_INVALID', `the token file ${path} cannot be read`, 'Fix tokenFile in the kubeconfig user entry.');
  }
}
