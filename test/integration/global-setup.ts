// Starts the shared test clusters once for the integration project and hands their
// kubeconfigs to the tests (inject('testclusters'), or test/helpers/testcluster.ts).
// A cluster started with `npm run testcluster -- up` is reused and left running. Clusters
// started here are stopped at the end by the last test run using them (several runs in one
// working tree share them); DATAPATH_LAB_KEEP_TESTCLUSTERS=1 keeps them running.
// DATAPATH_LAB_TESTCLUSTERS=kind-cilium limits which profiles start (comma-separated).
import type { TestProject } from 'vitest/node';
import type { ClusterHandle } from '../../scripts/testcluster/index';
import { ensureCluster, releaseCluster } from '../../scripts/testcluster/index';

export interface TestClusterInfo {
  name: string;
  profile: string;
  /** absolute path of the admin kubeconfig */
  kubeconfig: string;
  context: string;
  server: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testclusters: Record<string, TestClusterInfo>;
  }
}

export const SHARED_PROFILES = ['kind-cilium', 'kind-default'];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = (process.env.DATAPATH_LAB_TESTCLUSTERS ?? SHARED_PROFILES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const started = Date.now();
  // One after the other: on 2 cores two apiservers booting at once are slower than in turn.
  const handles: ClusterHandle[] = [];
  const keep = process.env.DATAPATH_LAB_KEEP_TESTCLUSTERS === '1';
  for (const p of wanted) handles.push(await ensureCluster(p, { hold: true, keep }));
  process.stderr.write(`[global-setup] test clusters ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${handles.map((h) => `${h.name} (${h.context})`).join(', ')}\n`);
  project.provide(
    'testclusters',
    Object.fromEntries(handles.map((h) => [h.profile, { name: h.name, profile: h.profile, kubeconfig: h.kubeconfig, context: h.context, server: h.server }])),
  );
  return async () => {
    for (const h of handles.reverse()) await releaseCluster(h.name, { log: () => {} });
  };
}
