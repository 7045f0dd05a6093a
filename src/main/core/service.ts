import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, hostname, platform } from 'node:os';
import { dirname, join } from 'node:path';
import type { KindClusterOptions } from '../../shared/api';
import { kindConfigYaml, kindCreateArgv, kindDeleteArgv, kindExportArgv, validateKindName } from './kind/config';
import { kindPreflight } from './kind/preflight';
import { createChecksService } from './checkrun/service';
import { resolveTarget } from './checkrun/resolve';
import { DEBUG_POD_IMAGE, debugPodPreview, liveClusterGather } from './checkrun/live';
import { resourcesDir } from './paths';
import { SnapshotLibrary } from './snapshot/library';
import { captureSnapshot } from './snapshot/capture';
import { writeSnapshot } from './snapshot/snapshot';
import { createPolicyService } from './policy-live/service';
import { createWalkthroughService } from './walkthrough/engine';
import { walkthroughHandlers } from './walkthrough/handlers';
import { walkthroughDeps } from './walkthrough/wire';
import { createReportService } from './report/service';
import { walkthroughOutcome } from './report/walkthroughs';
import { createRecommendService } from './recommend/service';
import { PitfallResultStore, PitfallService, pitfallHandlers, pitfallResolver } from './pitfalls';
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
  const configDir = opts.configDir ?? defaultConfigDir();
  const env = opts.env ?? process.env;
  const settings = new SettingsStore(configDir);
  if (settings.warning) console.warn(`[datapath-lab] ${settings.warning}`);
  const runner: Runner = new Runner(
    {
      started: (info) => bus.emit('terminal.started', info),
      data: (sessionId, data, offset) => bus.emit('terminal.data', { sessionId, data, offset }),
      exit: (info) => bus.emit('terminal.exit', info),
    },
    { toolPaths: () => settings.get().toolPaths, ...opts.runner },
  );
  const snapshots = new SnapshotLibrary(join(resourcesDir(), 'snapshots'), join(configDir, 'snapshots'));
  const targets = new TargetRegistry({
    extraTargets: () => snapshots.targets(),
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

  const checks = createChecksService({
    bus,
    resultsDir: join(configDir, 'results'),
    resolve: (targetId, o) =>
      resolveTarget(
        {
          targets,
          snapshots,
          clusterGather: (targetId, o) => liveClusterGather(targets, targetId, o),
        },
        targetId,
        o,
      ),
  });

  const policies = createPolicyService({ targets, snapshots, runner, workDir: configDir });

  const walkthroughs = createWalkthroughService(walkthroughDeps({ configDir, runner, targets, emit: (e, p) => bus.emit(e, p), kindProvider: env.KIND_EXPERIMENTAL_PROVIDER }));

  const pitfalls = new PitfallService({ resolve: pitfallResolver({ targets, snapshots }), store: new PitfallResultStore(join(configDir, 'pitfalls', 'results')) });

  const resolveForReports = (targetId: string, o: { debugPods: boolean }) =>
    resolveTarget({ targets, snapshots, clusterGather: (id, g) => liveClusterGather(targets, id, g) }, targetId, o);
  const reports = createReportService({
    dir: join(configDir, 'reports'),
    resolve: resolveForReports,
    snapshotInfo: (targetId) => {
      const e = snapshots.entries().find((x) => x.id === targetId);
      return e ? { title: e.snapshot?.title ?? null, file: e.file } : null;
    },
    walkthroughs: (targetId) => [
      ...pitfalls.outcomes(targetId),
      ...(targetId.startsWith('snapshot:')
        ? []
        : walkthroughs
            .listWalkthroughs()
            .map((w) => {
              const def = walkthroughs.getWalkthrough(w.id);
              return walkthroughOutcome({ id: w.id, title: w.title, stepTitles: Object.fromEntries(def.steps.map((s) => [s.id, s.title])) }, walkthroughs.progress(w.id, targetId));
            })
            .filter((o): o is NonNullable<typeof o> => o !== null)),
    ],
    policyLint: async (targetId) => (targetId === 'host' ? [] : (await policies.analyze({ documents: [], targetId })).lint),
  });
  const recommender = createRecommendService({ resolve: resolveForReports });

  const handlers: Handlers = {
    ...walkthroughHandlers(walkthroughs),
    ...pitfallHandlers(pitfalls),
    'reports.create': (p) => reports.create(p),
    'reports.preview': (p) => reports.preview(p),
    'reports.list': () => reports.list(),
    'reports.get': (p) => reports.get(p.id),
    'reports.delete': (p) => reports.delete(p.id),
    'recommend.questions': () => recommender.questions(),
    'recommend.run': (p) => recommender.run(p),
    'policy.examples': () => {
      const dir = join(resourcesDir(), 'policies', 'example-shop');
      return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort((a, b) => (a === 'policies.yaml' ? -1 : b === 'policies.yaml' ? 1 : a.localeCompare(b))).map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
    },
    'policy.analyze': (p) => policies.analyze(p.source, p.refresh),
    'policy.trace': (p) => policies.trace(p),
    'policy.apply': (p) => policies.apply(p.targetId, p.yaml, p.mode),
    'checks.list': () => checks.list(),
    'checks.run': (p) => checks.run(p),
    'checks.cancel': (p) => checks.cancel(p.runId),
    'snapshots.capture': async (p) => {
      if (p.targetId.startsWith('snapshot:')) throw new LabError('INVALID_REQUEST', 'that target is already a snapshot');
      const resolved = await resolveTarget({ targets, snapshots, clusterGather: (id, o) => liveClusterGather(targets, id, o) }, p.targetId, { debugPods: false });
      const snap = await captureSnapshot(resolved, p.targetId === 'host' ? null : targets.client(p.targetId), { title: p.title ?? p.name, description: p.description });
      const file = snapshots.userPath(p.name);
      writeSnapshot(file, snap);
      const list = await targets.refresh();
      bus.emit('targets.changed', list);
      const id = `snapshot:user:${p.name.replace(/\.json(\.gz)?$/, '')}`;
      return { targetId: id, facts: Object.keys(snap.facts).length, objects: Object.values(snap.raw).reduce((a, l) => a + l.length, 0) };
    },
    'checks.debugPodPreview': (p) => {
      const t = targets.find(p.targetId);
      if (!t || (t.kind !== 'cluster' && t.kind !== 'kind')) throw new LabError('INVALID_REQUEST', 'debug pods run on cluster targets only');
      return { yaml: debugPodPreview('<node name>'), image: DEBUG_POD_IMAGE };
    },
    'checks.last': (p) => checks.last(p.targetId),
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
    'kind.preflight': (p) => {
      const provider = env.KIND_EXPERIMENTAL_PROVIDER;
      const engine = (provider || 'docker').toLowerCase();
      return kindPreflight({ provider, kindPath: runner.resolve('kind').path, enginePath: engine === 'docker' || engine === 'podman' ? runner.resolve(engine).path : null, workers: p.workers });
    },
    'kind.plan': (p) => kindPlan(p),
    'kind.create': (p) => {
      const plan = kindPlan(p);
      mkdirSync(dirname(plan.configPath), { recursive: true });
      writeFileSync(plan.configPath, plan.yaml);
      const info = runner.start({ tool: 'kind', args: plan.argv.slice(1), title: `kind create cluster ${p.name}`, env: kindEnv(), timeoutMs: 15 * 60 * 1000 });
      void runner.wait(info.sessionId).then(() => targets.refresh());
      return info;
    },
    'kind.delete': (p) => {
      validateKindName(p.name);
      const info = runner.start({ tool: 'kind', args: kindDeleteArgv(p.name, targets.paths[0]!), title: `kind delete cluster ${p.name}`, env: kindEnv() });
      void runner.wait(info.sessionId).then(() => targets.refresh());
      return info;
    },
    'kind.exportKubeconfig': (p) => {
      validateKindName(p.name);
      const info = runner.start({ tool: 'kind', args: kindExportArgv(p.name, targets.paths[0]!), title: `kind export kubeconfig ${p.name}`, env: kindEnv() });
      void runner.wait(info.sessionId).then(() => targets.refresh());
      return info;
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

  function kindEnv(): Record<string, string> {
    return env.KIND_EXPERIMENTAL_PROVIDER ? { KIND_EXPERIMENTAL_PROVIDER: env.KIND_EXPERIMENTAL_PROVIDER } : {};
  }
  function kindPlan(o: KindClusterOptions) {
    const yaml = kindConfigYaml(o);
    const configPath = join(configDir, 'kind', `${o.name}.yaml`);
    // kind writes the new context into the first kubeconfig file, which the registry watches.
    const kubeconfig = targets.paths[0]!;
    return { yaml, configPath, kubeconfig, argv: ['kind', ...kindCreateArgv(o.name, configPath, kubeconfig)] };
  }

  const dispatch = createDispatcher(handlers);
  return {
    bus,
    runner,
    settings,
    targets,
    snapshots,
    checks,
    walkthroughs,
    pitfalls,
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
