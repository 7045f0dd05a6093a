// npm run testcluster -- <up|down|status|user|variant|build> [options]
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries';
import type { ClusterStatus } from './cluster';
import { applyVariant, clusterStatus, ensureCluster, issueUserKubeconfig, revertVariant, stopCluster } from './cluster';
import { displayPath } from './paths';
import { DEFAULT_PROFILE, PROFILES, getProfile } from './profiles/index';
import { VARIANTS } from './profiles/variants';
import { knownClusters } from './state';

const USAGE = `usage: npm run testcluster -- <command> [options]

  up      [--profile P] [--name N] [--nodes N] [--pods M] [--endpoints] [--recreate]
          build what is missing, start the control plane, seed profile P (default ${DEFAULT_PROFILE});
          prints the kubeconfig path as the last line. Reuses a healthy running cluster.
  down    [--profile P | --name N | --all]   stop its processes (newest first), verify they are gone
  status  [--name N] [--json]                what runs: components, PIDs, ports, health
  user    --user U [--group G]... [--name N] [--out FILE]
          mint a kubeconfig for user U (client certificate from the cluster CA); prints its path
  variant --variant V [--revert] [--name N]  apply (or revert) a variant to a running cluster
  build                                      build the binaries only

profiles: ${Object.values(PROFILES).map((p) => `${p.name} (context ${p.context})`).join(', ')}
variants: ${Object.keys(VARIANTS).join(', ')}`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n\n${USAGE}\n`);
  process.exit(2);
}

function printStatus(list: ClusterStatus[]): void {
  if (list.length === 0) {
    process.stdout.write('no test clusters\n');
    return;
  }
  for (const c of list) {
    process.stdout.write(`${c.name}: profile ${c.profile}, ${c.ready ? 'ready' : `not ready (phase ${c.phase}${c.error ? `: ${c.error.split('\n')[0]}` : ''})`}\n`);
    process.stdout.write(`  context ${c.context}, server ${c.server}, kubeconfig ${c.kubeconfig}\n`);
    for (const k of c.components) {
      const state = k.running ? (k.healthy ? 'healthy' : 'running, not healthy') : 'not running';
      process.stdout.write(`  ${k.component.padEnd(24)} pid ${String(k.pid ?? '-').padEnd(8)} port ${String(k.port).padEnd(6)} ${state}${k.memoryMiB !== undefined ? `, ${k.memoryMiB} MiB` : ''}\n`);
    }
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      profile: { type: 'string' },
      name: { type: 'string' },
      nodes: { type: 'string' },
      pods: { type: 'string' },
      endpoints: { type: 'boolean' },
      recreate: { type: 'boolean' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      user: { type: 'string' },
      group: { type: 'string', multiple: true },
      out: { type: 'string' },
      variant: { type: 'string' },
      revert: { type: 'boolean' },
    },
    strict: true,
  });
  const num = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`--${flag} needs a whole number`);
    return n;
  };
  const profileName = values.profile ?? DEFAULT_PROFILE;
  const name = values.name ?? (values.profile ? getProfile(profileName).name : undefined);

  switch (command) {
    case 'up': {
      getProfile(profileName);
      const h = await ensureCluster(profileName, {
        name: values.name,
        recreate: values.recreate,
        keep: true,
        options: { nodes: num(values.nodes, 'nodes'), pods: num(values.pods, 'pods'), endpoints: values.endpoints },
      });
      process.stdout.write(`${h.kubeconfigPath}\n`);
      return;
    }
    case 'down': {
      const names = values.all ? knownClusters() : [name ?? DEFAULT_PROFILE];
      for (const n of names) {
        const r = await stopCluster(n);
        process.stdout.write(`${n}: ${r.stopped.length ? `stopped ${r.stopped.length} process(es)` : 'nothing was running'}\n`);
      }
      return;
    }
    case 'status': {
      const list = await clusterStatus(values.name);
      if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else printStatus(list);
      return;
    }
    case 'user': {
      if (!values.user) fail('user needs --user');
      const out = await issueUserKubeconfig(name ?? DEFAULT_PROFILE, { user: values.user, groups: values.group, out: values.out });
      process.stdout.write(`${displayPath(out)}\n`);
      return;
    }
    case 'variant': {
      const v = values.variant ? VARIANTS[values.variant] : undefined;
      if (!v) fail(`variant needs --variant (one of ${Object.keys(VARIANTS).join(', ')})`);
      const target = name ?? DEFAULT_PROFILE;
      await (values.revert ? revertVariant(target, v) : applyVariant(target, v));
      process.stdout.write(`${target}: ${values.revert ? 'reverted' : 'applied'} ${v.name}\n`);
      return;
    }
    case 'build':
      await ensureBinaries(['etcd', 'kube', 'kwok', 'helm', 'kind', 'hubble'], (l) => process.stderr.write(`${l}\n`));
      return;
    default:
      fail(`unknown command ${command}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`testcluster: ${(e as Error).message}\n`);
  process.exit(1);
});
