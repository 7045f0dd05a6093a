import { request as httpsRequest, Agent, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { LabError } from '../../../shared/errors';
import { httpError, networkError, type KubeStatus } from './errors';

/** Accept headers that ask the server for less (architecture: "ask the server for less"). */
export const ACCEPT_JSON = 'application/json';
export const ACCEPT_METADATA = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const ACCEPT_TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1,application/json';

export interface GetOptions {
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For error messages: what this request is about ("nodes", "configmap kube-system/cilium-config"). */
  what?: string;
  verb?: string;
}

export interface ListOptions extends GetOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size (limit/continue). */
  limit?: number;
}

/**
 * A small Kubernetes API client over node:https, with credentials from
 * client-node's KubeConfig (token, client certificate, exec plugins, auth
 * providers). Every request has a timeout; lists are paged; Accept headers can
 * ask for metadata-only or Table answers. One client is bound to exactly one
 * kubeconfig context.
 */
export class KubeClient {
  private agent: Agent | null = null;
  readonly server: string;

  constructor(
    private readonly kc: KubeConfig,
    readonly contextName: string,
    private readonly defaultTimeoutMs = 15_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new LabError('KUBECONFIG_INVALID', `context ${contextName} has no cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** GET a path; resolves with parsed JSON or throws a LabError naming the cause. */
  async get<T>(path: string, opts: GetOptions = {}): Promise<T> {
    const { status, body } = await this.raw(path, opts);
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new LabError('INTERNAL', `context ${this.contextName}: ${opts.what ?? path} answered with something that is not JSON`);
      }
    }
    let st: KubeStatus | null;
    try {
      st = JSON.parse(body) as KubeStatus;
    } catch {
      st = body ? { message: body.slice(0, 300) } : null;
    }
    throw httpError(status, st, opts.what ?? path, `context ${this.contextName}`, opts.verb ?? 'get');
  }

  /** Lists a collection page by page (limit/continue), calling onPage for each. */
  async list<T>(path: string, opts: ListOptions, onPage: (items: T[], page: { kind?: string; resourceVersion?: string }) => void): Promise<void> {
    let cont: string | undefined;
    do {
      const q = new URLSearchParams();
      if (opts.limit) q.set('limit', String(opts.limit));
      if (cont) q.set('continue', cont);
      if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
      if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
      const qs = q.toString();
      const page = await this.get<{ kind?: string; items?: T[]; rows?: T[]; metadata?: { continue?: string; resourceVersion?: string } }>(
        `${path}${qs ? `${path.includes('?') ? '&' : '?'}${qs}` : ''}`,
        { verb: 'list', ...opts },
      );
      onPage(page.items ?? page.rows ?? [], { kind: page.kind, resourceVersion: page.metadata?.resourceVersion });
      cont = page.metadata?.continue || undefined;
    } while (cont);
  }

  /** The raw answer (status and body text). Network and TLS failures throw a LabError. */
  async raw(path: string, opts: GetOptions = {}): Promise<{ status: number; body: string }> {
    const url = new URL(this.server + path);
    const o: RequestOptions = {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: url.pathname + url.search,
      headers: { Accept: opts.accept ?? ACCEPT_JSON, 'User-Agent': 'datapath-lab' },
    };
    try {
      await this.kc.applyToHTTPSOptions(o);
    } catch (err) {
      throw new LabError('UNAUTHORIZED', `context ${this.contextName}: could not get credentials: ${(err as Error).message.split('\n')[0]}`, 'Check the user entry of this context (exec plugin output, token file, certificate files).');
    }
    if (url.protocol === 'https:') {
      // One keep-alive agent per client, with the TLS material applyToHTTPSOptions filled in.
      this.agent ??= new Agent({ keepAlive: true, maxSockets: 8, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized, servername: (o as { servername?: string }).servername });
      o.agent = this.agent;
    }
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(o, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(networkError(err, this.server, `context ${this.contextName}`)));
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(err instanceof LabError ? err : networkError(err as NodeJS.ErrnoException, this.server, `context ${this.contextName}`)));
      if (opts.signal) {
        if (opts.signal.aborted) req.destroy(new LabError('CANCELLED', 'cancelled'));
        opts.signal.addEventListener('abort', () => req.destroy(new LabError('CANCELLED', 'cancelled')), { once: true });
      }
      req.end();
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = null;
  }
}
