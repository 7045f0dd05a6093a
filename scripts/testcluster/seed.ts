// The seeding API profiles and variants use: apply objects through the real API, run
// helm or kubectl against the cluster, wait for the cluster to settle.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './exec';
import type { KubeObject } from './kube';
import { Kube, mapLimit } from './kube';
import { binaries } from './paths';
import type { ClusterNetwork } from './state';

export interface SeedContext {
  /** cluster (instance) name: the folder under .testcluster/ */
  readonly name: string;
  readonly profile: string;
  readonly dir: string;
  /** absolute path of the admin kubeconfig */
  readonly kubeconfig: string;
  readonly context: string;
  readonly server: string;
  readonly network: ClusterNetwork;
  /** the cluster CA certificate (PEM file) */
  readonly caFile: string;
  /** admin client (system:masters) */
  readonly kube: Kube;
  log(msg: string): void;
  /** server-side apply, in order unless `concurrency` > 1 */
  apply(objs: KubeObject | KubeObject[], o?: { concurrency?: number }): Promise<KubeObject[]>;
  /** server-side apply of the status subresource (Node status, CiliumNode status…) */
  applyStatus(objs: KubeObject | KubeObject[], o?: { concurrency?: number }): Promise<void>;
  /** POST (fast path for many new objects); `ignoreExists` skips 409s */
  create(objs: KubeObject[], o?: { concurrency?: number; ignoreExists?: boolean }): Promise<void>;
  /** helm with --kubeconfig and --kube-context set, its caches inside the cluster folder */
  helm(args: string[]): Promise<string>;
  /** the built kubectl with --kubeconfig and --context set */
  kubectl(args: string[], input?: string): Promise<string>;
  /** polls `fn` until it returns a value other than undefined/false */
  waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, o?: { timeoutMs?: number; intervalMs?: number }): Promise<T>;
}

export interface SeedContextInit {
  name: string;
  profile: string;
  dir: string;
  kubeconfig: string;
  context: string;
  server: string;
  network: ClusterNetwork;
  caFile: string;
  log?: (msg: string) => void;
  maxSockets?: number;
}

export function createSeedContext(i: SeedContextInit): SeedContext & { close(): void } {
  const kube = Kube.fromKubeconfig(i.kubeconfig, i.context, { maxSockets: i.maxSockets ?? 32 });
  const log = i.log ?? (() => {});
  const helmHome = join(i.dir, 'helm');
  return {
    name: i.name,
    profile: i.profile,
    dir: i.dir,
    kubeconfig: i.kubeconfig,
    context: i.context,
    server: i.server,
    network: i.network,
    caFile: i.caFile,
    kube,
    log,
    close: () => kube.close(),
    async apply(objs, o = {}) {
      const list = Array.isArray(objs) ? objs : [objs];
      return mapLimit(list, o.concurrency ?? 1, (obj) => kube.apply(obj));
    },
    async applyStatus(objs, o = {}) {
      const list = Array.isArray(objs) ? objs : [objs];
      await mapLimit(list, o.concurrency ?? 1, (obj) => kube.apply(obj, { subresource: 'status' }));
    },
    async create(objs, o = {}) {
      await mapLimit(objs, o.concurrency ?? 16, (obj) => kube.create(obj, { ignoreExists: o.ignoreExists }));
    },
    async helm(args) {
      mkdirSync(helmHome, { recursive: true });
      return runOk(binaries().helm, [...args, '--kubeconfig', i.kubeconfig, '--kube-context', i.context], {
        env: {
          ...process.env,
          HELM_CACHE_HOME: join(helmHome, 'cache'),
          HELM_CONFIG_HOME: join(helmHome, 'config'),
          HELM_DATA_HOME: join(helmHome, 'data'),
        },
        timeoutMs: 5 * 60_000,
      });
    },
    async kubectl(args, input) {
      return runOk(binaries().kubectl, ['--kubeconfig', i.kubeconfig, '--context', i.context, ...args], { input, timeoutMs: 5 * 60_000 });
    },
    waitFor,
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, o: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 500));
  }
}

// ---- waits shared by the profiles ----

interface Condition {
  type: string;
  status: string;
}

export interface NodeLike extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; taints?: Array<{ key: string; effect: string }> };
  status?: { conditions?: Condition[]; addresses?: Array<{ type: string; address: string }> };
}

export interface PodLike extends KubeObject {
  spec: { nodeName?: string; hostNetwork?: boolean; containers: Array<{ name: string; image: string; ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }>; serviceAccountName?: string };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip: string }>; hostIP?: string; conditions?: Condition[] };
}

