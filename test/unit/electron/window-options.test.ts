import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { createMainWindow, isAllowedExternalUrl } from '../../../src/main/electron/window-options';

/** Stands in for Electron's BrowserWindow (no Electron binary here): records the options. */
class RecordingWindow {
  constructor(readonly options: BrowserWindowConstructorOptions) {}
}

describe('Electron window options', () => {
  const o = createMainWindow(RecordingWindow, '/app/out/preload/index.cjs').options;
  it('isolates and sandboxes the renderer', () => {
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });
  it('opens only allowlisted https documentation links externally', () => {
    expect(isAllowedExternalUrl('https://docs.cilium.io/en/stable/')).toBe(true);
    expect(isAllowedExternalUrl('http://docs.cilium.io/')).toBe(false);
    expect(isAllowedExternalUrl('https://docs.cilium.io.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });
});
