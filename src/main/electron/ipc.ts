import { ipcMain, type WebContents } from 'electron';
import { IPC_EVENT, IPC_REQUEST, type RequestMessage } from '../../shared/transport';
import type { LabService } from '../core/service';

/**
 * Electron transport: one invoke channel for requests, one send channel for
 * events. Only the app's own top frame may call; payloads are validated by
 * the dispatcher like any other transport's.
 */
export function attachIpc(service: LabService, isAppUrl: (url: string) => boolean): () => void {
  const windows = new Set<WebContents>();
  ipcMain.handle(IPC_REQUEST, async (event, msg: RequestMessage) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isAppUrl(frame.url)) {
      return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'requests are only accepted from the app window' } };
    }
    const wc = event.sender;
    if (!windows.has(wc)) {
      windows.add(wc);
      wc.once('destroyed', () => {
        windows.delete(wc);
        service.clientGone(`wc-${wc.id}`);
      });
    }
    if (typeof msg !== 'object' || msg === null) {
      return { ok: false, error: { code: 'INVALID_REQUEST', message: 'a request is {"method": string, "params": object}' } };
    }
    return service.dispatch(msg.method, msg.params, { clientId: `wc-${wc.id}`, transport: 'electron' });
  });
  const unsubscribe = service.bus.subscribe((event, payload) => {
    for (const wc of windows) if (!wc.isDestroyed()) wc.send(IPC_EVENT, { event, payload });
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST);
  };
}
