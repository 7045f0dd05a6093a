export { asCidr, generateBaseline, type Baseline, type BaselineFlavor, type BaselineOptions, type KubeObject } from './generate';
export { compareWithCluster, containedDifferences, objectPath, type ApiReader } from './compare';
export { discoverApiServer, type ApiServerEndpoints } from './discover';
