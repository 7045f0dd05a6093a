import { arch, hostname, platform } from 'node:os';
import { LabError } from '../../shared/errors';
import { createDispatcher, type CallContext, type Handlers } from './api/dispatcher';
import { EventBus } from './api/events';
import { readHostFacts } from './probes/host';
import { Runner, type RunnerOptions } from './runner/runner';
import { TargetRegistry } from './targets/registry';
import { SettingsStore, defaultConfigDir } from './settings/store';
import { APP_VERSION } from './version';

export interface LabServiceOptions {
  transport: 'electron' | 'browser';
  configDir?: string;
  runner?: RunnerOptions;
  /** Environment to read KUBECONFIG and HOME-relative paths from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Watch kubeconfig files so new contexts appear live (default true). */
  watchKubeconfigs?: boolean;
}

/**
 * The lab behind every transport: one dispatcher over one set of handlers and
 * one event bus. Electron IPC, the browser-mode WebSocket and tests all call this.
 */
export function createLabService(opts: LabServiceOptions) {
  const bus = new EventBus();
  const settings = new SettingsStore(opts.configDir ?? defaultConfigDir());
  if (settings.warning) console.warn(`[datapath-lab] ${settings.warning}`);
  const runner: Runner = new Runner(
    {
      started: (info) => bus.emit('terminal.started', info),
      data: (sessionId, data, offset) => bus.emit('terminal.data', { sessionId, data, offset }),
      exit: (info) => bus.emit('terminal.exit', info),
    },
    { toolPaths: () => settings.get().toolPaths, ...opts.runner },
  );
  const targets = new TargetRegistry({
    env: opts.env,
    home: opts.home,
    hostName: hostname(),
    kindPath: () => runner.resolve('kind').path,
    onChange: (list) => bus.emit('targets.changed', list),
    onConnection: (c) => bus.emit('targets.connection', c),
  });
  if (opts.watchKubeconfigs !== false) targets.watch();
  // kind clusters come from `kind get clusters`, which may take a moment: not on the start-up path.
  void targets.refresh();

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
    'targets.list': () => targets.refresh(),
    'targets.connect': (p) => targets.connect(p.targetId),
    'targets.select': (p) => {
      if (!targets.has(p.targetId)) throw new LabError('NOT_FOUND', `no target ${p.targetId}`, 'Refresh the Clusters page.');
      settings.update({ selectedTargetId: p.targetId });
      bus.emit('settings.changed', settings.get());
      return { selectedTargetId: p.targetId };
    },
    'terminal.run': async (p) => {
      const kube = p.targetId && runner.isKubeFacing(p.tool) ? targets.kubeTarget(p.targetId) : undefined;
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
    targets,
    dispatch: (method: unknown, params: unknown, ctx: CallContext) => dispatch(method, params, ctx),
    /** A client (window or WebSocket) went away. */
    clientGone(clientId: string) {
      runner.detachClient(clientId);
    },
    async dispose() {
      targets.close();
      await runner.dispose();
    },
  };
}
export type LabService = ReturnType<typeof createLabService>;
