import { test, expect, openLab, screenshotDir } from './lab-server';

test('Walkthroughs: the setup recommender on the host answers with reasons and a values file', async ({ page, lab }) => {
  await openLab(page, lab, '#/walkthroughs');
  await expect(page.getByRole('heading', { level: 1, name: 'Walkthroughs' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Recommender questions' });
  await form.getByRole('checkbox').first().check();
  await form.getByRole('button', { name: 'Run recommendation' }).click();
  const rec = page.getByRole('status', { name: 'Recommendation' });
  await expect(rec.getByRole('heading', { level: 3 })).toBeVisible();
  await expect(rec).toContainText('Why');
  await expect(rec).toContainText('Trade-offs');
  await expect(rec.getByRole('button', { name: /^Save / })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/walkthroughs-recommender.png`, fullPage: true });
});
