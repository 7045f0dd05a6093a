import { createLabClient, type LabClient } from '../../shared/client';
import { ipcTransport } from './transports/ipc';
import { wsTransport, type ConnectionState } from './transports/ws';

let client: LabClient | null = null;
const stateListeners = new Set<(s: ConnectionState) => void>();
let state: ConnectionState = 'connecting';

/** The one lab client. Electron's preload bridge when present, else the browser-mode WebSocket. */
export function lab(): LabClient {
  if (!client) {
    client = createLabClient(
      window.labBridge
        ? ipcTransport(window.labBridge)
        : wsTransport((s) => {
            state = s;
            for (const l of stateListeners) l(s);
          }),
    );
    if (window.labBridge) state = 'open';
  }
  return client;
}

/** For tests: use a given client (e.g. over a fake transport). */
export function setLabClient(c: LabClient): void {
  client = c;
}

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(l: (s: ConnectionState) => void): () => void {
  stateListeners.add(l);
  return () => stateListeners.delete(l);
}