export function isReady(o: { status?: { conditions?: Condition[] } }): boolean {
  return o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function waitCrdsEstablished(ctx: SeedContext, names: string[], timeoutMs = 120_000): Promise<void> {
  await ctx.waitFor(
    `CRDs established (${names.length})`,
    async () => {
      const crds = await ctx.kube.list<KubeObject & { status?: { conditions?: Condition[] } }>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
      const established = new Set(crds.filter((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')).map((c) => c.metadata.name));
      return names.every((n) => established.has(n));
    },
    { timeoutMs },
  );
}

/** Waits until `count` nodes (all of `names`, if given) are Ready and have podCIDRs; returns all nodes. */
export async function waitNodesReady(ctx: SeedContext, o: { count: number; names?: string[]; timeoutMs?: number }): Promise<NodeLike[]> {
  return ctx.waitFor(
    `${o.count} nodes Ready with podCIDRs`,
    async () => {
      const nodes = await ctx.kube.list<NodeLike>('v1', 'Node', { limit: 2000 });
      const good = nodes.filter((n) => isReady(n) && (n.spec?.podCIDRs?.length ?? 0) > 0);
      if (good.length < o.count) return undefined;
      if (o.names && !o.names.every((name) => good.some((n) => n.metadata.name === name))) return undefined;
      return nodes;
    },
    // Listing thousands of nodes is not free: poll big clusters less often.
    { timeoutMs: o.timeoutMs ?? 120_000, intervalMs: o.count > 500 ? 5000 : 300 },
  );
}

/** Waits until at least `count` pods match and all of them are Running with an IP; returns them. */
export async function waitPodsRunning(
  ctx: SeedContext,
  o: { namespace?: string; labelSelector?: string; count: number; timeoutMs?: number },
): Promise<PodLike[]> {
  return ctx.waitFor(
    `${o.count} pods Running${o.namespace ? ` in ${o.namespace}` : ''}${o.labelSelector ? ` (${o.labelSelector})` : ''}`,
    async () => {
      const pods = await ctx.kube.list<PodLike>('v1', 'Pod', { namespace: o.namespace, labelSelector: o.labelSelector, limit: 2000 });
      if (pods.length < o.count) return undefined;
      return pods.every((p) => p.status?.phase === 'Running' && p.status.podIP && isReady(p)) ? pods : undefined;
    },
    { timeoutMs: o.timeoutMs ?? 120_000, intervalMs: o.count > 500 ? 5000 : 300 },
  );
}

/**
 * Waits until a DaemonSet runs a ready pod on `count` nodes (all it wants), judged from its
 * status: cheap even with thousands of pods.
 */
export async function waitDaemonSetReady(ctx: SeedContext, namespace: string, name: string, count: number, timeoutMs = 120_000): Promise<void> {
  type DS = KubeObject & { status?: { desiredNumberScheduled?: number; numberReady?: number; updatedNumberScheduled?: number } };
  await ctx.waitFor(
    `DaemonSet ${namespace}/${name} ready on ${count} nodes`,
    async () => {
      const st = (await ctx.kube.get<DS>('apps/v1', 'DaemonSet', name, namespace))?.status;
      return st?.desiredNumberScheduled === count && st.numberReady === count && st.updatedNumberScheduled === count;
    },
    { timeoutMs, intervalMs: count > 500 ? 2000 : 300 },
  );
}

/** Waits until a Deployment has `replicas` ready (and updated) replicas. */
export async function waitDeploymentReady(ctx: SeedContext, namespace: string, name: string, replicas: number, timeoutMs = 120_000): Promise<void> {
  type D = KubeObject & { status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number } };
  await ctx.waitFor(
    `Deployment ${namespace}/${name} with ${replicas} ready replicas`,
    async () => {
      const st = (await ctx.kube.get<D>('apps/v1', 'Deployment', name, namespace))?.status;
      return (st?.readyReplicas ?? 0) === replicas && st?.updatedReplicas === replicas && st.replicas === replicas;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

/** Waits until the Service's EndpointSlices list at least `count` ready endpoints. */
export async function waitServiceEndpoints(ctx: SeedContext, namespace: string, service: string, count: number, timeoutMs = 120_000): Promise<void> {
  await ctx.waitFor(
    `${count} ready endpoints of ${namespace}/${service}`,
    async () => {
      const slices = await ctx.kube.list<KubeObject & { endpoints?: Array<{ conditions?: { ready?: boolean } }> }>('discovery.k8s.io/v1', 'EndpointSlice', {
        namespace,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
      return ready >= count;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

/** Pods need their namespace's default ServiceAccount (the controller-manager creates it). */
export async function waitServiceAccount(ctx: SeedContext, namespace: string, name = 'default'): Promise<void> {
  await ctx.waitFor(`ServiceAccount ${namespace}/${name}`, async () => !!(await ctx.kube.get('v1', 'ServiceAccount', name, namespace)), { intervalMs: 200 });
}
