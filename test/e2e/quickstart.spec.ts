import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { openLab, screenshotDir, startLabServer, stopLabServer, type LabServer } from './lab-server';
import { binaries, ensureCluster, releaseCluster, versions, type ClusterHandle } from '../../scripts/testcluster/index';
import { ciliumModuleDir } from '../../scripts/testcluster/profiles/cilium';

let handle: ClusterHandle;
let lab: LabServer;
let chartTgz: string;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  // A kind-like cluster without a CNI or kube-proxy: what the quick start starts from.
  handle = await ensureCluster('kind-bare', { hold: true, log: () => {} });
  const work = mkdtempSync(join(tmpdir(), 'dlab-e2e-qs-'));
  // What `helm pull cilium/cilium --version V` gives on a connected machine.
  execFileSync(binaries().helm, ['package', join(await ciliumModuleDir(versions().CILIUM_VERSION), 'install', 'kubernetes', 'cilium'), '--destination', work]);
  chartTgz = join(work, `cilium-${versions().CILIUM_VERSION.replace(/^v/, '')}.tgz`);
  const configDir = join(work, 'config');
  execFileSync('mkdir', ['-p', configDir]);
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ toolPaths: { helm: binaries().helm, kubectl: binaries().kubectl }, selectedTargetId: `context:${handle.context}` }));
  lab = await startLabServer({ KUBECONFIG: handle.kubeconfig, DATAPATH_LAB_CONFIG_DIR: configDir });
});

test.afterAll(async () => {
  if (lab) await stopLabServer(lab);
  if (handle) await releaseCluster(handle.name, { log: () => {} });
});

test('Quick start: steps 1 to 3 on the control plane, live output in the terminal', async ({ page }) => {
  test.setTimeout(300_000);
  await openLab(page, lab, '#/quick-start');
  await expect(page.getByRole('heading', { level: 1, name: 'Quick start' })).toBeVisible();
  await expect(page.getByLabel('Target', { exact: true })).toHaveValue(`context:${handle.context}`);
  const steps = page.getByRole('list', { name: 'Steps' });
  const terminal = page.getByRole('region', { name: 'Terminal' });

  // Step 1: the kernel checks.
  const kernel = steps.getByRole('listitem', { name: "Check the nodes' kernels" });
  await kernel.getByRole('button', { name: "1. Check the nodes' kernels" }).click();
  await expect(kernel.getByTestId('step-state')).toHaveText('not started');
  await kernel.getByRole('button', { name: 'Run step' }).click();
  await expect(kernel.getByTestId('step-state')).toHaveText('passed', { timeout: 60_000 });
  await expect(kernel.getByRole('list', { name: 'Verification' })).toContainText('kernel.version: pass');
  await kernel.screenshot({ path: `${screenshotDir}/quickstart-step1-kernel-step.png` });
  await page.screenshot({ path: `${screenshotDir}/quickstart-step1-kernel.png`, fullPage: true });

  // Step 2: install Cilium with Helm from a local chart, values edited in the form and linted.
  const install = steps.getByRole('listitem', { name: 'Install Cilium' });
  await install.getByRole('button', { name: '2. Install Cilium' }).click();
  await install.getByLabel(/Install with/).selectOption('helm-local');
  await install.getByLabel(/Local Cilium chart/).fill(chartTgz);
  // The lab defaults point at a cluster named "lab": the linter says the API server is not this cluster's.
  await expect(install.getByRole('list', { name: 'Values linter' })).toContainText('k8sServiceHost');
  await install.getByLabel('k8sServiceHost').fill(`${handle.name.replace(/^kind-/, '')}-control-plane`);
  await expect(install.getByRole('list', { name: 'Values linter' })).not.toContainText('k8sServiceHost', { timeout: 10_000 });
  await expect(install.getByText(/What this step will do/)).toBeVisible();
  await install.screenshot({ path: `${screenshotDir}/quickstart-step2-values-step.png` });
  await install.getByRole('button', { name: 'Run step' }).click();
  await expect(install.getByTestId('step-state')).toHaveText('running');
  // Helm's own output, live in the terminal.
  await expect(terminal.locator('.xterm-rows').filter({ hasText: 'STATUS: deployed' })).toHaveCount(1, { timeout: 120_000 });
  await expect(install.getByTestId('step-state')).toHaveText('passed', { timeout: 180_000 });
  await expect(install.getByRole('list', { name: 'Verification' })).toContainText('cilium');
  await install.screenshot({ path: `${screenshotDir}/quickstart-step2-installed-step.png` });
  await page.screenshot({ path: `${screenshotDir}/quickstart-step2-installed.png`, fullPage: true });

  // Step 3: baseline policies, applied and read back.
  const baseline = steps.getByRole('listitem', { name: 'Apply baseline policies' });
  await baseline.getByRole('button', { name: '3. Apply baseline policies' }).click();
  await expect(baseline.getByText(/What this step will do/)).toBeVisible();
  await baseline.getByRole('button', { name: 'Run step' }).click();
  await expect(baseline.getByTestId('step-state')).toHaveText('passed', { timeout: 60_000 });
  await expect(terminal.locator('.xterm-rows').filter({ hasText: 'networkpolicy.networking.k8s.io/default-deny-all created' })).toHaveCount(1);
  await baseline.screenshot({ path: `${screenshotDir}/quickstart-step3-baseline-step.png` });
  await page.screenshot({ path: `${screenshotDir}/quickstart-step3-baseline.png`, fullPage: true });
});
