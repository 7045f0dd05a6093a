import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test, expect, openLab, screenshotDir } from './lab-server';

test('the Host target shows this machine’s real kernel, BTF and interfaces', async ({ page, lab }) => {
  await openLab(page, lab);
  // Read independently of the app.
  const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  await expect(page.getByTestId('kernel-release')).toContainText(release);
  const btf = existsSync('/sys/kernel/btf/vmlinux');
  await expect(page.getByTestId('kernel-btf')).toContainText(btf ? 'present at /sys/kernel/btf/vmlinux' : 'not found');

  const table = page.getByRole('table', { name: 'Network interfaces' });
  const names = readdirSync('/sys/class/net').sort();
  await expect(table.locator('tbody tr')).toHaveCount(names.length);
  for (const name of names) {
    const mtu = readFileSync(`/sys/class/net/${name}/mtu`, 'utf8').trim();
    const row = table.locator('tbody tr', { has: page.getByText(name, { exact: true }) });
    await expect(row.locator('td').nth(2)).toHaveText(mtu);
  }
  await page.screenshot({ path: `${screenshotDir}/host-target.png`, fullPage: true });
});

test('Run buttons run real commands through the runner, output live in the terminal', async ({ page, lab }) => {
  await openLab(page, lab);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await page.getByRole('button', { name: 'Run uname -a' }).click();
  const unameA = execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim();
  // xterm wraps long lines: compare the start of the line.
  await expect(terminal.locator('.xterm-rows')).toContainText(unameA.slice(0, 40));
  await expect(terminal.locator('.xterm-rows')).toContainText('[exit code 0]');

  await page.getByRole('button', { name: 'Run ip -d link' }).click();
  await expect(terminal.getByRole('tab', { name: /ip -d link/ })).toHaveAttribute('aria-selected', 'true');
  const visible = terminal.locator('.xterm-box:not([hidden]) .xterm-rows');
  await expect(visible).toContainText('lo: <LOOPBACK');
  await expect(visible).toContainText('[exit code 0]');
  await page.screenshot({ path: `${screenshotDir}/terminal-ip-link.png` });
});
