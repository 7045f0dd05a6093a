import { mkdirSync } from 'node:fs';
import { test, expect, openLab, screenshotDir } from './lab-server';

const PAGES = ['Clusters', 'Quick start', 'Checks', 'Policies', 'Walkthroughs', 'Reports', 'Settings'];

test('every page opens from the navigation; screenshots of each saved', async ({ page, lab }) => {
  mkdirSync(screenshotDir, { recursive: true });
  await openLab(page, lab);
  await expect(page.getByRole('region', { name: 'Terminal' })).toBeVisible();
  for (const name of PAGES) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
    await page.screenshot({ path: `${screenshotDir}/page-${name.toLowerCase().replace(/ /g, '-')}.png`, fullPage: true });
  }
});

test('the browser-mode page runs under its strict CSP without violations', async ({ page, lab }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await openLab(page, lab);
  await page.getByRole('button', { name: 'Run uname -a' }).click();
  await expect(page.getByRole('region', { name: 'Terminal' }).getByRole('tab', { name: /uname -a/ })).toBeVisible();
  expect(violations).toEqual([]);
});

test('the app says which transport it has and shows the version', async ({ page, lab }) => {
  await openLab(page, lab);
  await expect(page.getByText(/v\d+\.\d+\.\d+ · browser mode/)).toBeVisible();
  // The socket lives in a worker (terminal output is received off the page's main thread).
  expect(page.workers().map((w) => new URL(w.url()).pathname)).toEqual([expect.stringMatching(/^\/assets\/ws-worker-.*\.js$/)]);
});
