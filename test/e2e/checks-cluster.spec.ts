import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { openLab, screenshotDir, startLabServer, stopLabServer } from './lab-server';

base('Checks on the kind-lab control plane, then on a snapshot of it: the same verdicts', async ({ page }) => {
  base.setTimeout(180_000);
  const lab = await startLabServer({ KUBECONFIG: process.env.DATAPATH_LAB_E2E_KUBECONFIG!, DATAPATH_LAB_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'dlab-e2e-cfg-')) });
  try {
    await openLab(page, lab, '#/checks');
    await page.getByLabel('Target', { exact: true }).selectOption({ label: 'kind: kind-lab' });
    await page.getByRole('button', { name: /^Run all checks/ }).click();
    const summary = page.getByRole('status').filter({ hasText: 'Kubernetes v1.34' });
    await expect(summary).toBeVisible({ timeout: 60_000 });
    const kpr = page.getByRole('article', { name: /kube-proxy or Cilium/ });
    await expect(kpr).toContainText('pass');
    await expect(kpr).toContainText('Cilium (kube-proxy replacement)');
    await expect(page.getByRole('article', { name: /Which CNI runs/ })).toContainText('Cilium 1.18');
    await page.screenshot({ path: `${screenshotDir}/checks-kind-lab.png`, fullPage: true });
    const live = await page.locator('table[aria-label="Checks"] tbody td:nth-child(3)').allTextContents();

    // Capture it, open the snapshot as a target, run again: the same verdicts, offline.
    await page.getByRole('button', { name: 'Capture snapshot' }).click();
    await expect(page.getByText(/Saved snapshot kind-lab-/)).toBeVisible({ timeout: 60_000 });
    const snapLabel = (await page.getByLabel('Target', { exact: true }).locator('option').allTextContents()).find((t) => t.startsWith('Snapshot: kind-lab-'));
    expect(snapLabel).toBeTruthy();
    await page.getByLabel('Target', { exact: true }).selectOption({ label: snapLabel! });
    await page.getByRole('button', { name: /^Run all checks/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Kubernetes v1.34' })).toBeVisible({ timeout: 30_000 });
    const offline = await page.locator('table[aria-label="Checks"] tbody td:nth-child(3)').allTextContents();
    expect(offline).toEqual(live);
    await page.screenshot({ path: `${screenshotDir}/checks-snapshot.png`, fullPage: true });
  } finally {
    await stopLabServer(lab);
  }
});
