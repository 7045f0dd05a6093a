import type { EventName, Payload } from '../../../shared/api';

export type EventListener = (event: EventName, payload: unknown) => void;

/** Main's event bus: services emit, transports forward to their clients. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: Payload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (err) {
        console.error(`[datapath-lab] event listener for ${event} failed: ${(err as Error).message}`);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
