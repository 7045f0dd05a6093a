import type { Envelope, EventMessage, ResponseMessage } from '../../../shared/transport';
import type { LabTransport } from '../../../shared/transport';
import { openSocket, type ConnectionState, type SocketMessage } from './socket';

export type { ConnectionState } from './socket';

/**
 * Browser-mode transport: one WebSocket to /api on the page's own origin (the server checks
 * the token cookie, Host and Origin), held by a worker where one can start, else by the page.
 * Reconnects with backoff; requests in flight when the socket drops fail with UNREACHABLE.
 */
export function wsTransport(onState: (s: ConnectionState) => void = () => {}): LabTransport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  const pending = new Map<number, (env: Envelope) => void>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const queue: string[] = [];
  let nextId = 1;
  let state: ConnectionState = 'connecting';

  const onMessage = (m: SocketMessage) => {
    if (m.type === 'event') {
      for (const l of listeners) l(m.event, m.payload);
      return;
    }
    if (m.type === 'state') {
      state = m.state;
      onState(m.state);
      if (m.state === 'open') for (const t of queue.splice(0)) send(t);
      if (m.state === 'closed') {
        for (const [id, done] of pending) {
          pending.delete(id);
          done({ ok: false, error: { code: 'UNREACHABLE', message: 'the connection to the lab was lost', fix: 'Check that `datapath-lab serve` is still running, then reload.' } });
        }
      }
      return;
    }
    const msg = JSON.parse(m.text) as ResponseMessage | EventMessage;
    if ('event' in msg) {
      for (const l of listeners) l(msg.event, msg.payload);
    } else if (typeof msg.id === 'number') {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done?.(msg);
    }
  };

  let send: (text: string) => void;
  const onPage = () => {
    const socket = openSocket(url, onMessage);
    send = (text) => void socket.send(text);
  };
  const worker = startWorker();
  if (worker) {
    let heard = false;
    worker.onmessage = (e: MessageEvent<SocketMessage>) => {
      heard = true;
      onMessage(e.data);
    };
    // A worker that cannot load (a stricter CSP, an old browser) must not leave the lab unconnected.
    worker.onerror = () => {
      if (heard) return;
      worker.terminate();
      onPage();
    };
    worker.postMessage({ url });
    send = (text) => worker.postMessage({ send: text });
  } else onPage();

  return {
    kind: 'browser',
    request(method, params) {
      const id = nextId++;
      const text = JSON.stringify({ id, method, params });
      return new Promise<Envelope>((resolve) => {
        pending.set(id, resolve);
        if (state === 'open') send(text);
        else queue.push(text);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function startWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./ws-worker.ts', import.meta.url), { type: 'module', name: 'lab-socket' });
  } catch {
    return null;
  }
}
