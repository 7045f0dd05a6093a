import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { apiClient, expect, openLab, screenshotDir, startLabServer, stopLabServer, test } from './lab-server';

/** Processes whose parent is `ppid` (from /proc). */
function children(ppid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === ppid && f[0] !== 'Z') out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

test('Cancel in the terminal dock stops a running command and leaves no process', async ({ page, lab }) => {
  await openLab(page, lab);
  const api = await apiClient(lab);
  const run = await api.call('terminal.run', { tool: 'ping', args: ['-i', '0.2', '127.0.0.1'], title: 'ping loopback' });
  expect(run.ok).toBe(true);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await terminal.getByRole('tab', { name: /ping loopback/ }).click();
  await expect(terminal.locator('.xterm-box:not([hidden]) .xterm-rows')).toContainText('bytes from 127.0.0.1');
  expect(children(lab.pid).length).toBeGreaterThan(0);
  await terminal.getByRole('button', { name: 'Cancel' }).click();
  await expect(terminal.getByText('cancelled', { exact: true })).toBeVisible();
  await expect.poll(() => children(lab.pid).length).toBe(0);
  api.close();
});

base('100 MB from a stand-in tool (kind path set to a generator script) stays within the scrollback and transcript bounds', async ({ page }) => {
  base.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'dlab-gen-'));
  const gen = join(dir, 'kind');
  // Stand-in: kind cannot run here, so its path points at a script that prints 100 MiB of coloured text.
  writeFileSync(gen, '#!/bin/sh\nyes "$(printf \'\\033[32mok\\033[0m line of terminal output 0123456789 abcdefghijklmnopqrstuvwxyz\')" | head -c 104857600\n');
  chmodSync(gen, 0o755);
  // A 64 MB cap on main's old-generation heap: keeping the output would crash it.
  const lab = await startLabServer({}, ['--max-old-space-size=64']);
  try {
    await openLab(page, lab);
    const api = await apiClient(lab);
    expect((await api.call('settings.update', { toolPaths: { kind: gen } })).ok).toBe(true);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const before = (await cdp.send('Runtime.getHeapUsage')).usedSize;

    const run = (await api.call('terminal.run', { tool: 'kind', args: ['version'], title: 'hundred megabytes' })) as { ok: boolean; result: { sessionId: string } };
    expect(run.ok).toBe(true);
    const terminal = page.getByRole('region', { name: 'Terminal' });
    await expect(terminal.getByRole('tab', { name: /hundred megabytes/ })).toBeVisible();
    await expect(terminal.locator('.xterm-rows')).toContainText('[exit code 0]', { timeout: 200_000 });

    const info = (await api.call('terminal.list', {})) as { result: { sessionId: string; bytes: number }[] };
    expect(info.result.find((s) => s.sessionId === run.result.sessionId)?.bytes).toBe(104857600);
    const transcript = (await api.call('terminal.transcript', { sessionId: run.result.sessionId })) as { result: { text: string; omittedBytes: number } };
    expect(transcript.result.text.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(transcript.result.omittedBytes).toBeGreaterThan(90 * 1024 * 1024);

    // The renderer: xterm holds at most its scrollback, and the heap does not keep the 100 MB.
    await cdp.send('HeapProfiler.collectGarbage');
    const after = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    expect(after - before).toBeLessThan(40 * 1024 * 1024);
    // Main streamed 100 MB under its 64 MB heap cap and still answers.
    expect(lab.process.exitCode).toBeNull();
    expect((await api.call('app.info', {})).ok).toBe(true);
    await page.screenshot({ path: `${screenshotDir}/terminal-100mb.png` });
    api.close();
  } finally {
    await stopLabServer(lab);
  }
});
