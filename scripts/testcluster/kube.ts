// A small Kubernetes REST client for seeding and waiting: client certificates from a
// kubeconfig, keep-alive connections, discovery (kind → resource), server-side apply,
// paged lists. Seeding 100,000 pods goes through this, so it stays lean.
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { parse as parseYaml } from 'yaml';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  ownerReferences?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface KubeList<T> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface Credentials {
  server: string;
  /** PEM */
  ca: string;
  cert: string;
  key: string;
}

export class KubeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** retries on connection errors, 429 and 5xx (seeding uses a few; tests of outages use none) */
  retries?: number;
}

interface ResourceInfo {
  name: string;
  namespaced: boolean;
}

type Kubeconfig = {
  'current-context'?: string;
  clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }>;
  users?: Array<{ name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; 'client-certificate'?: string; 'client-key'?: string } }>;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
};

/** Certificate credentials of one context of a kubeconfig file (data or file references). */
export function credentialsFromKubeconfig(path: string, context?: string): Credentials {
  const kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  const ctxName = context ?? kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === ctxName);
  if (!ctx) throw new Error(`${path}: no context ${ctxName}`);
  const cluster = kc.clusters?.find((c) => c.name === ctx.context.cluster)?.cluster;
  const user = kc.users?.find((u) => u.name === ctx.context.user)?.user;
  if (!cluster || !user) throw new Error(`${path}: context ${ctxName} names a missing cluster or user`);
  const pem = (data?: string, file?: string) => (data ? Buffer.from(data, 'base64').toString('utf8') : file ? readFileSync(file, 'utf8') : '');
  return {
    server: cluster.server,
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
  };
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export class Kube {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly resources = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(
    readonly creds: Credentials,
    opts: { maxSockets?: number } = {},
  ) {
    this.base = new URL(creds.server);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 16, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  static fromKubeconfig(path: string, context?: string, opts: { maxSockets?: number } = {}): Kube {
    return new Kube(credentialsFromKubeconfig(path, context), opts);
  }

  close(): void {
    this.agent.destroy();
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, o);
      } catch (e) {
        const retryable =
          (e instanceof KubeError && (e.status === 429 || e.status >= 500)) ||
          (!(e instanceof KubeError) && RETRYABLE_CODES.has((e as NodeJS.ErrnoException).code ?? ''));
        if (!retryable || attempt >= (o.retries ?? 0)) throw e;
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 3000)));
      }
    }
  }

  private once<T>(method: string, path: string, o: RequestOptions): Promise<T> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    return new Promise<T>((resolvePromise, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(body !== undefined ? { 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
          },
          timeout: o.timeoutMs ?? 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (e.g. /readyz)
            }
            if (status >= 200 && status < 300) return resolvePromise(parsed as T);
            const st = parsed as { message?: string; reason?: string } | undefined;
            reject(new KubeError(`${method} ${url.pathname}: ${status} ${st?.message ?? text.slice(0, 300)}`, status, st?.reason, parsed));
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`${method} ${url.pathname}: timed out`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  private groupVersionPath(apiVersion: string): string {
    return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  /** The resource (plural) and scope of a kind, from discovery; re-discovers once on a miss (new CRDs). */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    for (let fresh = false; ; fresh = true) {
      if (fresh || !this.resources.has(apiVersion)) {
        const p = this.request<{ resources: Array<{ name: string; kind: string; namespaced: boolean }> }>('GET', this.groupVersionPath(apiVersion), { retries: 3 })
          .then((l) => new Map(l.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { name: r.name, namespaced: r.namespaced }])))
          .catch((e: unknown) => {
            this.resources.delete(apiVersion);
            if (e instanceof KubeError && e.status === 404) return new Map<string, ResourceInfo>();
            throw e;
          });
        this.resources.set(apiVersion, p);
      }
      const info = (await this.resources.get(apiVersion))?.get(kind);
      if (info) return info;
      if (fresh) throw new Error(`the server does not serve ${kind} in ${apiVersion}`);
    }
  }

  /** URL path of an object (name omitted for collections). */
  async pathFor(apiVersion: string, kind: string, o: { namespace?: string; name?: string; subresource?: string } = {}): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    let p = this.groupVersionPath(apiVersion);
    if (r.namespaced && o.namespace) p += `/namespaces/${encodeURIComponent(o.namespace)}`;
    if (r.namespaced && !o.namespace && o.name) throw new Error(`${kind} ${o.name} needs a namespace`);
    p += `/${r.name}`;
    if (o.name) p += `/${encodeURIComponent(o.name)}`;
    if (o.subresource) p += `/${o.subresource}`;
    return p;
  }

  private objectPath(obj: KubeObject, subresource?: string, withName = true): Promise<string> {
    return this.pathFor(obj.apiVersion, obj.kind, { namespace: obj.metadata.namespace, name: withName ? obj.metadata.name : undefined, subresource });
  }

  /** Server-side apply (force: the seeder owns what it declares). `subresource: 'status'` applies status. */
  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, o: { subresource?: string; fieldManager?: string; retries?: number } = {}): Promise<T> {
    return this.request<T>('PATCH', await this.objectPath(obj, o.subresource), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: o.fieldManager ?? 'datapath-lab-testcluster', force: true },
      retries: o.retries ?? 3,
    });
  }

  /**
   * A strategic-merge (built-in kinds) or JSON merge patch. Strategic merge keeps list
   * entries it does not name, e.g. other node conditions (merged by type).
   */
  async patch<T extends KubeObject = KubeObject>(obj: KubeObject, o: { type?: 'strategic' | 'merge'; subresource?: string; retries?: number } = {}): Promise<T> {
    return this.request<T>('PATCH', await this.objectPath(obj, o.subresource), {
      body: obj,
      contentType: o.type === 'merge' ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json',
      retries: o.retries ?? 3,
    });
  }

  /** POST; with `ignoreExists`, an existing object is not an error (returns undefined). */
  async create<T extends KubeObject = KubeObject>(obj: KubeObject, o: { ignoreExists?: boolean; retries?: number } = {}): Promise<T | undefined> {
    try {
      return await this.request<T>('POST', await this.objectPath(obj, undefined, false), { body: obj, retries: o.retries ?? 3 });
    } catch (e) {
      if (o.ignoreExists && e instanceof KubeError && e.status === 409) return undefined;
      throw e;
    }
  }

  /** GET one object; undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', await this.pathFor(apiVersion, kind, { name, namespace }), { retries: 2 });
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Every object of a kind (paged with `limit`), optionally in one namespace and filtered by selectors. */
  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    o: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number; max?: number } = {},
  ): Promise<T[]> {
    const path = await this.pathFor(apiVersion, kind, { namespace: o.namespace });
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = await this.request<KubeList<T>>('GET', path, {
        query: { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit ?? 500, continue: cont },
        retries: 3,
      });
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
      if (o.max !== undefined && items.length >= o.max) break;
    } while (cont);
    return items;
  }

  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
    try {
      await this.request('DELETE', await this.pathFor(apiVersion, kind, { name, namespace }), { retries: 2 });
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return false;
      throw e;
    }
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; stops at the first error. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined) {
      const i = next++;
      if (i >= items.length) return;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}
