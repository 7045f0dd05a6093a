// `datapath-lab check` and `datapath-lab snapshot`: the checks from the command line, for CI pipelines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { LabError } from '../../shared/errors';
import { CHECKS } from '../core/checks';
import { resolveTarget } from '../core/checkrun/resolve';
import { liveClusterGather } from '../core/checkrun/live';
import { runOnTarget, snapshotGather, type GatherProgress } from '../core/checkrun/run';
import type { ResolvedTarget } from '../core/checkrun/service';
import { FACT_KEYS } from '../core/facts/types';
import { formatRun, OUTPUT_FORMATS, counts, type OutputFormat } from '../core/format';
import { SnapshotLibrary } from '../core/snapshot/library';
import { readSnapshot, writeSnapshot } from '../core/snapshot/snapshot';
import { captureSnapshot } from '../core/snapshot/capture';
import type { KubeClient } from '../core/kube/client';
import { contextTargetId, HOST_TARGET_ID, TargetRegistry } from '../core/targets/registry';
import { APP_VERSION } from '../core/version';

export const CHECK_HELP = `datapath-lab check — is this host or cluster ready for an eBPF dataplane?

Usage:
  datapath-lab check (--host | --context NAME [--kubeconfig FILE] | --snapshot FILE)
                     [--only ID,…] [--cilium-version V] [--format text|json|junit|sarif]
                     [--output FILE] [--debug-pods] [--verbose]

  --host              this machine (kernel, BTF, kernel config, interfaces)
  --context NAME      a kubeconfig context (KUBECONFIG or ~/.kube/config, or --kubeconfig FILE)
  --snapshot FILE     a snapshot made by \`datapath-lab snapshot\` (works offline)
  --only ID,…         ${CHECKS.map((c) => c.id).join(', ')}
  --cilium-version V  judge against this Cilium version (default: the installed one, else the newest known)
  --debug-pods        read node facts on a remote cluster with a short-lived pod per node (you agree to it by passing this)

Exit codes: 0 nothing failed, 1 a check failed, 2 usage or connection error.`;

export const SNAPSHOT_HELP = `datapath-lab snapshot — save what the checks read, to run them later anywhere

Usage:
  datapath-lab snapshot (--host | --context NAME [--kubeconfig FILE]) -o FILE [--title T] [--description D]

The file holds the facts and the API objects behind them, with secrets removed.
A name ending in .gz is gzip-compressed.`;

class Usage extends Error {}

export function targetArgs(values: { host?: boolean; context?: string; snapshot?: string; kubeconfig?: string }, allowSnapshot: boolean) {
  const chosen = [values.host ? 'host' : null, values.context !== undefined ? 'context' : null, values.snapshot !== undefined ? 'snapshot' : null].filter(Boolean);
  if (chosen.length !== 1) throw new Usage(`choose exactly one target: --host, --context NAME${allowSnapshot ? ' or --snapshot FILE' : ''}`);
  if (values.kubeconfig !== undefined && values.context === undefined) throw new Usage('--kubeconfig goes with --context');
}

/** Turns CLI target flags into a resolved target (clear errors for unknown contexts and unreachable clusters). */
export async function resolveCliTarget(values: { host?: boolean; context?: string; snapshot?: string; kubeconfig?: string }, debugPods: boolean): Promise<ResolvedTarget & { client?: KubeClient }> {
  if (values.snapshot !== undefined) {
    const file = resolvePath(values.snapshot);
    const s = readSnapshot(file);
    return { target: { ...s.target, snapshot: file }, gather: snapshotGather(s.facts, s.raw) };
  }
  const env = values.kubeconfig !== undefined ? { ...process.env, KUBECONFIG: resolvePath(values.kubeconfig) } : process.env;
  const targets = new TargetRegistry({ env });
  const snapshots = new SnapshotLibrary('/nonexistent', '/nonexistent');
  const deps = { targets, snapshots, clusterGather: (id: string, o: { debugPods: boolean }) => liveClusterGather(targets, id, o) };
  if (values.host) return resolveTarget(deps, HOST_TARGET_ID, { debugPods });
  const id = contextTargetId(values.context!);
  if (!targets.has(id)) {
    const list = targets.list();
    const names = list.targets.filter((t) => t.context).map((t) => t.context);
    const files = list.files.map((f) => `${f.path} (${f.state}${f.error ? `: ${f.error}` : ''})`).join(', ');
    throw new LabError('NOT_FOUND', `no context "${values.context}" in ${files || 'the kubeconfig'}`, names.length ? `Contexts: ${names.join(', ')}` : 'Pass --kubeconfig FILE or set KUBECONFIG.');
  }
  return { ...(await resolveTarget(deps, id, { debugPods })), client: targets.client(id) };
}

