import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { LabError } from '../../../shared/errors';
import type { KubeClient } from '../kube/client';
import { httpError, networkError, type KubeStatus } from '../kube/errors';

/**
 * POST and DELETE for the opt-in debug pod, with the credentials of a KubeClient's context.
 * KubeClient only reads (GET); until it grows a write method this wrapper borrows its
 * KubeConfig. Errors are the same typed LabErrors the client throws.
 */
export interface KubeWriter {
  post<T>(path: string, body: unknown, o?: WriteOptions): Promise<T>;
  /** DELETE; a 404 resolves (already gone). */
  delete(path: string, o?: WriteOptions): Promise<void>;
}

export interface WriteOptions {
  what?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function writerFor(client: KubeClient): KubeWriter {
  // The client keeps its KubeConfig private; this is the one place that reaches for it.
  const kc = (client as unknown as { kc: KubeConfig }).kc;
  const context = `context ${client.contextName}`;

  const send = async (method: 'POST' | 'DELETE', path: string, body: unknown, o: WriteOptions): Promise<{ status: number; text: string }> => {
    const url = new URL(client.server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const ro: RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: url.pathname + url.search,
      headers: { Accept: 'application/json', 'User-Agent': 'datapath-lab', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}) },
    };
    try {
      await kc.applyToHTTPSOptions(ro);
    } catch (err) {
      throw new LabError('UNAUTHORIZED', `${context}: could not get credentials: ${(err as Error).message.split('\n')[0]}`);
    }
    const timeoutMs = o.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(ro, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(networkError(err, client.server, context)));
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(err instanceof LabError ? err : networkError(err as NodeJS.ErrnoException, client.server, context)));
      if (o.signal) {
        if (o.signal.aborted) req.destroy(new LabError('CANCELLED', 'cancelled'));
        o.signal.addEventListener('abort', () => req.destroy(new LabError('CANCELLED', 'cancelled')), { once: true });
      }
      req.end(payload);
    });
  };

  const statusOf = (text: string): KubeStatus | null => {
    try {
      return JSON.parse(text) as KubeStatus;
    } catch {
      return text ? { message: text.slice(0, 300) } : null;
    }
  };

  return {
    async post<T>(path: string, body: unknown, o: WriteOptions = {}): Promise<T> {
      const r = await send('POST', path, body, o);
      if (r.status >= 200 && r.status < 300) return JSON.parse(r.text) as T;
      throw httpError(r.status, statusOf(r.text), o.what ?? path, context, 'create');
    },
    async delete(path: string, o: WriteOptions = {}): Promise<void> {
      const r = await send('DELETE', path, undefined, o);
      if ((r.status >= 200 && r.status < 300) || r.status === 404) return;
      throw httpError(r.status, statusOf(r.text), o.what ?? path, context, 'delete');
    },
  };
}
