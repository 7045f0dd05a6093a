import type { Envelope, LabTransport } from '../../src/shared/transport';

/**
 * A transport that records requests and lets a test push events — the stores
 * under test cannot tell it from IPC or the WebSocket.
 */
export function fakeTransport(answer: (method: string, params: unknown) => unknown = () => ({})) {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: { method: string; params: unknown }[] = [];
  const transport: LabTransport = {
    kind: 'browser',
    async request(method, params): Promise<Envelope> {
      calls.push({ method, params });
      try {
        return { ok: true, result: answer(method, params) };
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } };
      }
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { transport, calls, emit: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)) };
}
