import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { ToolStatus } from '../../../shared/api';

export interface ToolSpec {
  name: string;
  /** Talks to a cluster: gets --kubeconfig/--context from the target. */
  kubeFacing: boolean;
  /** How this tool spells its kubeconfig and context flags. */
  kubeconfigFlag?: string;
  contextFlag?: string;
  /** First arguments that never reach a cluster, allowed without a target. */
  offlineSubcommands?: string[];
  install: string;
}

/** The allowlist. Only these run, and only as argv. */
export const TOOLS: Record<string, ToolSpec> = {
  kubectl: {
    name: 'kubectl', kubeFacing: true, kubeconfigFlag: '--kubeconfig', contextFlag: '--context',
    offlineSubcommands: ['version --client', 'kustomize', 'help', 'completion', 'create --dry-run=client'],
    install: 'Install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl, or set its path in Settings.',
  },
  helm: {
    name: 'helm', kubeFacing: true, kubeconfigFlag: '--kubeconfig', contextFlag: '--kube-context',
    offlineSubcommands: ['version', 'template', 'lint', 'show', 'package', 'help', 'repo', 'pull', 'search'],
    install: 'Install Helm: https://helm.sh/docs/intro/install/ (offline: copy the helm binary onto PATH or set its path in Settings).',
  },
  cilium: {
    name: 'cilium', kubeFacing: true, kubeconfigFlag: '--kubeconfig', contextFlag: '--context',
    offlineSubcommands: ['version --client', 'help', 'completion'],
    install: 'Install cilium-cli: https://docs.cilium.io/en/stable/gettingstarted/k8s-install-default/#install-the-cilium-cli, or set its path in Settings.',
  },
  hubble: {
    name: 'hubble', kubeFacing: true, kubeconfigFlag: '--kubeconfig', contextFlag: '--kube-context',
    offlineSubcommands: ['version', 'help', 'completion'],
    install: 'Install the Hubble CLI: https://docs.cilium.io/en/stable/observability/hubble/setup/#install-the-hubble-client, or set its path in Settings.',
  },
  kind: {
    name: 'kind', kubeFacing: false,
    install: 'Install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or `go install sigs.k8s.io/kind@v0.30.0`), or set its path in Settings.',
  },
  docker: { name: 'docker', kubeFacing: false, install: 'Install Docker Engine: https://docs.docker.com/engine/install/ (or use podman).' },
  podman: { name: 'podman', kubeFacing: false, install: 'Install Podman: https://podman.io/docs/installation (or use docker).' },
  uname: { name: 'uname', kubeFacing: false, install: 'uname is part of coreutils: apt-get install coreutils.' },
  ip: { name: 'ip', kubeFacing: false, install: 'ip is part of iproute2: apt-get install iproute2 (dnf install iproute).' },
  ping: { name: 'ping', kubeFacing: false, install: 'ping is part of iputils: apt-get install iputils-ping.' },
  tracepath: { name: 'tracepath', kubeFacing: false, install: 'tracepath is part of iputils: apt-get install iputils-tracepath.' },
};

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ResolveOptions {
  /** User-set paths from settings, by tool name. */
  toolPaths?: Record<string, string>;
  /** PATH to search; defaults to process.env.PATH. */
  pathEnv?: string;
}

/** Finds a tool: the user-set path wins, then PATH. Never throws. */
export function resolveTool(name: string, opts: ResolveOptions = {}, spec: ToolSpec | undefined = TOOLS[name]): ToolStatus {
  const install = spec?.install ?? `Install ${name} or set its path in Settings.`;
  const kubeFacing = spec?.kubeFacing ?? false;
  const searched: string[] = [];
  const userPath = opts.toolPaths?.[name];
  if (userPath) {
    searched.push(userPath);
    if (isAbsolute(userPath) && isExecutableFile(userPath)) {
      return { name, path: userPath, source: 'settings', searched, install, kubeFacing };
    }
  }
  const dirs = (opts.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  for (const dir of dirs) {
    const candidate = join(dir, name);
    searched.push(dir);
    if (isExecutableFile(candidate)) return { name, path: candidate, source: 'PATH', searched, install, kubeFacing };
  }
  return { name, path: null, source: 'missing', searched, install, kubeFacing };
}

/** One clear sentence naming the missing tool and where we looked. */
export function missingToolMessage(status: ToolStatus): string {
  const where = status.searched.length ? status.searched.join(', ') : '(PATH is empty)';
  return `${status.name} was not found (looked in: ${where})`;
}
