import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testWebServer } from '../../helpers/service';
import { decodeBinaryEvent } from '../../../src/shared/wire';

type Srv = Awaited<ReturnType<typeof testWebServer>>;
let s: Srv;
beforeAll(async () => {
  s = await testWebServer();
});
afterAll(async () => {
  await s.web.close();
});

function get(path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: s.web.port, path, headers: { Host: `127.0.0.1:${s.web.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsConnect(headers: Record<string, string>, query = ''): Promise<{ ws: WebSocket | null; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.web.port}/api${query}`, { headers });
    ws.on('open', () => resolve({ ws, status: 101 }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws: null, status: res.statusCode ?? null }));
    ws.on('error', () => resolve({ ws: null, status: null }));
  });
}

const cookie = () => `dlab_token=${s.web.token}`;
const origin = () => `http://127.0.0.1:${s.web.port}`;

describe('browser mode: who may talk to it', () => {
  it('listens on loopback only', () => {
    const addr = s.web.server.address();
    expect(addr).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
  });

  it('is not reachable on another address of this machine', async () => {
    const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!other) return expect(other, 'this machine has only loopback addresses: nothing else to try').toBeUndefined();
    await expect(get('/', {}, other.address)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a missing token', async () => {
    const r = await get('/');
    expect(r.status).toBe(401);
    expect(r.body).toContain('Missing token');
  });

  it('refuses a wrong token', async () => {
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/', { Cookie: 'dlab_token=wrong' })).status).toBe(401);
  });

  it('trades the right token for an HttpOnly SameSite cookie and a clean URL', async () => {
    const r = await get(`/?token=${s.web.token}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    expect(String(r.headers['set-cookie'])).toMatch(/dlab_token=.*HttpOnly; SameSite=Strict/);
    const page = await get('/', { Cookie: cookie() });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Datapath Lab');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-eval/);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    const r = await get('/', { Cookie: cookie(), Host: `evil.example:${s.web.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain('Host not allowed');
  });

  it('refuses a foreign Origin', async () => {
    const r = await get('/', { Cookie: cookie(), Origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('Origin not allowed');
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const p of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const r = await get(p, { Cookie: cookie() });
      expect(r.body, p).not.toMatch(/root:.*:0:0/);
    }
  });

  it('WebSocket: refuses missing or wrong tokens, foreign Origin and Host; accepts the app', async () => {
    expect((await wsConnect({ Origin: origin() })).status).toBe(401);
    expect((await wsConnect({ Origin: origin(), Cookie: 'dlab_token=nope' })).status).toBe(401);
    expect((await wsConnect({ Origin: 'https://evil.example', Cookie: cookie() })).status).toBe(403);
    expect((await wsConnect({ Origin: origin(), Cookie: cookie(), Host: `evil.example:${s.web.port}` })).status).toBe(403);
    const ok = await wsConnect({ Origin: origin(), Cookie: cookie() });
    expect(ok.status).toBe(101);
    ok.ws!.close();
  });
});

describe('browser mode: the transport', () => {
  async function client() {
    const { ws } = await wsConnect({ Origin: origin(), Cookie: cookie() });
    const inbox: unknown[] = [];
    ws!.on('message', (m, isBinary) => inbox.push(isBinary ? decodeBinaryEvent(m as Buffer) : JSON.parse(String(m))));
    const next = async (pred: (m: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const hit = inbox.find((m) => pred(m as Record<string, unknown>));
        if (hit) return hit as Record<string, unknown>;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no such message');
    };
    return { ws: ws!, next };
  }

  it('answers malformed messages with typed errors and keeps serving', async () => {
    const { ws, next } = await client();
    ws.send('{not json');
    expect(await next((m) => m.id === null)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    ws.send(JSON.stringify({ id: 1, method: 'terminal.run', params: { tool: 'rm', args: ['-rf', '/'] } }));
    expect(await next((m) => m.id === 1)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    ws.send(JSON.stringify({ id: 2, method: 'no.such.method', params: {} }));
    expect(await next((m) => m.id === 2)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ id: 3, method: 'app.info', params: {} }));
    expect(await next((m) => m.id === 3)).toMatchObject({ ok: true, result: { name: 'datapath-lab', transport: 'browser' } });
    ws.close();
  });

  it('runs a command and streams its events', async () => {
    const { ws, next } = await client();
    ws.send(JSON.stringify({ id: 7, method: 'terminal.run', params: { tool: 'uname', args: ['-s'] } }));
    const res = (await next((m) => m.id === 7)) as { ok: boolean; result: { sessionId: string } };
    expect(res.ok).toBe(true);
    const exit = await next((m) => m.event === 'terminal.exit');
    expect(exit).toMatchObject({ payload: { sessionId: res.result.sessionId, state: 'exited', exitCode: 0 } });
    const data = await next((m) => m.event === 'terminal.data');
    // Terminal output travels as a binary frame: raw UTF-8 bytes, no JSON.
    expect(Buffer.from((data.payload as { data: Uint8Array }).data).toString()).toBe('Linux\n');
    expect(data.payload).toMatchObject({ sessionId: res.result.sessionId, offset: 6 });
    ws.close();
  });
});
