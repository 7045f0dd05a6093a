import { execFileSync } from 'node:child_process';
import { test, expect, openLab, screenshotDir } from './lab-server';

test('Checks page on the host: kernel findings with evidence from this machine, cluster checks not applicable', async ({ page, lab }) => {
  await openLab(page, lab, '#/checks');
  await expect(page.getByRole('heading', { level: 1, name: 'Checks' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Checks' }).getByRole('rowheader')).toHaveCount(8);
  await page.getByRole('button', { name: /^Run all checks/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'failed' })).toBeVisible({ timeout: 30_000 });
  const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  const kernel = page.getByRole('article', { name: 'Kernel version' });
  await expect(kernel).toBeVisible();
  await kernel.getByText(/^Evidence/).click();
  await expect(kernel.getByRole('table')).toContainText(release);
  await expect(page.getByRole('article', { name: /Cluster DNS/ })).toContainText('Not applicable here: the host target has no Kubernetes API');
  await page.screenshot({ path: `${screenshotDir}/checks-host.png`, fullPage: true });
});
