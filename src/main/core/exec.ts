import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/**
 * Runs a program quietly as argv (no shell) for a probe: bounded time and
 * output, never throws for a non-zero exit. The terminal runner is for
 * commands the user sees; this is for facts.
 */
export function execQuiet(
  file: string,
  args: string[],
  opts: { timeoutMs?: number; maxBytes?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 10_000, maxBuffer: opts.maxBytes ?? 16 * 1024 * 1024, env: opts.env ?? process.env, killSignal: 'SIGKILL', encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        resolve({
          stdout: stdout ?? '',
          stderr: stderr ?? (e && typeof e.code === 'string' ? e.message : ''),
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          timedOut: !!e?.killed,
        });
      },
    );
  });
}
