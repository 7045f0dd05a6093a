import { LabError } from '../../../shared/errors';
import type { UnknownReason } from '../../../shared/facts';
import type { KubeClient } from '../kube/client';

/**
 * The request layer of the cluster probe: every API call goes through `ClusterApi`, which
 * bounds how many run at once, gives each one its own deadline, follows the caller's
 * AbortSignal and counts requests (tests and the benchmark read the count).
 *
 * Errors are sorted in two: fatal ones (unreachable, TLS, credentials, cancelled) end the
 * whole gather at once (the caller decides what to show); the rest (forbidden, not found,
 * timeout, anything else) make only the facts that needed the request unknown.
 */

export interface ApiOptions {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Deadline of one request, page by page (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Requests for full objects (Nodes, CiliumNodes: megabytes a page) in flight at once
   * (default 2, within `concurrency`). Their JSON is what peaks the probe's memory; the small
   * Table and metadata requests keep the other slots.
   */
  heavyConcurrency?: number;
}

/** Error codes that end the gather: the server cannot be talked to at all. */
const FATAL = new Set(['UNREACHABLE', 'TLS', 'UNAUTHORIZED', 'CERT_EXPIRED', 'EXEC_PLUGIN_MISSING', 'KUBECONFIG_INVALID', 'CANCELLED']);

export const isFatal = (err: unknown): boolean => err instanceof LabError && FATAL.has(err.code);

/** A counting semaphore: at most `n` holders at once, first come first served. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface ApiGetOptions {
  accept?: string;
  /** A request for full objects in bulk: also waits for a heavy slot. */
  heavy?: boolean;
  /** What the request is about, for messages ("nodes", "ConfigMap kube-system/kube-proxy"). */
  what: string;
  verb?: string;
}

export interface ApiListOptions extends ApiGetOptions {
  limit?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /** Extra query parameters (e.g. includeObject=None). */
  query?: Record<string, string>;
}

/** One page of a list (items for JSON and metadata lists, rows for Tables). */
export interface ListPage<T> {
  kind?: string;
  items?: T[];
  rows?: T[];
  columnDefinitions?: { name: string }[];
  metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number };
}

export class ClusterApi {
  private readonly limiter: Limiter;
  private readonly heavyLimiter: Limiter;
  private readonly timeoutMs: number;
  /** Aborted on a fatal error or when the caller's signal fires: every request in flight stops. */
  private readonly stop = new AbortController();
  private fatal: LabError | null = null;
  requests = 0;

  constructor(
    readonly client: KubeClient,
    opts: ApiOptions = {},
  ) {
    this.limiter = new Limiter(Math.max(1, opts.concurrency ?? 4));
    this.heavyLimiter = new Limiter(Math.max(1, opts.heavyConcurrency ?? 2));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const outer = opts.signal;
    if (outer) {
      const onAbort = () => this.abort(new LabError('CANCELLED', 'the gather was cancelled'));
      if (outer.aborted) onAbort();
      else outer.addEventListener('abort', onAbort, { once: true });
    }
  }

  get context(): string {
    return this.client.contextName;
  }

  /** Ends every request in flight with `err` (the first fatal error wins). */
  abort(err: LabError): void {
    if (this.fatal) return;
    this.fatal = err;
    this.stop.abort();
  }

  /** The fatal error that stopped this gather, if any. */
  get failed(): LabError | null {
    return this.fatal;
  }

  async get<T>(path: string, o: ApiGetOptions): Promise<T> {
    if (o.heavy) return this.heavyLimiter.run(() => this.get<T>(path, { ...o, heavy: false }));
    return this.limiter.run(async () => {
      if (this.fatal) throw this.fatal;
      const ctl = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, this.timeoutMs);
      const onStop = () => ctl.abort();
      this.stop.signal.addEventListener('abort', onStop, { once: true });
      this.requests++;
      try {
        // The client's own socket timeout maps to UNREACHABLE; ours fires first and means
        // "this request was too slow", which makes its facts unknown (timeout) instead.
        return await this.client.get<T>(path, { accept: o.accept, what: o.what, verb: o.verb, signal: ctl.signal, timeoutMs: this.timeoutMs + 5_000 });
      } catch (err) {
        if (this.fatal) throw this.fatal;
        if (timedOut) throw new LabError('TIMEOUT', `context ${this.context}: ${o.verb ?? 'get'} ${o.what}: no answer within ${this.timeoutMs} ms`);
        if (isFatal(err)) this.abort(err as LabError);
        throw err;
      } finally {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', onStop);
      }
    });
  }

  /** Pages through a list (limit/continue); each page is one request under the limiter. */
  async list<T>(path: string, o: ApiListOptions, onPage: (page: ListPage<T>) => void): Promise<void> {
    let cont: string | undefined;
    do {
      const q = new URLSearchParams(o.query);
      if (o.limit) q.set('limit', String(o.limit));
      if (cont) q.set('continue', cont);
      if (o.labelSelector) q.set('labelSelector', o.labelSelector);
      if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
      const qs = q.toString();
      const page = await this.get<ListPage<T>>(`${path}${qs ? `?${qs}` : ''}`, { accept: o.accept, what: o.what, verb: 'list', heavy: o.heavy });
      onPage(page);
      cont = page.metadata?.continue || undefined;
    } while (cont);
  }
}

/** How a failed request becomes an unknown fact: the reason and a detail naming what is missing. */
export function unknownFrom(err: unknown): { reason: UnknownReason; detail: string } {
  if (!(err instanceof LabError)) return { reason: 'error', detail: err instanceof Error ? err.message : String(err) };
  // Messages look like "context kind-lab: forbidden: alice cannot list nodes at cluster scope".
  const msg = err.message.replace(/^context [^:]*: /, '');
  switch (err.code) {
    case 'FORBIDDEN': {
      const what = msg.replace(/^forbidden: /, '');
      return { reason: 'forbidden', detail: `${what}${err.fix ? ` (${err.fix})` : ''}` };
    }
    case 'NOT_FOUND':
      return { reason: 'not-found', detail: msg };
    case 'TIMEOUT':
      return { reason: 'timeout', detail: msg };
    case 'UNREACHABLE':
    case 'TLS':
      return { reason: 'unreachable', detail: msg };
    default:
      return { reason: 'error', detail: msg };
  }
}
