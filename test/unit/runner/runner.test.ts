import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors';
import { processesInGroup, waitFor } from '../../helpers/proc';
import { TEST_TOOLS, output, recordingRunner } from '../../helpers/runner';

const withEcho = { ...TEST_TOOLS, echo: { name: 'echo', kubeFacing: false, install: 'coreutils' } };

function catchLab(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LabError) return err;
    throw err;
  }
  throw new Error('expected a LabError');
}

describe('runner: running commands', () => {
  it('runs a real tool as argv and streams its output', async () => {
    const r = recordingRunner();
    const info = await r.runner.run({ tool: 'uname', args: ['-a'] });
    expect(info.state).toBe('exited');
    expect(info.exitCode).toBe(0);
    expect(output(r, info.sessionId)).toBe(execFileSync('uname', ['-a'], { encoding: 'utf8' }));
    expect(r.started).toHaveLength(1);
    expect(r.exits.map((e) => e.sessionId)).toEqual([info.sessionId]);
  });

  it('passes arguments literally, never through a shell', async () => {
    const r = recordingRunner({ tools: withEcho });
    const info = await r.runner.run({ tool: 'echo', args: ['$(id -u)', '; ls /', '`whoami`', '*'] });
    expect(output(r, info.sessionId)).toBe('$(id -u) ; ls / `whoami` *\n');
  });

  it('reports the exit code and keeps stderr', async () => {
    const r = recordingRunner();
    const info = await r.runner.run({ tool: 'sh', args: ['-c', 'echo oops >&2; exit 3'] });
    expect(info).toMatchObject({ state: 'exited', exitCode: 3 });
    expect(output(r, info.sessionId)).toContain('oops');
  });

  it('refuses a tool outside the allowlist', () => {
    const r = recordingRunner({ tools: undefined });
    const err = catchLab(() => r.runner.start({ tool: 'bash', args: ['-c', 'id'] }));
    expect(err.code).toBe('TOOL_NOT_ALLOWED');
  });

  it('names a missing tool, where it looked and how to install it', () => {
    const r = recordingRunner({ pathEnv: () => '/nonexistent-a:/nonexistent-b' });
    const err = catchLab(() => r.runner.start({ tool: 'helm', args: ['version'] }));
    expect(err.code).toBe('TOOL_NOT_FOUND');
    expect(err.message).toContain('helm was not found');
    expect(err.message).toContain('/nonexistent-a, /nonexistent-b');
    expect(err.fix).toMatch(/helm\.sh/);
  });

  it('uses a user-set tool path before PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-tool-'));
    const fake = join(dir, 'my-kind');
    writeFileSync(fake, '#!/bin/sh\necho "stand-in kind $@"\n');
    chmodSync(fake, 0o755);
    const r = recordingRunner({ toolPaths: () => ({ kind: fake }), pathEnv: () => '' });
    expect(r.runner.resolve('kind')).toMatchObject({ path: fake, source: 'settings' });
    const info = await r.runner.run({ tool: 'kind', args: ['get', 'clusters'] });
    expect(output(r, info.sessionId)).toBe('stand-in kind get clusters\n');
  });

  it('decodes UTF-8 split across reads', async () => {
    const r = recordingRunner();
    const info = await r.runner.run({ tool: 'sh', args: ['-c', "printf '\\342\\202'; sleep 0.2; printf '\\254 ok\\n'"] });
    expect(output(r, info.sessionId)).toBe('€ ok\n');
  });

  it('batches output: thousands of lines arrive in few events, in order', async () => {
    const r = recordingRunner();
    const info = await r.runner.run({ tool: 'sh', args: ['-c', 'i=1; while [ $i -le 5000 ]; do echo "line $i"; i=$((i+1)); done'] });
    const chunks = r.chunks.get(info.sessionId)!;
    const lines = output(r, info.sessionId).trimEnd().split('\n');
    expect(lines).toHaveLength(5000);
    expect(lines[4999]).toBe('line 5000');
    expect(chunks.length).toBeLessThan(500);
  });

  it('runs several sessions at once, each with its own output', async () => {
    const r = recordingRunner();
    const infos = await Promise.all(
      [1, 2, 3].map((n) => r.runner.run({ tool: 'sh', args: ['-c', `for i in 1 2 3; do echo s${n}-$i; sleep 0.05; done`] })),
    );
    expect(new Set(infos.map((i) => i.sessionId)).size).toBe(3);
    infos.forEach((info, k) => expect(output(r, info.sessionId)).toBe(`s${k + 1}-1\ns${k + 1}-2\ns${k + 1}-3\n`));
  });

  it('says why a program could not start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-tool-'));
    const broken = join(dir, 'kind');
    writeFileSync(broken, '#!/nonexistent/interpreter\n');
    chmodSync(broken, 0o755);
    const r = recordingRunner({ toolPaths: () => ({ kind: broken }) });
    const info = await r.runner.run({ tool: 'kind', args: [] });
    expect(info.state).toBe('failed');
    expect(info.reason).toMatch(/could not start kind: .*ENOENT/);
  });
});

