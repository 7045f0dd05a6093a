import { existsSync } from 'node:fs';
import { CHROMIUM } from '../../playwright.config';
// @ts-expect-error plain ESM helper without types
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs';
import { ensureCluster, readState, stopCluster } from '../../scripts/testcluster/index';

/**
 * Builds the app, checks Chromium, and starts the kind-cilium test control
 * plane for the pages that need a cluster. Its kubeconfig reaches the tests
 * as DATAPATH_LAB_E2E_KUBECONFIG (workers inherit the environment).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: on Debian run \`apt-get install chromium\`, or set DATAPATH_LAB_CHROMIUM to a Chromium binary.`);
  }
  if (!(buildIfNeeded as (o: { quiet: boolean }) => boolean)({ quiet: true })) throw new Error('the build failed: run `npm run build` to see why');
  const profile = 'kind-cilium';
  const preexisting = readState(profile)?.phase === 'ready';
  const c = await ensureCluster(profile, { log: () => {} });
  process.env.DATAPATH_LAB_E2E_KUBECONFIG = c.kubeconfig;
  process.env.DATAPATH_LAB_E2E_CONTEXT = c.context;
  return async () => {
    if (!preexisting && process.env.DATAPATH_LAB_KEEP_TESTCLUSTERS !== '1') await stopCluster(profile, { log: () => {} });
  };
}
