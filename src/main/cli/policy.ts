// `datapath-lab policy …`: connectivity list, trace, lint and diff of NetworkPolicy and Cilium policies.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LabError } from '../../shared/errors';
import { fetchPolicyObjects, policyObjectsFromSnapshot } from '../core/policy-live/fetch';
import { readSnapshot } from '../core/snapshot/snapshot';
import { contextTargetId, TargetRegistry } from '../core/targets/registry';
import { parseArgs } from 'node:util';
import {
  analyzeObjects,
  analyzeDir,
  connlistJSON,
  connlistText,
  diffConnectivity,
  formatFinding,
  formatIssue,
  formatTrace,
  lint,
  PeerError,
  trace,
  type PolicyAnalysis,
  type Protocol,
} from '../core/policy';

export const POLICY_HELP = `datapath-lab policy — analyze Kubernetes NetworkPolicy and Cilium policies offline

Usage:
  datapath-lab policy connlist (DIR | --context NAME [--kubeconfig FILE] | --snapshot FILE) [--json] [--strict]
      every allowed connection: src => dst : conn (workloads and external ranges)
  datapath-lab policy trace (DIR | …) --src PEER --dst PEER --protocol TCP|UDP|SCTP --port N
                            [--method M] [--path P] [--json] [--strict]
      is one connection allowed, and which policy rule decides
  datapath-lab policy lint (DIR | …) [--json] [--strict]
      unused and redundant policies and rules, overlaps, egress without DNS, input errors
  datapath-lab policy diff BEFORE_DIR AFTER_DIR [--json] [--strict]
      connections a change loses and gains

DIR is a folder: every .yaml, .yml and .json file under it is read (multi-document
files and Lists included). Instead of DIR: --context NAME [--kubeconfig FILE]
reads the live cluster's workloads and policies; --snapshot FILE reads a snapshot.

PEER is namespace/name[Kind] (e.g. default/web[Deployment]), namespace/name when
unique, an IP address or range, or fqdn:NAME.

Exit codes: 0 done (input errors are printed on stderr and the rest is analyzed);
1 with --strict when the input has errors (connlist, trace, diff) or lint finds
an error or a warning, and for trace when the connection is denied;
2 usage error or unreadable input.`;

class UsageError extends Error {}

const COMMON = {
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  snapshot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface InputFlags {
  context?: string | undefined;
  kubeconfig?: string | undefined;
  snapshot?: string | undefined;
}

/** The analyzer's input: a folder, a live kubeconfig context, or a snapshot (exactly one). */
async function load(dir: string | undefined, flags: InputFlags = {}): Promise<PolicyAnalysis> {
  const chosen = [dir !== undefined, flags.context !== undefined, flags.snapshot !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give exactly one input: DIR, --context NAME or --snapshot FILE');
  if (flags.kubeconfig !== undefined && flags.context === undefined) throw new UsageError('--kubeconfig goes with --context');
  try {
    if (flags.snapshot !== undefined) {
      const s = readSnapshot(resolve(flags.snapshot));
      const r = policyObjectsFromSnapshot(s.raw, basename(flags.snapshot));
      return analyzeObjects(r.objects, r.issues);
    }
    if (flags.context !== undefined) {
      const env = flags.kubeconfig !== undefined ? { ...process.env, KUBECONFIG: resolve(flags.kubeconfig) } : process.env;
      const targets = new TargetRegistry({ env });
      const id = contextTargetId(flags.context);
      if (!targets.has(id)) throw new UsageError(`no context "${flags.context}" in ${targets.paths.join(', ')}`);
      const r = await fetchPolicyObjects(targets.client(id));
      targets.close();
      return analyzeObjects(r.objects, r.issues);
    }
  } catch (err) {
    if (err instanceof LabError) throw new UsageError(`${err.message}${err.fix ? ` (${err.fix})` : ''}`);
    throw err;
  }
  try {
    await stat(dir!);
  } catch {
    throw new UsageError(`cannot read ${dir}: no such file or directory`);
  }
  return analyzeDir(dir!);
}

function reportIssues(a: PolicyAnalysis): number {
  let errors = 0;
  for (const i of a.model.issues) {
    if (i.severity === 'error') errors++;
    if (i.severity !== 'info') console.error(`${i.severity}: ${formatIssue(i)}`);
  }
  return errors;
}

function out(text: string): void {
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function connlistCmd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: COMMON, allowPositionals: true, strict: true });
  if (values.help) return help();
  if (positionals.length > 1) throw new UsageError(`connlist takes one DIR, not ${positionals.length}`);
  const a = await load(positionals[0], values);
  const errors = reportIssues(a);
  const conns = a.connections();
  out(values.json ? JSON.stringify(connlistJSON(conns), null, 2) : connlistText(conns));
  return values.strict && errors > 0 ? 1 : 0;
}

