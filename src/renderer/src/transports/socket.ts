import { decodeBinaryEvent } from '../../../shared/wire';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** What the socket loop hands on: a connection state, a text frame, or a decoded binary event. */
export type SocketMessage =
  | { type: 'state'; state: ConnectionState }
  | { type: 'text'; text: string }
  | { type: 'event'; event: string; payload: Record<string, unknown> };

/**
 * The browser-mode WebSocket to /api with reconnect and backoff. It runs in a worker when the
 * page can start one (see ws-worker.ts), so that receiving terminal output — Chromium reads
 * WebSocket frames on the thread that owns the socket — does not take the page's main thread
 * from xterm; else on the page itself. Binary frames (terminal output) are decoded here.
 */
export function openSocket(url: string, emit: (m: SocketMessage, transfer?: ArrayBuffer[]) => void): { send(text: string): boolean } {
  let ws: WebSocket;
  let backoff = 250;
  function connect() {
    emit({ type: 'state', state: 'connecting' });
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      backoff = 250;
      emit({ type: 'state', state: 'open' });
    };
    ws.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) {
        const { event, payload } = decodeBinaryEvent(e.data);
        // The bytes stay a view into the frame; the frame itself moves, it is not copied.
        emit({ type: 'event', event, payload }, [e.data]);
      } else emit({ type: 'text', text: String(e.data) });
    };
    ws.onclose = () => {
      emit({ type: 'state', state: 'closed' });
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  }
  connect();
  return {
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(text);
      return true;
    },
  };
}
