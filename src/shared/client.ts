import { LabError } from './errors';
import type { EventName, Method, Params, Payload, Result } from './api';
import type { LabTransport } from './transport';

/** The one client the renderer (and tests) use; it does not know its transport. */
export interface LabClient {
  readonly transport: LabTransport['kind'];
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: Payload<E>) => void): () => void;
}

export function createLabClient(transport: LabTransport): LabClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  transport.subscribe((event, payload) => {
    for (const l of listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`listener for ${event} failed`, err);
      }
    }
  });
  return {
    transport: transport.kind,
    async call(method, params) {
      const env = await transport.request(method, params);
      if (!env.ok) throw LabError.from(env.error);
      return env.result as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
