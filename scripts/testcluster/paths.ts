// Where things live: the repository, the binary cache, per-cluster folders.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

/** ~/.cache/datapath-lab unless DATAPATH_LAB_CACHE says otherwise (build.sh uses the same variable). */
export function cacheDir(): string {
  return process.env.DATAPATH_LAB_CACHE || join(homedir(), '.cache', 'datapath-lab');
}

/** All clusters live under <repo>/.testcluster/<name>/ (gitignored). */
export function clustersRoot(): string {
  return process.env.DATAPATH_LAB_TESTCLUSTER_DIR || join(repoRoot, '.testcluster');
}

export function clusterDir(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) throw new Error(`invalid cluster name ${JSON.stringify(name)}: use lowercase letters, digits and dashes`);
  return join(clustersRoot(), name);
}

/** A path relative to the repository root when it is inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = relative(repoRoot, p);
  return rel.startsWith('..') ? p : rel;
}

export interface Versions {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
  HELM_VERSION: string;
  KIND_VERSION: string;
  CILIUM_VERSION: string;
}

let versionsCache: Versions | undefined;

/** The pinned versions from versions.env (KEY=value lines, # comments). */
export function versions(): Versions {
  if (versionsCache) return versionsCache;
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(here, 'versions.env'), 'utf8').split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  for (const k of ['KUBERNETES_VERSION', 'ETCD_VERSION', 'KWOK_VERSION', 'HELM_VERSION', 'KIND_VERSION', 'CILIUM_VERSION']) {
    if (!out[k]) throw new Error(`versions.env has no ${k}`);
  }
  versionsCache = out as unknown as Versions;
  return versionsCache;
}

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
  /** kwok's stage documents, copied from the module by build.sh */
  kwokStages: string;
  helm: string;
  kind: string;
  /** the Hubble CLI, built from Cilium's module at CILIUM_VERSION */
  hubble: string;
}

export function binaries(): Binaries {
  const v = versions();
  const bin = join(cacheDir(), 'bin');
  const kube = join(bin, `kubernetes-${v.KUBERNETES_VERSION}`);
  return {
    etcd: join(bin, `etcd-${v.ETCD_VERSION}`, 'etcd'),
    kubeApiserver: join(kube, 'kube-apiserver'),
    kubeControllerManager: join(kube, 'kube-controller-manager'),
    kubeScheduler: join(kube, 'kube-scheduler'),
    kubectl: join(kube, 'kubectl'),
    kwok: join(bin, `kwok-${v.KWOK_VERSION}`, 'kwok'),
    kwokStages: join(bin, `kwok-${v.KWOK_VERSION}`, 'stage'),
    helm: join(bin, `helm-${v.HELM_VERSION}`, 'helm'),
    kind: join(bin, `kind-${v.KIND_VERSION}`, 'kind'),
    hubble: join(bin, `hubble-${v.CILIUM_VERSION}`, 'hubble'),
  };
}
