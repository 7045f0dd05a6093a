import { test, expect, openLab, screenshotDir } from './lab-server';

test('Reports: a report of the host, previewed inertly, saved and listed', async ({ page, lab }) => {
  const csp: string[] = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));
  await openLab(page, lab, '#/reports');
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();
  await page.getByLabel('Target', { exact: true }).selectOption('host');
  await page.getByRole('button', { name: 'Run report' }).click();
  const frame = page.frameLocator('iframe[title="Report preview"]');
  await expect(frame.getByRole('heading', { level: 1 })).toContainText('Datapath Lab', { timeout: 30_000 });
  await expect(frame.locator('body')).toContainText('kernel.version');
  await expect(page.getByRole('table', { name: 'Saved reports' }).getByRole('rowheader')).toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save report' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^datapath-lab-report-.*\.html$/);
  await page.screenshot({ path: `${screenshotDir}/reports-host.png`, fullPage: true });
  expect(csp).toEqual([]);
});
