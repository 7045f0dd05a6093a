import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaries } from '../../scripts/testcluster/index';
import { testService } from '../helpers/service';

const ctx = { clientId: 't', transport: 'test' as const };
const opts = { name: 'lab', workers: 1, disableDefaultCNI: true, kubeProxyMode: 'none' as const, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' };

describe('kind lifecycle: the real failure paths on a machine without a container engine', () => {
  it('a real kind binary with no engine: preflight says so, and create fails with kind’s own message in the terminal', async () => {
    const kind = binaries().kind;
    expect(existsSync(kind), `kind is built by scripts/testcluster/build.sh into ${kind}`).toBe(true);
    const service = testService();
    service.settings.update({ toolPaths: { kind } });
    const pre = await service.dispatch('kind.preflight', { workers: 1 }, ctx);
    expect(pre.ok).toBe(true);
    const checks = (pre as { result: { id: string; status: string; detail: string }[] }).result;
    expect(checks.find((c) => c.id === 'kind')).toMatchObject({ status: 'pass', detail: kind });
    // This machine has a docker client and no engine (or no docker at all).
    expect(checks.find((c) => c.id === 'provider')?.status).toBe('fail');

    const plan = await service.dispatch('kind.plan', opts, ctx);
    expect(plan).toMatchObject({ ok: true, result: { argv: ['kind', 'create', 'cluster', '--name', 'lab', '--config', expect.stringMatching(/kind\/lab\.yaml$/), '--kubeconfig', expect.any(String), '--wait', '120s'] } });

    const run = await service.dispatch('kind.create', opts, ctx);
    expect(run.ok).toBe(true);
    const info = await service.runner.wait((run as { result: { sessionId: string } }).result.sessionId);
    expect(info.state).toBe('exited');
    expect(info.exitCode).not.toBe(0);
    const out = service.runner.transcript(info.sessionId).text;
    expect(out).toMatch(/ERROR: failed to create cluster|Cannot connect to the Docker daemon|executable file not found/);
    await service.dispose();
  });

  it('no kind at all: a clear message naming the tool, where it was looked for, and how to install it', async () => {
    const service = testService({ runner: { pathEnv: () => '/nonexistent-bin' } });
    const run = await service.dispatch('kind.create', opts, ctx);
    expect(run).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_FOUND', message: 'kind was not found (looked in: /nonexistent-bin)' } });
    expect((run as { error: { fix: string } }).error.fix).toContain('kind.sigs.k8s.io');
    await service.dispose();
  });
});
