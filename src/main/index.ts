// Electron entry: the thin shell. Everything else runs under plain Node too.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLabService } from './core/service';
import { attachIpc } from './electron/ipc';
import { hardenApp } from './electron/security';
import { createMainWindow } from './electron/window-options';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).toString();
const devUrl = process.env.ELECTRON_RENDERER_URL;

function isAppUrl(url: string): boolean {
  if (devUrl && url.startsWith(devUrl)) return true;
  return url === rendererUrl || url.startsWith(`${rendererUrl}#`) || url.startsWith(`${rendererUrl}?`);
}

hardenApp(isAppUrl);
if (!app.requestSingleInstanceLock()) app.quit();

const service = createLabService({ transport: 'electron', configDir: process.env.DATAPATH_LAB_CONFIG_DIR });

app.whenReady().then(() => {
  attachIpc(service, isAppUrl);
  const win = createMainWindow(BrowserWindow, join(here, '../preload/index.cjs'));
  win.once('ready-to-show', () => win.show());
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  // No tool keeps running after the window is gone.
  void service.dispose().finally(() => app.quit());
});
app.on('window-all-closed', () => app.quit());
