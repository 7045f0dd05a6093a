import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { factsForChecks, gatherFacts, NODE_FACTS_HINT } from '../../../src/main/core/gather/index';
import { CHECKS, factsNeeded, runChecks, selectChecks } from '../../../src/main/core/checks/index';

describe('gatherFacts on the host target', () => {
  it('reads node facts of this machine under its name and marks cluster facts not applicable', async () => {
    const keys = factsForChecks(['kernel.btf']);
    expect(keys.sort()).toEqual(['k8s.workloads', 'node.kernel.btf', 'node.kernel.config']);
    const events: string[] = [];
    const r = await gatherFacts({ kind: 'host' }, keys, { onProgress: (e) => events.push(`${e.key}:${e.state}`) });
    expect(Object.keys(r.facts).sort()).toEqual(keys.sort());
    const btf = r.facts['node.kernel.btf'];
    expect(btf?.state === 'known' && Object.keys(btf.value)).toEqual([hostname()]);
    expect(r.facts['k8s.workloads']).toMatchObject({ state: 'unknown', reason: 'not-applicable' });
    expect(events).toEqual(expect.arrayContaining(['node.kernel.btf:started', 'node.kernel.btf:done', 'k8s.workloads:unknown']));
    expect(r.durations.total).toBeGreaterThanOrEqual(0);
    // The checks run on what was gathered (this machine has BTF and /proc/config.gz).
    const findings = runChecks(r.facts, {}, selectChecks(['kernel.btf']));
    expect(findings[0]?.status).toBe('pass');
  });

  it('factsForChecks is factsNeeded(selectChecks(ids)), all checks when none are named', () => {
    expect(factsForChecks()).toEqual(factsNeeded(CHECKS));
    expect(() => factsForChecks(['nope'])).toThrow(/unknown check nope/);
    expect(NODE_FACTS_HINT).toMatch(/debug pod/);
  });
});
