// npm run bench -- terminal: 100 MB of command output through runner →
// WebSocket transport → xterm in Chromium, against writing the same bytes
// straight into an xterm in the same page.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM } from '../../playwright.config';
import { apiClient, startLabServer, stopLabServer } from '../e2e/lab-server';
import { report } from './report';

const TOTAL = 100 * 1024 * 1024;

/** The hooks bench.html puts on the page (see src/renderer/src/bench.tsx). */
interface Bench {
  resetStall(): void;
  stall(): number;
  directWrite(line: string, total: number, chunk: number, likeSession: string): Promise<number>;
  waitWritten(sessionId: string): Promise<void>;
}
/** Calls a bench hook in the page (page functions are serialised: no closures). */
function hook<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(
    ([n, a]) => (globalThis as unknown as { __bench: Record<string, (...x: unknown[]) => unknown> }).__bench[n]!(...a),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Bench[K]>>>;
}
const ESC = String.fromCharCode(27);
const LINE = `${ESC}[32mok${ESC}[0m line of terminal output 0123456789 abcdefghijklmnopqrstuvwxyz\n`;

export async function runTerminalBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'dlab-bench-'));
  const gen = join(dir, 'kind');
  // The stand-in `kind` prints exactly TOTAL bytes of LINE, like a chatty real tool.
  writeFileSync(gen, `#!/bin/sh\nline=$(printf '\\033[32mok\\033[0m line of terminal output 0123456789 abcdefghijklmnopqrstuvwxyz')\nyes "$line" | head -c ${TOTAL}\n`);
  chmodSync(gen, 0o755);
  const lab = await startLabServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    await page.goto(lab.url);
    await page.goto(`http://127.0.0.1:${lab.port}/bench.html#/clusters`);
    await page.getByRole('region', { name: 'Terminal' }).waitFor();
    const api = await apiClient(lab);
    if (!(await api.call('settings.update', { toolPaths: { kind: gen } })).ok) throw new Error('could not set the stand-in tool path');

    // Warm-up: xterm's parser and renderer run once before either path is timed, so neither
    // pays for the JIT's first compile (the app path, timed first, otherwise did).
    await hook(page, 'directWrite', LINE, 8 * 1024 * 1024, 64 * 1024, '');

    // The app path: runner → WebSocket → store → xterm (with flow control).
    await hook(page, 'resetStall');
    const t0 = Date.now();
    const run = (await api.call('terminal.run', { tool: 'kind', args: ['bench'], title: 'bench' })) as { ok: boolean; result: { sessionId: string } };
    if (!run.ok) throw new Error(JSON.stringify(run));
    await hook(page, 'waitWritten', run.result.sessionId);
    const appMs = Date.now() - t0;
    const appStall = await hook(page, 'stall');
    const list = (await api.call('terminal.list', {})) as { result: { sessionId: string; bytes: number }[] };
    const bytes = list.result.find((s) => s.sessionId === run.result.sessionId)?.bytes ?? 0;
    if (bytes !== TOTAL) throw new Error(`the command printed ${bytes} bytes, not ${TOTAL}`);

    // The reference: the same bytes written straight into an xterm in the same page.
    await hook(page, 'resetStall');
    const directMs = await hook(page, 'directWrite', LINE, TOTAL, 64 * 1024, run.result.sessionId);
    const directStall = await hook(page, 'stall');
    api.close();

    const mb = TOTAL / (1024 * 1024);
    const appRate = mb / (appMs / 1000);
    const directRate = mb / (directMs / 1000);
    report(
      'terminal',
      [
        { metric: 'throughput', value: appRate, unit: 'MB/s', reference: directRate, referenceLabel: 'direct xterm write' },
        { metric: 'ratio to direct write', value: appRate / directRate, unit: '×', goal: '≥ 0.8', met: appRate / directRate >= 0.8 },
        { metric: 'longest main-thread stall', value: appStall, unit: 'ms', reference: directStall, referenceLabel: 'direct xterm write' },
        { metric: 'wall time, 100 MB', value: appMs / 1000, unit: 's', reference: directMs / 1000, referenceLabel: 'direct xterm write' },
      ],
      { bytes: TOTAL, chromium: browser.version() },
    );
  } finally {
    await browser.close();
    await stopLabServer(lab);
  }
}

if (process.argv[1]?.endsWith('terminal.ts')) {
  runTerminalBench().catch((err) => {
    console.error(`terminal benchmark failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
