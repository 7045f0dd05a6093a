// The preload exposes one typed client transport and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_REQUEST, type Envelope, type EventMessage, type LabBridge } from '../shared/transport';

const bridge: LabBridge = {
  request: (method, params) => ipcRenderer.invoke(IPC_REQUEST, { id: 0, method, params }) as Promise<Envelope>,
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, msg: EventMessage) => listener(msg.event, msg.payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('labBridge', bridge);
