import { test, expect, openLab, screenshotDir } from './lab-server';

test('No cluster: open the lab, pick a demo, walk the MTU walkthrough to its diagnosis, export the report', async ({ page, lab }) => {
  // The lab server runs with an empty KUBECONFIG: no cluster at all, and no network is needed.
  await openLab(page, lab, '#/clusters');
  const demos = page.getByRole('list', { name: 'Demo snapshots' });
  await expect(page.getByRole('heading', { name: 'No cluster at hand? Open a demo' })).toBeVisible();
  await expect(demos.getByRole('listitem')).toHaveCount(8);
  await page.screenshot({ path: `${screenshotDir}/offline-demos.png`, fullPage: true });
  const mtuDemo = demos.getByRole('listitem').filter({ hasText: /MTU/ }).first();
  await mtuDemo.getByRole('button', { name: /^Diagnose / }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Walkthroughs' })).toBeVisible();
  const mtu = page.getByRole('list', { name: 'Pitfalls' }).getByRole('listitem', { name: 'MTU fragmentation on overlays' });
  await mtu.getByRole('button', { name: 'Run diagnosis' }).click();
  const session = page.getByRole('region', { name: 'Diagnosis: MTU fragmentation on overlays' });
  await expect(session).toBeVisible();
  // The snapshot has no node interfaces (captured through the API): the path asks for the underlay MTU.
  const question = session.getByRole('form', { name: /^Question:/ });
  await expect(question).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/offline-mtu-question.png`, fullPage: true });
  // The demo's description: the nodes sit on a 1460-byte underlay (GCP).
  await question.getByRole('spinbutton').fill('1460');
  await question.getByRole('button', { name: 'Answer' }).click();
  const diagnosis = session.getByRole('status', { name: 'Diagnosis' });
  await expect(diagnosis).toContainText('This is it');
  await expect(diagnosis).toContainText('The pinned MTU 1500 is larger than the underlay 1460');
  await expect(diagnosis.getByRole('table', { name: 'Evidence' })).toContainText('1500');
  await expect(diagnosis.getByLabel('Fix')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/offline-mtu-diagnosis.png`, fullPage: true });

  const download = page.waitForEvent('download');
  await diagnosis.getByRole('button', { name: 'Save report' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^datapath-lab-report-.*\.html$/);
  const html = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
  expect(html).toContain('MTU fragmentation on overlays');
  // The saved report opens offline in Chromium, with no scripts.
  expect(html).not.toMatch(/<script/i);
  await page.setContent(html);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Datapath Lab report');
  await page.screenshot({ path: `${screenshotDir}/offline-mtu-report.png`, fullPage: true });
});
