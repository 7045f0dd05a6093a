import type { LabBridge, LabTransport } from '../../../shared/transport';

declare global {
  interface Window {
    labBridge?: LabBridge;
  }
}

export function ipcTransport(bridge: LabBridge): LabTransport {
  return { kind: 'electron', request: (m, p) => bridge.request(m, p), subscribe: (l) => bridge.subscribe(l) };
}
