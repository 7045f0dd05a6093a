// Long-running component processes: start detached with logs to a file, recognise
// them later by PID + start time (so a reused PID is never mistaken for ours), stop them.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcessRecord {
  pid: number;
  /** /proc/PID/stat field 22 (clock ticks since boot): tells our process from a later one with the same PID */
  startTime: number;
  /** resolved executable path */
  exe: string;
  startedAt: string;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: split after the last ')'. Field 3 (state) is index 0.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function procStartTime(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[19]) : undefined;
}

/** True when the recorded process still runs (not a zombie, same start time). */
export function isAlive(rec: ProcessRecord): boolean {
  const f = statFields(rec.pid);
  if (!f) return false;
  if (f[0] === 'Z' || f[0] === 'X') return false;
  return Number(f[19]) === rec.startTime;
}

/** Resident and peak memory of a process in bytes (VmRSS, VmHWM), if it runs. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface SpawnOptions {
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts `bin args` in its own session (it outlives the caller), stdout and stderr
 * appended to `logFile`. Throws when it exits within the first moments.
 */
export async function spawnDetached(bin: string, args: string[], o: SpawnOptions): Promise<ProcessRecord> {
  const fd = openSync(o.logFile, 'a');
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env: o.env ?? process.env, cwd: o.cwd });
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((r) => child.once('error', r));
      throw new Error(`could not start ${bin}: ${err.message}`);
    }
    child.on('exit', (code, signal) => (exited = { code, signal }));
    child.unref();
    const startTime = procStartTime(pid);
    if (startTime === undefined) throw new Error(`${bin} exited immediately; see ${o.logFile}`);
    let exe = bin;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // raced with exec or exit; keep the path we started
    }
    // Give it a moment so flag errors surface here rather than as a timeout later.
    await sleep(150);
    if (exited) throw new Error(`${bin.split('/').pop()} exited (${exited.code ?? exited.signal}) right after start; see ${o.logFile}`);
    return { pid, startTime, exe, startedAt: new Date().toISOString() };
  } finally {
    closeSync(fd);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Stops one recorded process: SIGTERM, wait up to `graceMs`, then SIGKILL and wait again.
 * Returns how it ended. A record whose process is gone (or was replaced) is left alone.
 */
export async function stopProcess(rec: ProcessRecord, graceMs = 10_000): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!isAlive(rec)) return 'not-running';
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(rec.pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  if (await waitGone(rec, graceMs)) return 'terminated';
  signal('SIGKILL');
  if (await waitGone(rec, 5_000)) return 'killed';
  throw new Error(`process ${rec.pid} (${rec.exe}) survived SIGKILL`);
}

async function waitGone(rec: ProcessRecord, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(rec)) return true;
    await sleep(50);
  }
  return !isAlive(rec);
}

/**
 * `n` distinct TCP ports free on 127.0.0.1, picked at random below the kernel's
 * ephemeral range (32768+) so that no outgoing connection takes one of them between
 * this check and the component's bind.
 */
export async function freePorts(n: number, taken: Iterable<number> = []): Promise<number[]> {
  const out: number[] = [];
  const avoid = new Set(taken);
  for (let tries = 0; out.length < n; tries++) {
    if (tries > 2000) throw new Error('could not find free ports in 20000-32767');
    const port = 20000 + Math.floor(Math.random() * 12768);
    if (avoid.has(port)) continue;
    avoid.add(port);
    if (await canBind(port)) out.push(port);
  }
  return out;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const s = createServer();
    s.once('error', () => resolvePromise(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolvePromise(true)));
  });
}
