// Programmatic API of the test control plane (see docs/test-control-plane.md).
export {
  applyVariant,
  clusterHandle,
  clusterStatus,
  ensureCluster,
  issueUserKubeconfig,
  openSeedContext,
  releaseCluster,
  revertVariant,
  startComponent,
  stopCluster,
  stopComponent,
} from './cluster';
export type { ClusterHandle, ClusterStatus, ComponentStatus, EnsureOptions, UserKubeconfigOptions } from './cluster';
export { ensureBinaries } from './binaries';
export { Kube, KubeError, credentialsFromKubeconfig, mapLimit } from './kube';
export type { KubeObject, Credentials } from './kube';
export { DEFAULT_PROFILE, PROFILES, getProfile } from './profiles/index';
export type { Profile, ProfileOptions, Variant } from './profiles/types';
export { VARIANTS, ciliumConfigLegacyTunnelKey, corednsScaledToZero } from './profiles/variants';
export { waitDaemonSetReady, waitDeploymentReady, waitFor, waitNodesReady, waitPodsRunning, waitServiceEndpoints } from './seed';
export type { SeedContext } from './seed';
export { COMPONENTS, knownClusters, readState } from './state';
export type { ClusterState, ComponentName } from './state';
export { binaries, versions } from './paths';
