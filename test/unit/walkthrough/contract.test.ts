import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindLabDefaults } from '../../../src/main/core/cilium-values';
import { walkthroughHandlers } from '../../../src/main/core/walkthrough';
import { walkthroughEvents, walkthroughRequests } from '../../../src/shared/api/walkthrough';
import { makeFake, service } from './helpers';

type Req = keyof typeof walkthroughRequests;
const TARGET = 'context:kind-lab';

describe('the walkthrough API contract', () => {
  it('every request has a handler; handler results and emitted events parse with the contract’s schemas', async () => {
    const fake = makeFake();
    const { s, rec } = service(fake);
    const h = walkthroughHandlers(s);
    expect(Object.keys(h).sort()).toEqual(Object.keys(walkthroughRequests).sort());

    const call = async <M extends Req>(m: M, raw: unknown) => {
      const params = walkthroughRequests[m].params.parse(raw);
      const result = await (h[m] as (p: unknown) => unknown)(params);
      return walkthroughRequests[m].result.parse(result);
    };
    await call('walkthrough.list', {});
    await call('walkthrough.get', { id: 'quick-start' });
    await call('walkthrough.guide', { file: 'offline-install.md' });
    await call('walkthrough.plan', { id: 'quick-start', stepId: 'install', targetId: TARGET, params: { installMethod: 'helm', values: kindLabDefaults() } });
    await call('walkthrough.plan', { id: 'quick-start', stepId: 'baseline', targetId: TARGET });
    const { runId } = (await call('walkthrough.run', { id: 'quick-start', stepId: 'baseline', targetId: TARGET, params: { policyNamespace: 'shop' } })) as { runId: string };
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (rec.events.some((e) => e.event === 'walkthrough.done')) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    await call('walkthrough.progress', { id: 'quick-start', targetId: TARGET });
    await call('walkthrough.skip', { id: 'quick-start', stepId: 'lab-cluster', targetId: TARGET, reason: 'existing cluster' });
    await call('walkthrough.reset', { id: 'quick-start', targetId: TARGET });
    await call('walkthrough.cancel', { runId: 'not-running' });
    await call('ciliumValues.defaults', { profile: 'kind-lab' });
    await call('ciliumValues.render', { values: kindLabDefaults(), ciliumVersion: '1.18.6', targetId: TARGET });
    await call('ciliumValues.save', { values: kindLabDefaults(), path: join(mkdtempSync(join(tmpdir(), 'dpl-save-')), 'values.yaml') });
    const b = (await call('baseline.generate', { namespace: 'shop', flavor: 'kubernetes', targetId: TARGET })) as { yaml: string };
    expect(b.yaml).toContain('172.18.0.2/32');

    expect(rec.events.length).toBeGreaterThan(4);
    for (const e of rec.events) {
      const schema = walkthroughEvents[e.event as keyof typeof walkthroughEvents];
      expect(schema, e.event).toBeDefined();
      expect(() => schema.parse(e.payload), e.event).not.toThrow();
    }
  });

  it.each([
    ['walkthrough.skip', { id: 'quick-start', stepId: 'lab-cluster', targetId: TARGET, reason: '  ' }],
    ['walkthrough.plan', { id: '../etc', stepId: 'install', targetId: TARGET }],
    ['walkthrough.plan', { id: 'quick-start', stepId: 'install', targetId: TARGET, params: { x: { nested: true } } }],
    ['walkthrough.guide', { file: '../secrets.md' }],
    ['ciliumValues.render', { values: { ...kindLabDefaults(), extra: 1 } }],
    ['baseline.generate', { namespace: 'shop', flavor: 'calico' }],
  ] as const)('%s refuses %j', (m, raw) => {
    expect(walkthroughRequests[m].params.safeParse(raw).success).toBe(false);
  });
});
