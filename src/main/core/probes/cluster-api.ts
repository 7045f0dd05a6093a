import { LabError } from '../../../shared/errors';
import type { UnknownReason } from '../../../shared/facts';
import type { KubeClient } from '../kube/client';
import { httpError, type KubeStatus } from '../kube/errors';

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
   * Requests for full objects (Nodes, CiliumNodes) in flight at once (default 1, within
   * `concurrency`). Their JSON is what peaks the probe's memory: measured on 5,000 Nodes and
   * CiliumNodes, one at a time in pages of 50 peaks ~40 MB lower than two at a time; the
   * small Table and metadata requests keep the other slots.
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
  /** Array members to cut out of the response text before parsing (see dropArrayMembers). */
  drop?: readonly string[];
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
    this.heavyLimiter = new Limiter(Math.max(1, opts.heavyConcurrency ?? 1));
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
        const opts = { accept: o.accept, what: o.what, verb: o.verb, signal: ctl.signal, timeoutMs: this.timeoutMs + 5_000 };
        if (!o.drop?.length) return await this.client.get<T>(path, opts);
        return parseAnswer<T>(await this.client.raw(path, opts), o, this.context, path, o.drop);
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
      const page = await this.get<ListPage<T>>(`${path}${qs ? `?${qs}` : ''}`, { accept: o.accept, what: o.what, verb: 'list', heavy: o.heavy, drop: o.drop });
      onPage(page);
      cont = page.metadata?.continue || undefined;
    } while (cont);
  }
}

/** A raw answer as KubeClient.get would return or throw it, with `drop` members cut out first. */
function parseAnswer<T>(r: { status: number; body: string }, o: ApiGetOptions, context: string, path: string, drop: readonly string[]): T {
  if (r.status >= 200 && r.status < 300) {
    try {
      return JSON.parse(dropArrayMembers(r.body, drop)) as T;
    } catch {
      throw new LabError('INTERNAL', `context ${context}: ${o.what} answered with something that is not JSON`);
    }
  }
  let st: KubeStatus | null;
  try {
    st = JSON.parse(r.body) as KubeStatus;
  } catch {
    st = r.body ? { message: r.body.slice(0, 300) } : null;
  }
  throw httpError(r.status, st, o.what ?? path, `context ${context}`, o.verb ?? 'get');
}

/**
 * Cuts every `"<key>":[…]` member (an array value) out of compact JSON text, with its comma,
 * before it is parsed: the API server cannot leave out metadata.managedFields (about 40 % of
 * a Node's JSON) or Node status.images, and parsing them only to drop them is most of what a
 * 5,000-node list allocates. A JSON-aware scan: the key must be a real key (a `"` not
 * escaped), and strings inside the array (escaped quotes, brackets) are skipped. Text the
 * scan does not recognise (e.g. pretty-printed) is returned as it was.
 */
export function dropArrayMembers(text: string, keys: readonly string[]): string {
  const tokens = keys.map((k) => `"${k}":[`);
  const parts: string[] = [];
  let last = 0;
  let from = 0;
  for (;;) {
    let i = -1;
    let tok = '';
    for (const t of tokens) {
      const at = text.indexOf(t, from);
      if (at >= 0 && (i < 0 || at < i)) {
        i = at;
        tok = t;
      }
    }
    if (i < 0) break;
    let bs = 0;
    while (text.charCodeAt(i - 1 - bs) === 92) bs++;
    if (bs % 2 === 1) {
      from = i + 1; // an escaped quote: inside a string
      continue;
    }
    // Find the ']' closing the array, skipping strings.
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let j = i + tok.length - 1; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (inString) {
        if (c === 92) j++;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) {
        depth--;
        if (depth === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) break; // unbalanced: leave the rest as it is
    let cutFrom = i;
    let cutTo = end + 1;
    if (text.charCodeAt(i - 1) === 44) cutFrom = i - 1; // ,"key":[…]
    else if (text.charCodeAt(end + 1) === 44) cutTo = end + 2; // {"key":[…],
    parts.push(text.slice(last, cutFrom));
    last = cutTo;
    from = cutTo;
  }
  if (last === 0) return text;
  parts.push(text.slice(last));
  return parts.join('');
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
