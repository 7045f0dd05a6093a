import type { Envelope, EventMessage, ResponseMessage } from '../../../shared/transport';
import type { LabTransport } from '../../../shared/transport';
import { decodeBinaryEvent } from '../../../shared/wire';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * Browser-mode transport: one WebSocket to /api on the page's own origin (the
 * server checks the token cookie, Host and Origin). Reconnects with backoff;
 * requests in flight when the socket drops fail with UNREACHABLE.
 */
export function wsTransport(onState: (s: ConnectionState) => void = () => {}): LabTransport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  const pending = new Map<number, (env: Envelope) => void>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const queue: string[] = [];
  let nextId = 1;
  let ws: WebSocket;
  let backoff = 250;

  function connect() {
    onState('connecting');
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      backoff = 250;
      onState('open');
      for (const m of queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) {
        // Terminal output: a binary frame, bytes handed on without copying.
        const { event, payload } = decodeBinaryEvent(e.data);
        for (const l of listeners) l(event, payload);
        return;
      }
      const msg = JSON.parse(String(e.data)) as ResponseMessage | EventMessage;
      if ('event' in msg) {
        for (const l of listeners) l(msg.event, msg.payload);
      } else if (typeof msg.id === 'number') {
        const done = pending.get(msg.id);
        pending.delete(msg.id);
        done?.(msg);
      }
    };
    ws.onclose = () => {
      onState('closed');
      for (const [id, done] of pending) {
        pending.delete(id);
        done({ ok: false, error: { code: 'UNREACHABLE', message: 'the connection to the lab was lost', fix: 'Check that `datapath-lab serve` is still running, then reload.' } });
      }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  }
  connect();

  return {
    kind: 'browser',
    request(method, params) {
      const id = nextId++;
      const text = JSON.stringify({ id, method, params });
      return new Promise<Envelope>((resolve) => {
        pending.set(id, resolve);
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
        else queue.push(text);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
