import { arch, platform } from 'node:os';
import { LabError } from '../../shared/errors';
import { createDispatcher, type CallContext, type Handlers } from './api/dispatcher';
import { EventBus } from './api/events';
import { readHostFacts } from './probes/host';
import { Runner, type KubeTarget, type RunnerOptions } from './runner/runner';
import { SettingsStore, defaultConfigDir } from './settings/store';
import { APP_VERSION } from './version';

export interface LabServiceOptions {
  transport: 'electron' | 'browser';
  configDir?: string;
  runner?: RunnerOptions;
}

/** Finds the kubeconfig and context of a target; targets beyond the host come with the cluster layer. */
export interface TargetResolver {
  kubeTarget(targetId: string): Promise<KubeTarget>;
}

const hostOnlyTargets: TargetResolver = {
  async kubeTarget(targetId) {
    if (targetId === 'host') throw new LabError('INVALID_REQUEST', 'the host target has no cluster', 'Pick a cluster target for kubectl, helm, cilium and hubble.');
    throw new LabError('NOT_FOUND', `no target ${targetId}`, 'Refresh the Clusters page and pick the target again.');
  },
};

/**
 * The lab behind every transport: one dispatcher over one set of handlers and
 * one event bus. Electron IPC, the browser-mode WebSocket and tests all call this.
 */
export function createLabService(opts: LabServiceOptions) {
  const bus = new EventBus();
  const settings = new SettingsStore(opts.configDir ?? defaultConfigDir());
  if (settings.warning) console.warn(`[datapath-lab] ${settings.warning}`);
  const targets: TargetResolver = hostOnlyTargets;
  const runner = new Runner(
    {
      started: (info) => bus.emit('terminal.started', info),
      data: (sessionId, data, offset) => bus.emit('terminal.data', { sessionId, data, offset }),
      exit: (info) => bus.emit('terminal.exit', info),
    },
    { toolPaths: () => settings.get().toolPaths, ...opts.runner },
  );

  const handlers: Handlers = {
    'app.info': () => ({ name: 'datapath-lab', version: APP_VERSION, transport: opts.transport, platform: `${platform()}-${arch()}`, node: process.version }),
    'settings.get': () => settings.get(),
    'settings.update': (patch) => {
      const next = settings.update(patch);
      bus.emit('settings.changed', next);
      return next;
    },
    'host.facts': () => readHostFacts(),
    'tools.list': () => runner.toolStatuses(),
    'terminal.run': async (p) => {
      const kube = p.targetId && runner.isKubeFacing(p.tool) ? await targets.kubeTarget(p.targetId) : undefined;
      return runner.start({ tool: p.tool, args: p.args, targetId: p.targetId, title: p.title, timeoutMs: p.timeoutMs, kube });
    },
    'terminal.cancel': (p) => runner.cancel(p.sessionId),
    'terminal.ack': (p, ctx) => {
      runner.ack(ctx.clientId, p.sessionId, p.offset);
      return {};
    },
    'terminal.list': () => runner.list(),
    'terminal.transcript': (p) => {
      const info = runner.info(p.sessionId);
      const stamp = info.startedAt.replace(/[:.]/g, '-');
      return { ...runner.transcript(p.sessionId), fileName: `datapath-lab-${info.tool}-${stamp}.log` };
    },
  };

  const dispatch = createDispatcher(handlers);
  return {
    bus,
    runner,
    settings,
    dispatch: (method: unknown, params: unknown, ctx: CallContext) => dispatch(method, params, ctx),
    /** A client (window or WebSocket) went away. */
    clientGone(clientId: string) {
      runner.detachClient(clientId);
    },
    async dispose() {
      await runner.dispose();
    },
  };
}
export type LabService = ReturnType<typeof createLabService>;
