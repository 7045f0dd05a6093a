import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, windowOptions } from '../../../src/main/electron/window-options';

describe('Electron window options', () => {
  const o = windowOptions('/app/out/preload/index.cjs');
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
