import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive Debian's Chromium (`npx playwright install` cannot
 * download browsers here) against browser mode, which is the same renderer
 * and the same API contract as the Electron window.
 */
export const CHROMIUM = process.env.DATAPATH_LAB_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e-artifacts',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  globalSetup: './test/e2e/global-setup.ts',
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 960 },
    launchOptions: {
      executablePath: CHROMIUM,
      // Without these, Chromium keeps dialling Google services this network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
