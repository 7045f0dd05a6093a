import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { openLab, screenshotDir, startLabServer, stopLabServer } from './lab-server';
import { binaries, versions } from '../../scripts/testcluster/index';

const test = base;

/** A second kubeconfig with a context whose exec plugin is not installed (what `aws eks update-kubeconfig` writes). */
function eksKubeconfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-e2e-kc-'));
  const file = join(dir, 'eks');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod-net\n  cluster:\n    server: https://6A1B2C3D4E5F.gr7.eu-west-1.eks.amazonaws.com\ncontexts:\n- name: prod-net\n  context:\n    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod-net\n    user: prod-net\nusers:\n- name: prod-net\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws-cli-not-installed\n      args: [eks, get-token, --cluster-name, prod-net]\n`,
  );
  return file;
}

test('Clusters page against the real control plane: connect, run kubectl on the target, a clear error, remembered choice', async ({ page }) => {
  const kubeconfig = process.env.DATAPATH_LAB_E2E_KUBECONFIG!;
  expect(kubeconfig, 'global setup starts the kind-cilium control plane').toBeTruthy();
  const configDir = mkdtempSync(join(tmpdir(), 'dlab-e2e-cfg-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ toolPaths: { kubectl: binaries().kubectl }, selectedTargetId: null }));
  const env = { KUBECONFIG: `${kubeconfig}:${eksKubeconfig()}`, DATAPATH_LAB_CONFIG_DIR: configDir };
  let lab = await startLabServer(env);
  try {
    await openLab(page, lab);
    const targets = page.getByRole('table', { name: 'Targets' });
    await expect(targets.getByRole('rowheader', { name: /kind-lab/ })).toBeVisible();
    await expect(targets.getByRole('rowheader', { name: /prod-net/ })).toBeVisible();
    await page.screenshot({ path: `${screenshotDir}/clusters-targets.png`, fullPage: true });

    // Connect the kind context: the real server version.
    await page.getByRole('button', { name: 'Use kind-lab' }).click();
    await page.getByRole('button', { name: 'Connect kind-lab' }).click();
    await expect(targets.getByRole('row', { name: /kind-lab/ })).toContainText(`connected · ${versions().KUBERNETES_VERSION}`);
    await expect(page.getByTestId('connection-state')).toContainText(`Kubernetes ${versions().KUBERNETES_VERSION}`);

    // Run kubectl on that target: output live in the terminal.
    await page.getByRole('button', { name: 'Run kubectl get nodes -o wide' }).click();
    const terminal = page.getByRole('region', { name: 'Terminal' });
    const rows = terminal.locator('.xterm-box:not([hidden]) .xterm-rows');
    await expect(rows).toContainText('lab-control-plane');
    await expect(rows).toContainText('lab-worker2');
    await expect(rows).toContainText('[exit code 0]');
    await page.screenshot({ path: `${screenshotDir}/clusters-kind-lab-connected.png`, fullPage: true });

    // The EKS context: the missing exec plugin is named, with how to install it.
    await page.getByRole('button', { name: 'Use prod-net' }).click();
    await page.getByRole('button', { name: 'Connect prod-net' }).click();
    await expect(page.getByRole('alert')).toContainText('the exec credential plugin "aws-cli-not-installed" is not on PATH');
    await expect(targets.getByRole('row', { name: /prod-net/ })).toContainText('exec plugin missing');
    await page.screenshot({ path: `${screenshotDir}/clusters-exec-plugin-missing.png`, fullPage: true });

    // The choice is remembered across a restart.
    await page.getByRole('button', { name: 'Use kind-lab' }).click();
    await expect(page.getByRole('button', { name: 'Use kind-lab' })).toHaveAttribute('aria-pressed', 'true');
    await stopLabServer(lab);
    lab = await startLabServer(env);
    await openLab(page, lab);
    await expect(page.getByRole('button', { name: 'Use kind-lab' })).toHaveAttribute('aria-pressed', 'true');
    expect(JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8')).selectedTargetId).toBe('context:kind-lab');
  } finally {
    await stopLabServer(lab);
  }
});

test('kind panel: preflight names the missing engine, the config is shown before it runs', async ({ page }) => {
  const lab = await startLabServer({ DATAPATH_LAB_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'dlab-e2e-cfg-')) });
  try {
    await openLab(page, lab);
    await page.getByRole('button', { name: 'Check preflight' }).click();
    const pre = page.getByRole('list', { name: 'kind preflight' });
    await expect(pre).toContainText('Container engine');
    await page.getByRole('button', { name: 'Show config' }).click();
    await expect(page.getByLabel('kind config')).toContainText('disableDefaultCNI: true');
    await expect(page.getByLabel('kind create command')).toContainText('kind create cluster --name lab --config');
    await page.getByRole('form', { name: 'New kind cluster' }).screenshot({ path: `${screenshotDir}/clusters-kind-form.png` });
    await page.screenshot({ path: `${screenshotDir}/clusters-kind-panel.png`, fullPage: true });
  } finally {
    await stopLabServer(lab);
  }
});
