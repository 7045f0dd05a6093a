import { describe, expect, it } from 'vitest';
import { requests, events } from '../../../src/shared/api';
import { testService } from '../../helpers/service';

const ctx = { clientId: 't', transport: 'test' as const };

describe('dispatcher: every payload is validated', () => {
  const service = testService();

  it('answers an unknown method with a typed error', async () => {
    expect(await service.dispatch('rm.rf', {}, ctx)).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'unknown method: rm.rf' } });
    expect((await service.dispatch(42, {}, ctx)) as unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect((await service.dispatch('__proto__', {}, ctx)) as unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it.each([
    ['terminal.run', { tool: 'bash', args: [] }, 'tool'],
    ['terminal.run', { tool: 'uname', args: 'a' }, 'args'],
    ['terminal.run', { tool: 'uname', args: ['a\0b'] }, 'NUL'],
    ['terminal.run', { tool: 'uname', args: [], timeoutMs: -1 }, 'timeoutMs'],
    ['terminal.cancel', { sessionId: '../../etc/passwd x' }, 'sessionId'],
    ['terminal.ack', { sessionId: 'a', offset: 'x' }, 'offset'],
    ['app.info', { extra: 1 }, 'extra'],
    ['app.info', 'not an object', 'params'],
    ['settings.update', { toolPaths: { helm: 7 } }, 'toolPaths'],
  ])('%s with %j gets INVALID_REQUEST naming %s', async (method, params, mention) => {
    const env = await service.dispatch(method, params, ctx);
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.error.code).toBe('INVALID_REQUEST');
      expect(env.error.message).toContain(mention === 'NUL' ? 'NUL' : mention);
    }
  });

  it('keeps serving after malformed requests', async () => {
    const env = await service.dispatch('app.info', {}, ctx);
    expect(env).toMatchObject({ ok: true, result: { name: 'datapath-lab' } });
  });

  it('returns results that satisfy the contract', async () => {
    for (const m of ['app.info', 'settings.get', 'tools.list', 'terminal.list', 'host.facts'] as const) {
      const env = await service.dispatch(m, {}, ctx);
      expect(env.ok, m).toBe(true);
      if (env.ok) expect(requests[m].result.safeParse(env.result).success, m).toBe(true);
    }
  });

  it('emits events that satisfy the contract', async () => {
    const seen: [string, unknown][] = [];
    const off = service.bus.subscribe((e, p) => seen.push([e, p]));
    const env = await service.dispatch('terminal.run', { tool: 'uname', args: ['-r'] }, ctx);
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    await service.runner.wait((env.result as { sessionId: string }).sessionId);
    off();
    expect(seen.map(([e]) => e)).toEqual(expect.arrayContaining(['terminal.started', 'terminal.data', 'terminal.exit']));
    for (const [e, p] of seen) expect(events[e as keyof typeof events].safeParse(p).success, e).toBe(true);
  });

  it('refuses kube-facing tools on the host target with a typed error', async () => {
    const env = await service.dispatch('terminal.run', { tool: 'kubectl', args: ['get', 'nodes'], targetId: 'host' }, ctx);
    expect(env).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'the host target has no cluster' } });
  });

  it('validates a user-set tool path before saving it', async () => {
    const env = await service.dispatch('settings.update', { toolPaths: { helm: 'relative/helm' } }, ctx);
    expect(env).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const env2 = await service.dispatch('settings.update', { toolPaths: { helm: '/etc/passwd' } }, ctx);
    expect(env2).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: '/etc/passwd is not an executable file' } });
    const env3 = await service.dispatch('settings.update', { toolPaths: { helm: '/bin/true' } }, ctx);
    expect(env3).toMatchObject({ ok: true, result: { toolPaths: { helm: '/bin/true' } } });
  });
});
