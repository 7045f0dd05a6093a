// Makes sure the control plane's binaries are in the cache; builds what is missing with build.sh.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { binaries, cacheDir, here } from './paths';
import { run } from './exec';

export type BuildComponent = 'etcd' | 'kube' | 'kwok' | 'helm' | 'kind' | 'hubble';

/** Which build.sh components are missing from the cache. */
export function missingComponents(wanted: BuildComponent[]): BuildComponent[] {
  const b = binaries();
  const present: Record<BuildComponent, boolean> = {
    etcd: existsSync(b.etcd),
    kube: [b.kubeApiserver, b.kubeControllerManager, b.kubeScheduler, b.kubectl].every((p) => existsSync(p)),
    kwok: existsSync(b.kwok) && existsSync(join(b.kwokStages, 'node', 'fast', 'node-initialize.yaml')),
    helm: existsSync(b.helm),
    kind: existsSync(b.kind),
    hubble: existsSync(b.hubble),
  };
  return wanted.filter((c) => !present[c]);
}

/**
 * Builds the missing components (etcd, kube, kwok and helm by default) with build.sh.
 * A cold build of `kube` takes minutes; progress goes to `log`.
 */
export async function ensureBinaries(
  wanted: BuildComponent[] = ['etcd', 'kube', 'kwok', 'helm'],
  log: (line: string) => void = () => {},
): Promise<void> {
  const missing = missingComponents(wanted);
  if (missing.length === 0) return;
  log(`building ${missing.join(', ')} into ${join(cacheDir(), 'bin')} (build.sh; the first kube build takes long)`);
  const started = Date.now();
  const r = await run('bash', [join(here, 'build.sh'), ...missing], {
    onStderr: (chunk) => {
      for (const line of chunk.split('\n')) if (line.startsWith('[build')) log(line);
    },
  });
  if (r.code !== 0) {
    throw new Error(`build.sh ${missing.join(' ')} failed (exit ${r.code}):\n${r.stderr.trim().split('\n').slice(-20).join('\n')}`);
  }
  const still = missingComponents(missing);
  if (still.length) throw new Error(`build.sh finished but ${still.join(', ')} is still missing`);
  log(`built ${missing.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
}
