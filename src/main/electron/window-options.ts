import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one place the window's security settings are decided; a pure function
 * so a unit test can hold it to the rules without an Electron binary.
 */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
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
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
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
