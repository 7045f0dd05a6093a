import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import WebSocket from 'ws';

export interface LabServer {
  url: string;
  port: number;
  token: string;
  pid: number;
  configDir: string;
  process: ChildProcess;
  output: () => string;
}

/** Starts the real `datapath-lab serve` (built CLI) and reads the URL it prints. */
export async function startLabServer(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<LabServer> {
  const configDir = env.DATAPATH_LAB_CONFIG_DIR ?? mkdtempSync(join(tmpdir(), 'dlab-e2e-config-'));
  const child = spawn(process.execPath, [...nodeArgs, 'out/main/cli.js', 'serve'], {
    // Never the developer's own kubeconfig unless a test passes one.
    env: { ...process.env, DATAPATH_LAB_CONFIG_DIR: configDir, KUBECONFIG: join(configDir, 'no-kubeconfig'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve printed no URL:\n${out}`)), 20_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  const u = new URL(url);
  return { url, port: Number(u.port), token: u.searchParams.get('token')!, pid: child.pid!, configDir, process: child, output: () => out };
}

export async function stopLabServer(s: LabServer): Promise<void> {
  if (s.process.exitCode !== null) return;
  const exited = new Promise((r) => s.process.once('exit', r));
  s.process.kill('SIGTERM');
  await exited;
}

/** A Node-side API client on the same server (the way a second window would talk to it). */
export async function apiClient(s: LabServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: unknown) =>
    new Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>((resolve) => {
      const my = ++id;
      const onMsg = (m: WebSocket.RawData, isBinary: boolean) => {
        if (isBinary) return;
        const msg = JSON.parse(String(m));
        if (msg.id === my) {
          ws.off('message', onMsg);
          resolve(msg);
        }
      };
      ws.on('message', onMsg);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
  return { ws, call, close: () => ws.close() };
}

/**
 * Each test gets its own lab server with a fresh config folder: settings (the selected
 * target), saved reports and progress are state, and no test may see another's. Starting one
 * costs about a second.
 */
export const test = base.extend<{ lab: LabServer }>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => {
    const s = await startLabServer();
    try {
      await use(s);
    } finally {
      await stopLabServer(s);
      rmSync(s.configDir, { recursive: true, force: true });
    }
  },
});
export { expect };

/** Opens the lab at a page and waits until it is connected. */
export async function openLab(page: Page, s: LabServer, hash = '#/clusters') {
  await page.goto(s.url);
  await page.goto(`http://127.0.0.1:${s.port}/${hash}`);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByText('Connecting to the lab…')).toHaveCount(0);
}

export const screenshotDir = 'test-results/screenshots';
