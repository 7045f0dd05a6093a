// Access to the shared test clusters from integration tests (started by
// test/integration/global-setup.ts). Example:
//   const c = testCluster('kind-cilium');      // { kubeconfig, context: 'kind-lab', server, … }
//   const kc = kubeConfigFor('kind-cilium');   // @kubernetes/client-node KubeConfig on that context
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { TestClusterInfo } from '../integration/global-setup';
import { Kube, issueUserKubeconfig } from '../../scripts/testcluster/index';

export type SharedProfile = 'kind-cilium' | 'kind-default';
export type { TestClusterInfo };

/** The running shared cluster of `profile` (throws with a hint when global setup did not start it). */
export function testCluster(profile: SharedProfile | string): TestClusterInfo {
  const all = inject('testclusters') ?? {};
  const c = all[profile];
  if (!c) throw new Error(`test cluster ${profile} is not running: global setup started ${Object.keys(all).join(', ') || 'none'} (see DATAPATH_LAB_TESTCLUSTERS)`);
  return c;
}

/** Absolute path of the admin kubeconfig of `profile`. */
export function kubeconfigPath(profile: SharedProfile | string): string {
  return testCluster(profile).kubeconfig;
}

/** A client-node KubeConfig for `profile`, its context set explicitly. */
export function kubeConfigFor(profile: SharedProfile | string): KubeConfig {
  const c = testCluster(profile);
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  kc.setCurrentContext(c.context);
  return kc;
}

/** The small REST client of scripts/testcluster (admin); close() it when done. */
export function adminClient(profile: SharedProfile | string): Kube {
  const c = testCluster(profile);
  return Kube.fromKubeconfig(c.kubeconfig, c.context);
}

/** A kubeconfig for a new user signed by the cluster CA (no permissions until bound). */
export function userKubeconfig(profile: SharedProfile | string, user: string, groups: string[] = []): Promise<string> {
  return issueUserKubeconfig(testCluster(profile).name, { user, groups });
}
