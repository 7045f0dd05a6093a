import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabService } from '../core/service';
import type { RequestMessage } from '../../shared/transport';
import { serveStatic } from './static';
import { encodeEvent } from '../../shared/wire';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // React style props, xterm.js and CodeMirror set inline styles; no inline or eval'd script is allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COOKIE = 'dlab_token';
/** A client this far behind on the socket is dropped rather than buffered without end. */
const MAX_BUFFERED = 256 * 1024 * 1024;

export interface WebServerOptions {
  service: LabService;
  rendererDir: string;
  port?: number;
  /** Fixed token for tests; random per launch otherwise. */
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function tokenEquals(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/**
 * Browser mode: HTTP + WebSocket on 127.0.0.1 only. Every request needs the
 * per-launch token (query once, then an HttpOnly SameSite=Strict cookie), a
 * Host naming this server (against DNS rebinding) and, when present, an
 * Origin of this server (against cross-site pages). No CORS headers.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const server = createServer();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const refuse = (res: ServerResponse, status: number, why: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(`${why}\n`);
  };

  function checkHostAndOrigin(req: IncomingMessage, requireOrigin: boolean): string | null {
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return `Host not allowed: ${req.headers.host ?? '(none)'}`;
    const origin = req.headers.origin;
    if (origin === undefined ? requireOrigin : !allowedOrigins().has(origin)) return `Origin not allowed: ${origin ?? '(none)'}`;
    return null;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const bad = checkHostAndOrigin(req, false);
    if (bad) return refuse(res, 403, bad);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!tokenEquals(queryToken, token)) return refuse(res, 401, 'Wrong token: open the URL that `datapath-lab serve` printed.');
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(302, { Location: url.pathname }).end();
      return;
    }
    if (!tokenEquals(cookieToken(req), token)) return refuse(res, 401, 'Missing token: open the URL that `datapath-lab serve` printed (it ends in ?token=…).');
    serveStatic(opts.rendererDir, url.pathname, res, req.method === 'HEAD');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const deny = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api') return deny('404 Not Found');
    // Browsers always send Origin on a WebSocket; non-browser clients may omit it but still need Host and the token.
    if (checkHostAndOrigin(req, false)) return deny('403 Forbidden');
    if (!tokenEquals(cookieToken(req) ?? url.searchParams.get('token'), token)) return deny('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket) {
    const clientId = `ws-${randomUUID()}`;
    const unsubscribe = opts.service.bus.subscribe((event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(1013, 'client too slow');
        return;
      }
      ws.send(encodeEvent(event, payload));
    });
    ws.on('message', async (raw, isBinary) => {
      let msg: RequestMessage;
      try {
        if (isBinary) throw new Error('binary frames are not part of the protocol');
        msg = JSON.parse(raw.toString()) as RequestMessage;
        if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') throw new Error('a request is {"id": number, "method": string, "params": object}');
      } catch (err) {
        ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'INVALID_REQUEST', message: `malformed message: ${(err as Error).message}` } }));
        return;
      }
      const env = await opts.service.dispatch(msg.method, msg.params, { clientId, transport: 'browser' });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, ...env }));
    });
    ws.on('close', () => {
      unsubscribe();
      opts.service.clientGone(clientId);
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