/** Progress on stderr, but only once a run takes longer than a second. */
export function progressPrinter(quiet: boolean) {
  const t0 = Date.now();
  const pending: string[] = [];
  let live = false;
  const timer = setTimeout(() => {
    live = !quiet;
    if (live) for (const l of pending.splice(0)) process.stderr.write(l);
  }, 1000);
  return {
    onProgress(p: GatherProgress) {
      if (p.state === 'started') return;
      const line = `  ${p.key}: ${p.state === 'done' ? 'read' : `unknown (${p.detail ?? ''})`} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`;
      if (live) process.stderr.write(line);
      else pending.push(line);
    },
    stop: () => clearTimeout(timer),
  };
}

export async function runCheckCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        host: { type: 'boolean' }, context: { type: 'string' }, kubeconfig: { type: 'string' }, snapshot: { type: 'string' },
        only: { type: 'string' }, 'cilium-version': { type: 'string' }, format: { type: 'string', default: 'text' }, output: { type: 'string', short: 'o' },
        'debug-pods': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      console.log(CHECK_HELP);
      return 0;
    }
    targetArgs(values, true);
    if (!OUTPUT_FORMATS.includes(values.format as OutputFormat)) throw new Usage(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    if (values['cilium-version'] !== undefined && !/^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/.test(values['cilium-version'])) throw new Usage(`--cilium-version must look like 1.18 or 1.16.5, not ${values['cilium-version']}`);
  } catch (err) {
    console.error(`datapath-lab check: ${(err as Error).message}\n\n${CHECK_HELP}`);
    return 2;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const progress = progressPrinter(!!values.quiet);
  try {
    const resolved = await resolveCliTarget(values, !!values['debug-pods']);
    const run = await runOnTarget(resolved.target, resolved.gather, { only, ciliumVersion: values['cilium-version'], onProgress: progress.onProgress });
    progress.stop();
    const out = formatRun(run, values.format as OutputFormat, { colour: values.format === 'text' && !values.output && process.stdout.isTTY, version: APP_VERSION, verbose: !!values.verbose });
    if (values.output) {
      mkdirSync(dirname(resolvePath(values.output)), { recursive: true });
      writeFileSync(values.output, out);
      const n = counts(run.findings);
      console.error(`wrote ${values.output}: ${n.fail} failed, ${n.warn} warnings, ${n.unknown} unknown, ${n.pass} passed`);
    } else process.stdout.write(out);
    return run.findings.some((f) => f.status === 'fail') ? 1 : 0;
  } catch (err) {
    progress.stop();
    const e = err instanceof LabError ? err : new LabError('INTERNAL', (err as Error).message);
    console.error(`datapath-lab check: ${e.message}${e.fix ? `\n  fix: ${e.fix}` : ''}`);
    return 2;
  }
}

export async function runSnapshotCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        host: { type: 'boolean' }, context: { type: 'string' }, kubeconfig: { type: 'string' }, output: { type: 'string', short: 'o' },
        title: { type: 'string' }, description: { type: 'string' }, 'debug-pods': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      console.log(SNAPSHOT_HELP);
      return 0;
    }
    targetArgs(values, false);
    if (!values.output) throw new Usage('-o FILE is required');
  } catch (err) {
    console.error(`datapath-lab snapshot: ${(err as Error).message}\n\n${SNAPSHOT_HELP}`);
    return 2;
  }
  const progress = progressPrinter(!!values.quiet);
  try {
    const resolved = await resolveCliTarget(values, !!values['debug-pods']);
    const keys = [...FACT_KEYS];
    const snap = await captureSnapshot({ ...resolved, gather: (k, o) => resolved.gather(k, { ...o, onProgress: progress.onProgress }) }, resolved.client ?? null, { title: values.title, description: values.description });
    progress.stop();
    const { facts, raw } = snap;
    const out = resolvePath(values.output!);
    mkdirSync(dirname(out), { recursive: true });
    writeSnapshot(out, snap);
    const known = Object.values(facts).filter((f) => f?.state === 'known').length;
    console.error(`wrote ${values.output}: ${known} of ${keys.length} facts known, ${Object.values(raw).reduce((a, l) => a + l.length, 0)} API objects`);
    return 0;
  } catch (err) {
    progress.stop();
    const e = err instanceof LabError ? err : new LabError('INTERNAL', (err as Error).message);
    console.error(`datapath-lab snapshot: ${e.message}${e.fix ? `\n  fix: ${e.fix}` : ''}`);
    return 2;
  }
}