describe('runner: cluster targets are always explicit', () => {
  const kube = { kubeconfigs: ['/home/u/.kube/lab'], context: 'kind-lab' };

  it('adds the target kubeconfig and context to kube-facing tools', () => {
    const r = recordingRunner();
    const k = r.runner.composeArgv({ tool: 'kubectl', args: ['get', 'nodes'], kube });
    expect(k.argv).toEqual(['get', 'nodes', '--kubeconfig=/home/u/.kube/lab', '--context=kind-lab']);
    expect(k.env.KUBECONFIG).toBe('/home/u/.kube/lab');
    expect(r.runner.composeArgv({ tool: 'helm', args: ['list'], kube }).argv).toEqual(['list', '--kubeconfig=/home/u/.kube/lab', '--kube-context=kind-lab']);
  });

  it('passes a merged KUBECONFIG list through the environment, with the context flag', () => {
    const r = recordingRunner();
    const k = r.runner.composeArgv({ tool: 'kubectl', args: ['get', 'nodes'], kube: { kubeconfigs: ['/a/config', '/b/eks'], context: 'prod' } });
    expect(k.argv).toEqual(['get', 'nodes', '--context=prod']);
    expect(k.env.KUBECONFIG).toBe('/a/config:/b/eks');
  });

  it('refuses kube-facing commands without a target, except offline subcommands', () => {
    const r = recordingRunner();
    expect(catchLab(() => r.runner.composeArgv({ tool: 'kubectl', args: ['get', 'pods'] })).message).toContain('needs a cluster target');
    const offline = r.runner.composeArgv({ tool: 'kubectl', args: ['version', '--client'] });
    expect(offline.env.KUBECONFIG).toMatch(/nonexistent/);
  });

  it('refuses arguments that would pick another cluster', () => {
    const r = recordingRunner();
    for (const a of ['--context=prod', '--kubeconfig', '--server=https://x', '--kube-context=prod']) {
      expect(catchLab(() => r.runner.composeArgv({ tool: 'kubectl', args: ['get', 'pods', a], kube })).code).toBe('INVALID_REQUEST');
    }
  });
});

describe('runner: cancel, timeout and leftovers', () => {
  it('cancelling sh -c "sleep 100 & sleep 100" leaves no process behind', async () => {
    const r = recordingRunner();
    const info = r.runner.start({ tool: 'sh', args: ['-c', 'sleep 100 & sleep 100'] });
    const pgid = (r.runner as unknown as { sessions: Map<string, { child: { pid: number } }> }).sessions.get(info.sessionId)!.child.pid;
    await waitFor(() => processesInGroup(pgid).length >= 3);
    const done = await r.runner.cancel(info.sessionId);
    expect(done.state).toBe('cancelled');
    await waitFor(() => processesInGroup(pgid).length === 0, 3000);
    expect(processesInGroup(pgid)).toEqual([]);
  });

  it('escalates to SIGKILL when TERM is ignored', async () => {
    const r = recordingRunner({ killGraceMs: 300 });
    const info = r.runner.start({ tool: 'sh', args: ['-c', 'trap "" TERM; echo trapped; while :; do sleep 0.05; done'] });
    const pgid = (r.runner as unknown as { sessions: Map<string, { child: { pid: number } }> }).sessions.get(info.sessionId)!.child.pid;
    // Only once the trap is set does TERM get ignored.
    await waitFor(() => output(r, info.sessionId).includes('trapped'));
    const done = await r.runner.cancel(info.sessionId);
    expect(done.state).toBe('cancelled');
    await waitFor(() => processesInGroup(pgid).length === 0, 3000);
    expect((await r.runner.wait(info.sessionId)).signal).toBe('SIGKILL');
  });

  it('stops a command at its timeout', async () => {
    const r = recordingRunner();
    const info = await r.runner.run({ tool: 'sh', args: ['-c', 'echo started; sleep 100'], timeoutMs: 300 });
    expect(info.state).toBe('timed-out');
    expect(info.reason).toMatch(/timeout/);
    expect(output(r, info.sessionId)).toContain('started');
  });

  it('ends background leftovers when the command itself has exited', async () => {
    const r = recordingRunner();
    const t0 = Date.now();
    const info = await r.runner.run({ tool: 'sh', args: ['-c', 'sleep 100 & echo bye'] });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(info).toMatchObject({ state: 'exited', exitCode: 0 });
  });
});
