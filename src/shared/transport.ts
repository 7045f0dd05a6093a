import type { LabErrorValue } from './errors';

/** What goes over the wire, for both Electron IPC and the WebSocket. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: LabErrorValue };

export type RequestMessage = { id: number; method: string; params: unknown };
export type ResponseMessage = { id: number } & Envelope;
export type EventMessage = { event: string; payload: unknown };

/** The small surface a transport gives the typed client. */
export interface LabTransport {
  readonly kind: 'electron' | 'browser';
  request(method: string, params: unknown): Promise<Envelope>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** Channel names for Electron IPC. */
export const IPC_REQUEST = 'lab:request';
export const IPC_EVENT = 'lab:event';

/** What the Electron preload exposes as `window.labBridge`, and nothing more. */
export interface LabBridge {
  request(method: string, params: unknown): Promise<Envelope>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}
