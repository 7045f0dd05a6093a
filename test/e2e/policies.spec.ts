import { test, expect, openLab, screenshotDir } from './lab-server';

test('Policies: edit a policy, the matrix and the trace follow', async ({ page, lab }) => {
  await openLab(page, lab, '#/policies');
  await expect(page.getByRole('heading', { level: 1, name: 'Policies' })).toBeVisible();
  const editor = page.getByRole('textbox', { name: 'YAML editor: policies.yaml' });
  await expect(editor).toContainText('default-deny');
  // Matrix: in shop, frontend may open cart on 7070; cart may not open frontend.
  await page.getByRole('button', { name: /^shop to shop: \d+ allowed/ }).click();
  const shop = page.getByRole('table', { name: 'Connectivity from shop to shop' });
  await expect(shop.locator('td[data-src="shop/frontend[Deployment]"][data-dst="shop/cart[Deployment]"]')).toHaveText('TCP 7070');
  await expect(shop.locator('td[data-src="shop/cart[Deployment]"][data-dst="shop/frontend[Deployment]"]')).toHaveText('—');

  // Trace frontend → cart TCP 7070: allowed, by the frontend egress rule and the cart ingress rule.
  await page.getByRole('button', { name: 'Run trace' }).click();
  const result = page.getByRole('status', { name: 'Trace result' });
  await expect(result).toContainText('Allowed');
  await expect(result).toContainText('NetworkPolicy shop/cart ingress rule 1');
  await page.screenshot({ path: `${screenshotDir}/policies-before.png`, fullPage: true });

  // Edit: cart's ingress now only takes the "metrics" port. The matrix and the trace change.
  // The editor's own search (Ctrl+F) selects the rule's port; typing replaces it.
  await editor.click();
  await page.keyboard.press('Control+f');
  await page.keyboard.type('port: grpc');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.type('port: metrics');
  // frontend's egress still only opens 7070 and cart's ingress now only 9090: nothing is left.
  await expect(shop.locator('td[data-src="shop/frontend[Deployment]"][data-dst="shop/cart[Deployment]"]')).toHaveText('—');
  await expect(result).toContainText('Denied');
  await expect(result).toContainText('no rule matches');
  await page.screenshot({ path: `${screenshotDir}/policies-after-edit.png`, fullPage: true });

  // Validation as you type: a broken operator is flagged in the editor, with its line.
  await page.getByRole('tab', { name: 'policies.yaml' }).click();
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: shop}\nspec:\n  podSelector: {matchExpressions: [{key: app, operator: Among, values: [x]}]}\n');
  await expect(page.getByRole('list', { name: 'Lint findings' })).toContainText('policies.yaml:');
  await expect(page.getByRole('list', { name: 'Lint findings' })).toContainText('Among');
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  await page.screenshot({ path: `${screenshotDir}/policies-validation.png`, fullPage: true });
});
