// `datapath-lab check` and `datapath-lab snapshot`: the checks from the command line, for CI pipelines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECKS } from '../core/checks';
import { runOnTarget } from '../core/checkrun/run';
import { FACT_KEYS } from '../core/facts/types';
import { formatRun, OUTPUT_FORMATS, counts, type OutputFormat } from '../core/format';
import { writeSnapshot } from '../core/snapshot/snapshot';
import { captureSnapshot } from '../core/snapshot/capture';
import { APP_VERSION } from '../core/version';
import { checkCiliumVersion, failed, progressPrinter, resolveCliTarget, targetArgs, TARGET_OPTIONS, Usage } from './common';

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

export async function runCheckCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        only: { type: 'string' }, 'cilium-version': { type: 'string' }, format: { type: 'string', default: 'text' }, output: { type: 'string', short: 'o' },
        verbose: { type: 'boolean', short: 'v' },
      },
    }));
    if (values.help) {
      console.log(CHECK_HELP);
      return 0;
    }
    targetArgs(values, true);
    if (!OUTPUT_FORMATS.includes(values.format as OutputFormat)) throw new Usage(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    checkCiliumVersion(values['cilium-version']);
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
    return failed('check', err);
  }
}

export async function runSnapshotCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        output: { type: 'string', short: 'o' }, title: { type: 'string' }, description: { type: 'string' },
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
    return failed('snapshot', err);
  }
}
