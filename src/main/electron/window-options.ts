import type { BrowserWindowConstructorOptions } from 'electron';

export type WindowConstructor<T> = new (options: BrowserWindowConstructorOptions) => T;

/**
 * The one place the window's security settings are decided. Pure apart from
 * the constructor it is handed: Electron's BrowserWindow in the app, a
 * recording stand-in in the unit test. The options are a literal inside the
 * `new BrowserWindow({…})` call so static scanners (electronegativity) can read them.
 */
export function createMainWindow<T>(BrowserWindow: WindowConstructor<T>, preloadPath: string): T {
  return new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Datapath Lab',
    backgroundColor: '#0f1720',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Middle-click would otherwise open links in a new window, around setWindowOpenHandler.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });
}

/** Links the app may open in the system browser: documentation hosts over https only. */
export const EXTERNAL_HOSTS = new Set([
  'docs.cilium.io',
  'kubernetes.io',
  'kind.sigs.k8s.io',
  'helm.sh',
  'github.com',
  'docs.docker.com',
  'podman.io',
  'go.dev',
]);

export function isAllowedExternalUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password;
  } catch {
    return false;
  }
}
