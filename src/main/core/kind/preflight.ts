import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreflightCheck } from '../../../shared/api/kind';
import { execQuiet } from '../exec';

export interface PreflightInput {
  /** KIND_EXPERIMENTAL_PROVIDER from the environment (docker when unset). */
  provider: string | undefined;
  kindPath: string | null;
  enginePath: string | null;
  /** Root to read /proc and /sys under ('/' on the host). */
  root?: string;
  workers: number;
}

const read = (root: string, p: string) => {
  try {
    return readFileSync(join(root, p), 'utf8');
  } catch {
    return null;
  }
};

/** kind's known-issues page recommends these inotify limits for multi-node clusters. */
export const INOTIFY_WATCHES = 524288;
export const INOTIFY_INSTANCES = 512;

/**
 * The host reasons kind creation fails for, checked before creating:
 * the container engine, inotify limits, cgroup v2, free memory.
 */
export async function kindPreflight(input: PreflightInput): Promise<PreflightCheck[]> {
  const root = input.root ?? '/';
  const provider = (input.provider || 'docker').toLowerCase();
  const checks: PreflightCheck[] = [];
  checks.push(
    input.kindPath
      ? { id: 'kind', title: 'kind is installed', status: 'pass', detail: input.kindPath, fix: null }
      : { id: 'kind', title: 'kind is installed', status: 'fail', detail: 'kind was not found on PATH or in Settings', fix: 'Install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or `go install sigs.k8s.io/kind@v0.30.0`).' },
  );
  if (!['docker', 'podman', 'nerdctl'].includes(provider)) {
    checks.push({ id: 'provider', title: 'Container engine', status: 'fail', detail: `KIND_EXPERIMENTAL_PROVIDER=${input.provider} is not docker, podman or nerdctl`, fix: 'Unset KIND_EXPERIMENTAL_PROVIDER or set it to podman.' });
  } else if (!input.enginePath) {
    checks.push({ id: 'provider', title: `Container engine (${provider})`, status: 'fail', detail: `${provider} was not found${input.provider ? ` (KIND_EXPERIMENTAL_PROVIDER=${input.provider})` : ''}`, fix: provider === 'podman' ? 'Install Podman: https://podman.io/docs/installation' : 'Install Docker Engine (https://docs.docker.com/engine/install/), or set KIND_EXPERIMENTAL_PROVIDER=podman.' });
  } else {
    const r = await execQuiet(input.enginePath, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 });
    const out = `${r.stdout}${r.stderr}`.trim();
    checks.push(
      r.code === 0 && r.stdout.trim() && !/error/i.test(r.stdout)
        ? { id: 'provider', title: `Container engine (${provider})`, status: 'pass', detail: `${provider} ${r.stdout.trim()} is reachable`, fix: null }
        : {
            id: 'provider',
            title: `Container engine (${provider})`,
            status: 'fail',
            detail: `${provider} is installed but its engine is not reachable: ${(out.split('\n').find((l) => /cannot connect|error|denied|no such/i.test(l)) ?? out.split('\n')[0] ?? `exit ${r.code}`).slice(0, 300)}`,
            fix: provider === 'podman' ? 'Start it: `podman machine start` (macOS/Windows) or `systemctl --user start podman.socket`.' : 'Start it: `sudo systemctl start docker`, and add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again).',
          },
    );
  }
  const watches = Number(read(root, '/proc/sys/fs/inotify/max_user_watches'));
  const instances = Number(read(root, '/proc/sys/fs/inotify/max_user_instances'));
  if (!watches || !instances) {
    checks.push({ id: 'inotify', title: 'inotify limits', status: 'unknown', detail: '/proc/sys/fs/inotify is not readable here', fix: null });
  } else {
    const low = watches < INOTIFY_WATCHES || instances < INOTIFY_INSTANCES;
    checks.push({
      id: 'inotify',
      title: 'inotify limits',
      status: low ? (input.workers > 0 ? 'warn' : 'pass') : 'pass',
      detail: `max_user_watches ${watches}, max_user_instances ${instances}${low ? ` (kind recommends ${INOTIFY_WATCHES} and ${INOTIFY_INSTANCES}; multi-node clusters fail with "too many open files")` : ''}`,
      fix: low ? `sudo sysctl fs.inotify.max_user_watches=${INOTIFY_WATCHES} fs.inotify.max_user_instances=${INOTIFY_INSTANCES}` : null,
    });
  }
  const v2 = existsSync(join(root, '/sys/fs/cgroup/cgroup.controllers'));
  checks.push(
    v2
      ? { id: 'cgroup', title: 'cgroup v2', status: 'pass', detail: 'unified hierarchy (/sys/fs/cgroup/cgroup.controllers)', fix: null }
      : { id: 'cgroup', title: 'cgroup v2', status: 'warn', detail: 'cgroup v1: recent kind node images and Cilium socket-LB (kube-proxy replacement) want cgroup v2', fix: 'Boot with systemd.unified_cgroup_hierarchy=1 (most current distributions default to cgroup v2).' },
  );
  const mem = /^MemAvailable:\s+(\d+) kB/m.exec(read(root, '/proc/meminfo') ?? '');
  if (!mem) checks.push({ id: 'memory', title: 'Free memory', status: 'unknown', detail: '/proc/meminfo has no MemAvailable', fix: null });
  else {
    const gib = Number(mem[1]) / 1024 / 1024;
    // About 1.5 GiB for the control plane and 1 GiB per worker with Cilium and a few test pods.
    const need = 1.5 + input.workers;
    checks.push({
      id: 'memory',
      title: 'Free memory',
      status: gib >= need ? 'pass' : 'warn',
      detail: `${gib.toFixed(1)} GiB available; a control plane and ${input.workers} worker(s) with Cilium want about ${need.toFixed(1)} GiB`,
      fix: gib >= need ? null : 'Close other programs or create fewer workers.',
    });
  }
  return checks;
}
