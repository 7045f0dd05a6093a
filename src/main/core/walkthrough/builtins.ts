import type { Builtin } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';
import {
  agentServiceListCommand,
  agentStatusCommand,
  ciliumStatusCommand,
  connectivityTestCommands,
  hubbleObserveCommand,
  type ConnectivityOptions,
  type HubbleVerdict,
} from '../dataplane/commands';
import { kindCreateArgv, kindDeleteArgv, validateKindName } from '../kind/config';

/**
 * The lab's own argv builders, callable from walkthrough data: kind creation from
 * core/kind, status and connectivity commands from core/dataplane. A walkthrough names the
 * builder and passes validated values; the builders validate again and return argv.
 */

export interface BuiltinCommand {
  tool: 'kind' | 'kubectl' | 'cilium' | 'hubble' | 'helm';
  args: string[];
  title: string;
}

export interface BuiltinContext {
  /** The kubeconfig file kind writes the new context into (the registry watches it). */
  kindKubeconfig?: () => string;
}

type With = Readonly<Record<string, unknown>>;

const str = (w: With, k: string): string | undefined => {
  const v = w[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new LabError('INVALID_REQUEST', `${k} must be text`);
  return v;
};
const num = (w: With, k: string): number | undefined => {
  const v = w[k];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number') throw new LabError('INVALID_REQUEST', `${k} must be a number`);
  return n;
};
const bool = (w: With, k: string): boolean | undefined => {
  const v = w[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new LabError('INVALID_REQUEST', `${k} must be true or false`);
};
const output = (w: With): 'json' | 'text' | undefined => {
  const o = str(w, 'output');
  if (o !== undefined && o !== 'json' && o !== 'text') throw new LabError('INVALID_REQUEST', 'output must be json or text');
  return o;
};

function connectivityOptions(w: With): ConnectivityOptions {
  const o: ConnectivityOptions = {};
  const ns = str(w, 'namespace');
  if (ns !== undefined) o.namespace = ns;
  const si = str(w, 'serverImage');
  if (si !== undefined) o.serverImage = si;
  const ci = str(w, 'clientImage');
  if (ci !== undefined) o.clientImage = ci;
  const rt = num(w, 'rolloutTimeoutSeconds');
  if (rt !== undefined) o.rolloutTimeoutSeconds = rt;
  const qt = num(w, 'requestTimeoutSeconds');
  if (qt !== undefined) o.requestTimeoutSeconds = qt;
  const domain = str(w, 'clusterDomain');
  if (domain !== undefined) o.clusterDomain = domain;
  return o;
}

/** The commands a builtin stands for, in order. */
export function builtinCommands(name: Builtin, w: With, ctx: BuiltinContext = {}): BuiltinCommand[] {
  switch (name) {
    case 'kind.create': {
      const cluster = str(w, 'name') ?? 'lab';
      validateKindName(cluster);
      const config = str(w, 'config');
      if (!config) throw new LabError('INVALID_REQUEST', 'kind.create needs the config file (with: config: "{{files.…}}")');
      if (!ctx.kindKubeconfig) throw new LabError('INTERNAL', 'kind.create: the kubeconfig file for new kind clusters is not known');
      return [{ tool: 'kind', args: kindCreateArgv(cluster, config, ctx.kindKubeconfig()), title: `kind create cluster ${cluster}` }];
    }
    case 'kind.delete': {
      const cluster = str(w, 'name') ?? 'lab';
      validateKindName(cluster);
      if (!ctx.kindKubeconfig) throw new LabError('INTERNAL', 'kind.delete: the kubeconfig file of kind clusters is not known');
      return [{ tool: 'kind', args: kindDeleteArgv(cluster, ctx.kindKubeconfig()), title: `kind delete cluster ${cluster}` }];
    }
    case 'cilium.status': {
      const ns = str(w, 'namespace');
      const wait = bool(w, 'wait');
      const waitDuration = str(w, 'waitDuration');
      return [ciliumStatusCommand({ ...(wait !== undefined ? { wait } : {}), ...(waitDuration ? { waitDuration } : {}), output: output(w) ?? 'text', ...(ns ? { namespace: ns } : {}) })];
    }
    case 'agent.status': {
      const ns = str(w, 'namespace');
      const v = str(w, 'ciliumVersion');
      return [agentStatusCommand({ output: output(w) ?? 'text', verbose: bool(w, 'verbose') ?? false, ...(ns ? { namespace: ns } : {}), ...(v ? { ciliumVersion: v } : {}) })];
    }
    case 'agent.service-list': {
      const ns = str(w, 'namespace');
      const v = str(w, 'ciliumVersion');
      return [agentServiceListCommand({ output: output(w) ?? 'text', ...(ns ? { namespace: ns } : {}), ...(v ? { ciliumVersion: v } : {}) })];
    }
    case 'hubble.observe': {
      const ns = str(w, 'namespace');
      const verdict = str(w, 'verdict');
      const last = num(w, 'last');
      return [hubbleObserveCommand({ ...(last !== undefined ? { last } : {}), ...(ns ? { namespace: ns } : {}), ...(verdict ? { verdict: verdict as HubbleVerdict } : {}), portForward: bool(w, 'portForward') ?? false })];
    }
    case 'connectivity.setup':
      return connectivityTestCommands(connectivityOptions(w)).setup;
    case 'connectivity.wait':
      return connectivityTestCommands(connectivityOptions(w)).wait;
    case 'connectivity.checks':
      return connectivityTestCommands(connectivityOptions(w)).checks;
    case 'connectivity.cleanup':
      return connectivityTestCommands(connectivityOptions(w)).cleanup;
  }
}
