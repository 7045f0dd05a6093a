/// <reference lib="webworker" />
// The browser-mode socket, off the page's main thread (see socket.ts). The page sends
// `{url}` once, then request texts; it receives SocketMessages, frames transferred.
import { openSocket, type SocketMessage } from './socket';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let socket: { send(text: string): boolean } | null = null;

scope.onmessage = (e: MessageEvent<{ url: string } | { send: string }>) => {
  if ('url' in e.data) {
    socket ??= openSocket(e.data.url, (m: SocketMessage, transfer?: ArrayBuffer[]) => scope.postMessage(m, transfer ?? []));
  } else socket?.send(e.data.send);
};
