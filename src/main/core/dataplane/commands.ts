/**
 * argv for the "Verify the dataplane" and connectivity steps. Pure functions:
 * tool + args, never a shell string. The runner adds --kubeconfig/--context
 * (or hubble's --kube-context) for kube-facing tools, so they are never put in
 * here. Every user-supplied value is validated before it reaches argv.
 */
import { LabError } from '../../../shared/errors';

export interface DataplaneCommand {
  tool: 'cilium' | 'kubectl' | 'hubble';
  args: string[];
  /** A short title for the terminal tab / transcript. */
  title: string;
}

// ---- validation -------------------------------------------------------------

function invalid(what: string, value: unknown, rule: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
  throw new LabError('INVALID_REQUEST', `Invalid ${what} ${shown}: ${rule}.`, `Use ${rule}.`);
}

const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** A namespace (or other object name that must be a DNS-1123 label): lower-case, ≤ 63. */
export function validateDns1123Label(value: unknown, what = 'namespace'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    invalid(what, value, 'a DNS-1123 label: 1–63 lower-case letters, digits or "-", starting and ending with a letter or digit');
  }
  return value;
}

/** A DNS-1123 subdomain such as a cluster domain ("cluster.local"). */
export function validateDns1123Subdomain(value: unknown, what = 'domain'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !value.split('.').every((l) => l.length <= 63 && DNS1123_LABEL.test(l))) {
    invalid(what, value, 'a DNS-1123 subdomain such as "cluster.local"');
  }
  return value;
}

