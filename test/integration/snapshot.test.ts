import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveClusterGather } from '../../src/main/core/checkrun/live';
import { resolveTarget } from '../../src/main/core/checkrun/resolve';
import { runOnTarget, snapshotGather } from '../../src/main/core/checkrun/run';
import { captureSnapshot } from '../../src/main/core/snapshot/capture';
import { SnapshotLibrary } from '../../src/main/core/snapshot/library';
import { readSnapshot, writeSnapshot } from '../../src/main/core/snapshot/snapshot';
import { contextTargetId, TargetRegistry } from '../../src/main/core/targets/registry';
import { testCluster } from '../helpers/testcluster';

const regs: TargetRegistry[] = [];
afterAll(() => regs.forEach((r) => r.close()));

describe('snapshot round trip on the real control plane', () => {
  it.each(['kind-cilium', 'kind-default'])('%s: findings from the snapshot equal the live findings', async (profile) => {
    const c = testCluster(profile);
    const targets = new TargetRegistry({ env: { KUBECONFIG: c.kubeconfig } });
    regs.push(targets);
    const id = contextTargetId(c.context);
    const deps = { targets, snapshots: new SnapshotLibrary('/nonexistent', '/nonexistent'), clusterGather: (t: string, o: { debugPods: boolean }) => liveClusterGather(targets, t, o) };
    const resolved = await resolveTarget(deps, id, { debugPods: false });
    const live = await runOnTarget(resolved.target, resolved.gather);

    const file = join(mkdtempSync(join(tmpdir(), 'dlab-snap-')), `${profile}.json.gz`);
    writeSnapshot(file, await captureSnapshot(resolved, targets.client(id)));
    const snap = readSnapshot(file);
    expect(snap.target).toMatchObject({ context: c.context, serverVersion: live.target.serverVersion });
    expect(snap.raw.policy?.length).toBeGreaterThan(0);
    const offline = await runOnTarget({ ...snap.target, snapshot: file }, snapshotGather(snap.facts, snap.raw));
    const strip = (fs: typeof live.findings) => fs.map(({ checkId, status, summary, evidence, details, fix }) => ({ checkId, status, summary, evidence, details, fix }));
    expect(strip(offline.findings)).toEqual(strip(live.findings));
    expect(live.findings.filter((f) => f.status === 'pass').length).toBeGreaterThanOrEqual(4);
  });
});
