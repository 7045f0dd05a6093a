// `datapath-lab report`: the checks on a host, cluster or snapshot as a shareable, redacted
// report (Markdown, self-contained HTML or JSON).
import { basename, extname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { runOnTarget } from '../core/checkrun/run';
import { CHECKS } from '../core/checks';
import { analyzeDir, analyzeObjects, lint, type LintFinding } from '../core/policy';
import { fetchPolicyObjects, policyObjectsFromSnapshot } from '../core/policy-live/fetch';
import { renderReport, REPORT_FORMATS, withReportFacts, type ReportFormat } from '../core/report';
import { counts } from '../core/format';
import { readSnapshot } from '../core/snapshot/snapshot';
import { contextTargetId, TargetRegistry } from '../core/targets/registry';
import { APP_VERSION } from '../core/version';
import { checkCiliumVersion, failed, progressPrinter, resolveCliTarget, targetArgs, TARGET_OPTIONS, Usage } from './common';
import { writeFileAtomic } from '../core/storage/files';

export const REPORT_HELP = `datapath-lab report — a shareable report of the checks, with secrets removed

Usage:
  datapath-lab report (--host | --context NAME [--kubeconfig FILE] | --snapshot FILE)
                      [--format md|html|json] -o FILE
                      [--only ID,…] [--cilium-version V] [--policy-lint | --policies DIR]
                      [--title T] [--debug-pods] [--quiet]

  --format FMT        md (Markdown), html (one self-contained file: no scripts, prints well)
                      or json; default: from the extension of -o
  -o, --output FILE   where to write the report ("-" for standard output)
  --only ID,…         ${CHECKS.map((c) => c.id).join(', ')}
  --cilium-version V  judge against this Cilium version (default: the installed one)
  --policy-lint       add the policy analyzer's lint of the target's NetworkPolicies and
                      Cilium policies (read from the snapshot, or from the cluster)
  --policies DIR      add the lint of the policy manifests in DIR instead
  --title T           the report's title
  --debug-pods        read node facts on a remote cluster with a short-lived pod per node

Secrets, tokens, keys and certificates never appear in a report: every value is redacted,
and the report is refused if anything shaped like one is left.

Exit codes: 0 written (failed checks are in the report, not the exit code), 2 usage or
connection error.`;


const EXT_FORMAT: Record<string, ReportFormat> = { '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html', '.json': 'json' };

/** The output format: --format, else the file's extension. */
export function reportFormatFor(format: string | undefined, output: string): ReportFormat {
  if (format !== undefined) {
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new Usage(`--format must be one of ${REPORT_FORMATS.join(', ')}, not ${format}`);
    return format as ReportFormat;
  }
  const f = EXT_FORMAT[extname(output).toLowerCase()];
  if (!f) throw new Usage(`cannot tell the format from "${output}": pass --format md|html|json`);
  return f;
}

/** Lint findings with file paths relative to the folder read (a report never shows local paths). */
function relativeFiles(items: LintFinding[], dir: string): LintFinding[] {
  return items.map((l) => (l.file !== undefined && isAbsolute(l.file) ? { ...l, file: relative(dir, l.file) || basename(l.file) } : l));
}

async function policyLintFor(values: { host?: boolean; context?: string; kubeconfig?: string; snapshot?: string; 'policy-lint'?: boolean; policies?: string }): Promise<LintFinding[] | undefined> {
  if (values.policies !== undefined) {
    const dir = resolvePath(values.policies);
    return relativeFiles(lint(await analyzeDir(dir)), dir);
  }
  if (!values['policy-lint']) return undefined;
  if (values.snapshot !== undefined) {
    const s = readSnapshot(resolvePath(values.snapshot));
    const r = policyObjectsFromSnapshot(s.raw, basename(values.snapshot));
    return lint(analyzeObjects(r.objects, r.issues));
  }
  const env = values.kubeconfig !== undefined ? { ...process.env, KUBECONFIG: resolvePath(values.kubeconfig) } : process.env;
  const targets = new TargetRegistry({ env });
  try {
    const r = await fetchPolicyObjects(targets.client(contextTargetId(values.context!)));
    return lint(analyzeObjects(r.objects, r.issues));
  } finally {
    targets.close();
  }
}

export async function runReportCommand(args: string[]): Promise<number> {
  let values;
  let format: ReportFormat;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        format: { type: 'string' }, output: { type: 'string', short: 'o' }, only: { type: 'string' }, 'cilium-version': { type: 'string' },
        'policy-lint': { type: 'boolean' }, policies: { type: 'string' }, title: { type: 'string' },
        'debug-pods': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      console.log(REPORT_HELP);
      return 0;
    }
    targetArgs(values, true);
    if (!values.output) throw new Usage('-o FILE is required ("-" writes to standard output)');
    format = reportFormatFor(values.format, values.output);
    if (values['policy-lint'] && values.policies !== undefined) throw new Usage('--policy-lint and --policies DIR are alternatives: pick one');
    if (values['policy-lint'] && values.host) throw new Usage('--policy-lint needs a cluster or a snapshot: the host has no policies');
    checkCiliumVersion(values['cilium-version']);
  } catch (err) {
    console.error(`datapath-lab report: ${(err as Error).message}\n\n${REPORT_HELP}`);
    return 2;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const progress = progressPrinter(!!values.quiet);
  try {
    const resolved = await resolveCliTarget(values, !!values['debug-pods']);
    const run = await runOnTarget(resolved.target, withReportFacts(resolved.gather), { only, ciliumVersion: values['cilium-version'], onProgress: progress.onProgress });
    progress.stop();
    const policyLint = await policyLintFor(values);
    let snapshot: { title: string | null; file: string } | undefined;
    if (values.snapshot !== undefined) snapshot = { title: readSnapshot(resolvePath(values.snapshot)).title ?? null, file: values.snapshot };
    const report = renderReport(
      { run, facts: run.facts, policyLint, walkthroughs: [], generatedAt: new Date().toISOString(), snapshot, labVersion: `datapath-lab ${APP_VERSION}`, title: values.title },
      format,
    );
    if (values.output === '-') {
      process.stdout.write(report.content);
      return 0;
    }
    const out = resolvePath(values.output!);
    writeFileAtomic(out, report.content);
    const n = counts(run.findings);
    console.error(`wrote ${values.output} (${format}): ${n.fail} failed, ${n.warn} warnings, ${n.unknown} unknown, ${n.pass} passed${policyLint ? `; ${policyLint.length} policy lint findings` : ''}`);
    return 0;
  } catch (err) {
    progress.stop();
    return failed('report', err);
  }
}