export function validateInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(what, value, `a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A Go duration the CLIs accept, kept simple: "90s", "5m", "1h". */
export function validateDuration(value: unknown, what = 'duration'): string {
  if (typeof value !== 'string' || !/^[1-9]\d{0,4}(?:s|m|h)$/.test(value)) invalid(what, value, 'a duration like "90s", "5m" or "1h"');
  return value;
}

/** An image reference: no spaces, no leading "-", registry/name[:tag][@digest]. */
export function validateImage(value: unknown): string {
  if (typeof value !== 'string' || value.length > 255 || !/^[a-z0-9][a-z0-9._/:@-]*$/i.test(value) || value.includes('..')) {
    invalid('image', value, 'an image reference like "registry.k8s.io/e2e-test-images/agnhost:2.53"');
  }
  return value;
}

// ---- cilium status (cilium-cli) -------------------------------------------------

export interface CiliumStatusOptions {
  /** Wait for the status to be OK (`--wait --wait-duration`). Default: wait 5m. */
  wait?: boolean;
  waitDuration?: string;
  output?: 'text' | 'json';
  /** Namespace Cilium is installed in; omitted for the default (kube-system). */
  namespace?: string;
}

/** `cilium status --wait --wait-duration 5m` (or `-o json`). */
export function ciliumStatusCommand(opts: CiliumStatusOptions = {}): DataplaneCommand {
  const args = ['status'];
  if (opts.wait ?? true) args.push('--wait', '--wait-duration', validateDuration(opts.waitDuration ?? '5m', 'wait duration'));
  if (opts.output === 'json') args.push('-o', 'json');
  if (opts.namespace !== undefined) args.push('--namespace', validateDns1123Label(opts.namespace));
  return { tool: 'cilium', args, title: opts.output === 'json' ? 'cilium status -o json' : 'cilium status' };
}

// ---- agent (kubectl exec into the agent DaemonSet) -------------------------------

export interface AgentExecOptions {
  namespace?: string;
  daemonSet?: string;
  container?: string;
  /**
   * The agent's Cilium version, when known. Before 1.15 the in-pod debug CLI
   * was `cilium`; since 1.15 it is `cilium-dbg`.
   */
  ciliumVersion?: string;
}

/** "1.14.5", "v1.15.0-rc.1" → [major, minor], or null. */
function majorMinor(version: string): [number, number] | null {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** The in-agent debug binary for a Cilium version: cilium-dbg from 1.15, cilium before. */
export function agentCliBinary(ciliumVersion?: string): 'cilium-dbg' | 'cilium' {
  if (ciliumVersion === undefined) return 'cilium-dbg';
  const mm = majorMinor(ciliumVersion);
  if (!mm) invalid('Cilium version', ciliumVersion, 'a version like "1.16.4"');
  const [major, minor] = mm;
  return major > 1 || (major === 1 && minor >= 15) ? 'cilium-dbg' : 'cilium';
}

function agentExec(opts: AgentExecOptions, binary: string, sub: string[], title: string): DataplaneCommand {
  const ns = validateDns1123Label(opts.namespace ?? 'kube-system');
  const ds = validateDns1123Label(opts.daemonSet ?? 'cilium', 'DaemonSet name');
  const container = validateDns1123Label(opts.container ?? 'cilium-agent', 'container name');
  return { tool: 'kubectl', args: ['-n', ns, 'exec', `ds/${ds}`, '-c', container, '--', binary, ...sub], title };
}

export interface AgentStatusOptions extends AgentExecOptions {
  verbose?: boolean;
  output?: 'text' | 'json';
}

/** `kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status [--verbose] [-o json]` */
export function agentStatusCommand(opts: AgentStatusOptions = {}): DataplaneCommand {
  const binary = agentCliBinary(opts.ciliumVersion);
  const sub = ['status'];
  if (opts.verbose) sub.push('--verbose');
  if (opts.output === 'json') sub.push('-o', 'json');
  return agentExec(opts, binary, sub, `${binary} status`);
}

/**
 * Both spellings, newest first: try `cilium-dbg status`; if the agent image is
 * older than 1.15 (exit 126/127, "executable file not found"), run `cilium status`.
 */
export function agentStatusCommandsWithFallback(opts: Omit<AgentStatusOptions, 'ciliumVersion'> = {}): [DataplaneCommand, DataplaneCommand] {
  return [agentStatusCommand({ ...opts, ciliumVersion: '1.15' }), agentStatusCommand({ ...opts, ciliumVersion: '1.14' })];
}

/** Whether a failed exec means the binary is missing in the agent image (so try the fallback). */
export function isMissingBinaryFailure(exitCode: number | null, stderr: string): boolean {
  return exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(stderr);
}

/** `… -- cilium-dbg service list` */
export function agentServiceListCommand(opts: AgentExecOptions & { output?: 'text' | 'json' } = {}): DataplaneCommand {
  const binary = agentCliBinary(opts.ciliumVersion);
  const sub = ['service', 'list'];
  if (opts.output === 'json') sub.push('-o', 'json');
  return agentExec(opts, binary, sub, `${binary} service list`);
}

// ---- hubble observe ----------------------------------------------------------------

export const HUBBLE_VERDICTS = ['FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'] as const;
export type HubbleVerdict = (typeof HUBBLE_VERDICTS)[number];
export const MAX_HUBBLE_LAST = 10_000;

export interface HubbleObserveOptions {
  /** How many recent flows (`--last N`), 1–10000. Default 100. */
  last?: number;
  namespace?: string;
  verdict?: HubbleVerdict;
  /** Let the hubble CLI (≥ 0.13) port-forward to Hubble Relay itself (`--port-forward`). */
  portForward?: boolean;
}

/** `hubble observe -o json --last N [--namespace NS] [--verdict DROPPED] [--port-forward]` */
export function hubbleObserveCommand(opts: HubbleObserveOptions = {}): DataplaneCommand {
  const last = validateInt(opts.last ?? 100, 'number of flows (--last)', 1, MAX_HUBBLE_LAST);
  const args = ['observe', '-o', 'json', '--last', String(last)];
  if (opts.namespace !== undefined) args.push('--namespace', validateDns1123Label(opts.namespace));
  if (opts.verdict !== undefined) {
    if (!(HUBBLE_VERDICTS as readonly string[]).includes(opts.verdict)) invalid('verdict', opts.verdict, `one of ${HUBBLE_VERDICTS.join(', ')}`);
    args.push('--verdict', opts.verdict);
  }
  if (opts.portForward) args.push('--port-forward');
  return { tool: 'hubble', args, title: 'hubble observe' };
}

// ---- connectivity test step ----------------------------------------------------------

export interface ConnectivityOptions {
  namespace?: string;
  /** Echo server image; it must serve HTTP on serverPort. */
  serverImage?: string;
  /** Command and args for the server container (after `--`). */
  serverCommand?: string[];
  serverPort?: number;
  /** Client image; it must have the chosen DNS and HTTP tools. */
  clientImage?: string;
  dnsTool?: 'nslookup' | 'getent';
  httpTool?: 'wget' | 'curl';
  clusterDomain?: string;
  /** Seconds to wait for each rollout and for each request. */
  rolloutTimeoutSeconds?: number;
  requestTimeoutSeconds?: number;
}

export interface ConnectivitySteps {
  namespace: string;
  serviceHost: string;
  setup: DataplaneCommand[];
  wait: DataplaneCommand[];
  checks: DataplaneCommand[];
  cleanup: DataplaneCommand[];
}

export const CONNECTIVITY_DEFAULTS = {
  namespace: 'datapath-lab-check',
  serverImage: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
  serverCommand: ['/agnhost', 'netexec', '--http-port=8080'],
  serverPort: 8080,
  clientImage: 'docker.io/library/busybox:1.36',
  dnsTool: 'nslookup',
  httpTool: 'wget',
  clusterDomain: 'cluster.local',
  rolloutTimeoutSeconds: 120,
  requestTimeoutSeconds: 5,
} as const;

/**
 * The connectivity step: a client and an echo server (Deployment + Service)
 * in their own namespace, wait for both rollouts, resolve the Service by DNS
 * from the client, request it over HTTP, then delete the namespace.
 */
export function connectivityTestCommands(opts: ConnectivityOptions = {}): ConnectivitySteps {
  const d = CONNECTIVITY_DEFAULTS;
  const ns = validateDns1123Label(opts.namespace ?? d.namespace);
  const serverImage = validateImage(opts.serverImage ?? d.serverImage);
  const clientImage = validateImage(opts.clientImage ?? d.clientImage);
  const serverCommand = opts.serverCommand ?? [...d.serverCommand];
  if (!Array.isArray(serverCommand) || serverCommand.length > 20 || !serverCommand.every((a) => typeof a === 'string' && a.length > 0 && a.length < 256 && !/[\0\n]/.test(a))) {
    invalid('server command', serverCommand, 'a short list of non-empty arguments');
  }
  const port = validateInt(opts.serverPort ?? d.serverPort, 'server port', 1, 65535);
  const domain = validateDns1123Subdomain(opts.clusterDomain ?? d.clusterDomain, 'cluster domain');
  const rollout = validateInt(opts.rolloutTimeoutSeconds ?? d.rolloutTimeoutSeconds, 'rollout timeout (seconds)', 1, 1800);
  const request = validateInt(opts.requestTimeoutSeconds ?? d.requestTimeoutSeconds, 'request timeout (seconds)', 1, 120);
  const dnsTool = opts.dnsTool ?? d.dnsTool;
  const httpTool = opts.httpTool ?? d.httpTool;
  if (dnsTool !== 'nslookup' && dnsTool !== 'getent') invalid('DNS tool', dnsTool, '"nslookup" or "getent"');
  if (httpTool !== 'wget' && httpTool !== 'curl') invalid('HTTP tool', httpTool, '"wget" or "curl"');

  const server = 'echo';
  const client = 'client';
  const host = `${server}.${ns}.svc.${domain}`;
  const url = `http://${host}/`;
  const k = (title: string, ...args: string[]): DataplaneCommand => ({ tool: 'kubectl', args, title });

  const setup = [
    k(`create namespace ${ns}`, 'create', 'namespace', ns),
    k('deploy echo server', '-n', ns, 'create', 'deployment', server, `--image=${serverImage}`, `--port=${port}`, '--', ...serverCommand),
    k('expose echo server', '-n', ns, 'expose', 'deployment', server, '--port=80', `--target-port=${port}`),
    k('deploy client', '-n', ns, 'create', 'deployment', client, `--image=${clientImage}`, '--', 'sleep', '3600'),
  ];
  const wait = [
    k('wait for echo server', '-n', ns, 'rollout', 'status', `deployment/${server}`, `--timeout=${rollout}s`),
    k('wait for client', '-n', ns, 'rollout', 'status', `deployment/${client}`, `--timeout=${rollout}s`),
  ];
  const exec = (title: string, ...cmd: string[]) => k(title, '-n', ns, 'exec', `deploy/${client}`, '--', ...cmd);
  const dns = dnsTool === 'nslookup' ? exec(`resolve ${host}`, 'nslookup', host) : exec(`resolve ${host}`, 'getent', 'hosts', host);
  const http =
    httpTool === 'wget'
      ? exec(`request ${url}`, 'wget', '-q', '-O', '-', '-T', String(request), url)
      : exec(`request ${url}`, 'curl', '-sS', '--fail', '--max-time', String(request), url);
  const cleanup = [k(`delete namespace ${ns}`, 'delete', 'namespace', ns, '--ignore-not-found', '--wait=false')];
  return { namespace: ns, serviceHost: host, setup, wait, checks: [dns, http], cleanup };
}