async function traceCmd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON, src: { type: 'string' }, dst: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'string' }, method: { type: 'string' }, path: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return help();
  if (positionals.length > 1) throw new UsageError(`trace takes one DIR, not ${positionals.length}`);
  for (const k of ['src', 'dst', 'port'] as const) if (values[k] === undefined) throw new UsageError(`trace needs --${k}`);
  const protocol = (values.protocol ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw new UsageError(`--protocol must be TCP, UDP or SCTP, not ${values.protocol}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? '') || port < 1 || port > 65535) throw new UsageError(`--port must be a number from 1 to 65535, not ${values.port}`);
  if ((values.method !== undefined || values.path !== undefined) && protocol !== 'TCP') throw new UsageError('--method and --path apply to HTTP over TCP');
  const a = await load(positionals[0], values);
  const errors = reportIssues(a);
  try {
    const t = trace(a, {
      src: values.src as string,
      dst: values.dst as string,
      protocol: protocol as Protocol,
      port,
      ...(values.method !== undefined ? { method: values.method.toUpperCase() } : {}),
      ...(values.path !== undefined ? { path: values.path } : {}),
    });
    out(values.json ? JSON.stringify(t, null, 2) : formatTrace(t));
    if (values.strict && errors > 0) return 1;
    return values.strict && !t.allowed ? 1 : 0;
  } catch (e) {
    if (e instanceof PeerError) throw new UsageError(e.message);
    throw e;
  }
}

async function lintCmd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: COMMON, allowPositionals: true, strict: true });
  if (values.help) return help();
  if (positionals.length > 1) throw new UsageError(`lint takes one DIR, not ${positionals.length}`);
  const a = await load(positionals[0], values);
  const findings = lint(a);
  if (values.json) out(JSON.stringify({ findings }, null, 2));
  else {
    out(findings.map(formatFinding).join('\n'));
    const n = (s: string) => findings.filter((f) => f.severity === s).length;
    console.error(`${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info`);
  }
  return values.strict && findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

async function diffCmd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: COMMON, allowPositionals: true, strict: true });
  if (values.help) return help();
  if (positionals.length !== 2) throw new UsageError('diff takes two folders: BEFORE_DIR AFTER_DIR');
  const before = await load(positionals[0]);
  const after = await load(positionals[1]);
  const errors = reportIssues(before) + reportIssues(after);
  const d = diffConnectivity(before.connections(), after.connections());
  if (values.json) {
    out(
      JSON.stringify(
        {
          lost: d.lost.map((c) => ({ src: c.src, dst: c.dst, conn: c.lost.toJSON() })),
          gained: d.gained.map((c) => ({ src: c.src, dst: c.dst, conn: c.gained.toJSON() })),
        },
        null,
        2,
      ),
    );
  } else {
    out([...d.lost.map((c) => `lost   ${c.src} => ${c.dst} : ${c.lost.toText()}`), ...d.gained.map((c) => `gained ${c.src} => ${c.dst} : ${c.gained.toText()}`)].join('\n'));
    console.error(`${d.lost.length} pair(s) lose connections, ${d.gained.length} gain`);
  }
  return values.strict && errors > 0 ? 1 : 0;
}

function help(): number {
  console.log(POLICY_HELP);
  return 0;
}

/** Runs `datapath-lab policy <argv…>` and returns the exit code. */
export async function runPolicyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'connlist':
      case 'list':
        return await connlistCmd(rest);
      case 'trace':
        return await traceCmd(rest);
      case 'lint':
        return await lintCmd(rest);
      case 'diff':
        return await diffCmd(rest);
      case undefined:
        console.error(POLICY_HELP);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        return help();
      default:
        throw new UsageError(`unknown policy command: ${sub} (connlist, trace, lint, diff)`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`datapath-lab policy: ${(err as Error).message}\nRun \`datapath-lab policy --help\` for usage.`);
      return 2;
    }
    throw err;
  }
}
