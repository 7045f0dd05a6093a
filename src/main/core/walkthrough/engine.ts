import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import type { Finding, FindingStatus } from '../../../shared/api/checks-types';
import type { SessionInfo, ToolStatus } from '../../../shared/api/terminal';
import type {
  Action,
  CiliumValues,
  ObjectDiff,
  PlannedCommand,
  RunKind,
  Step,
  StepPlan,
  StepProgress,
  StepRunRecord,
  ValuesFinding,
  Verification,
  VerificationResult,
  Walkthrough,
  WalkthroughProgress,
  WalkthroughSummary,
  walkthroughEvents,
} from '../../../shared/api/walkthrough';
import { LabError, toLabErrorValue, type LabErrorValue } from '../../../shared/errors';
import { compareWithCluster, type ApiReader } from '../baseline/compare';
import { discoverApiServer } from '../baseline/discover';
import { generateBaseline, type BaselineFlavor } from '../baseline/generate';
import { chartDefaults, kindLabDefaults, lintValues, LINT_FACTS, renderValuesYaml, saveValuesFile } from '../cilium-values/index';
import type { FactKey, FactSet } from '../facts/types';
import type { KubeTarget, RunSpec } from '../runner/runner';
import { resourcesDir } from '../paths';
import { builtinCommands } from './builtins';
import { generateFile, objectsOf } from './generators';
import { loadWalkthroughs, stepRefs, type LoadResult } from './load';
import { validateParams } from './params';
import { ProgressStore } from './progress';
import { targetKey } from '../storage/files';
import { toolErrorFix } from '../dataplane/tool-errors';
import { evalWhen, paramOf, placeholderRef, refsInText, renderManifest, resolveArg, resolveTyped, type Scope } from './template';
import { evaluateExpect, outputFromTranscript } from './verify';
import { waitForWorkload } from './wait';

/**
 * The walkthrough engine: plans a step (files, argv, tools, lint, cluster diff), runs it
 * through the app's runner (live output in the terminal dock), verifies it (checks, commands
 * with expected results, waits, read-backs), and keeps per-target progress.
 */

/** The part of the app's Runner the engine uses. */
export interface StepRunner {
  start(spec: RunSpec): SessionInfo;
  wait(sessionId: string): Promise<SessionInfo>;
  resolve(tool: string): ToolStatus;
  transcript(sessionId: string): { text: string };
  cancel?(sessionId: string): Promise<unknown>;
}

type Events = typeof walkthroughEvents;
export type WalkthroughEmit = <E extends keyof Events>(event: E, payload: z.output<Events[E]>) => void;

export interface WalkthroughDeps {
  /** resources/walkthroughs by default. */
  dir?: string;
  /** The app's config folder: progress and the files steps write live under walkthroughs/. */
  configDir: string;
  runner: StepRunner;
  /** kubeconfig and context for kube-facing commands; throws a LabError for targets without a cluster. */
  kubeTarget(targetId: string): KubeTarget;
  /** API reads on a target (waits, read-back, diff, API server discovery). */
  reader?(targetId: string): ApiReader;
  /** The target's API server URL (kubeconfig), a fallback for discovery. */
  server?(targetId: string): string | null;
  /** Evaluates checks on a target (the checks engine). */
  checks?(targetId: string, ids: string[], o: { signal?: AbortSignal }): Promise<Finding[]>;
  /** Gathers facts on a target (the values linter). */
  facts?(targetId: string, keys: FactKey[], o: { signal?: AbortSignal }): Promise<FactSet>;
  /** Where kind writes new contexts (the first kubeconfig file). */
  kindKubeconfig?(): string;
  emit?: WalkthroughEmit;
  /** Poll interval of waits (default 2 s). */
  waitIntervalMs?: number;
}

interface PlannedCmd extends PlannedCommand {
  args: string[];
  timeoutMs?: number;
}

interface ActiveVerification {
  item: Verification;
  title: string;
  commands: PlannedCmd[];
}

interface PlannedFileInternal {
  id: string;
  title: string;
  path: string;
  content: string;
  objects: Record<string, unknown>[];
}

interface Prepared {
  w: Walkthrough;
  step: Step;
  targetId: string;
  scope: Scope;
  files: PlannedFileInternal[];
  lint: ValuesFinding[];
  notes: string[];
  preconditions: { check: string; accept: FindingStatus[] }[];
  preview: PlannedCmd[];
  actions: PlannedCmd[];
  verification: ActiveVerification[];
  cleanup: PlannedCmd[];
  tools: ToolStatus[];
  kube: KubeTarget | null;
  targetError: LabError | null;
}

const DEFAULT_ACCEPT: FindingStatus[] = ['pass', 'warn', 'not-applicable'];
const now = () => new Date().toISOString();

function verificationTitle(v: Verification): string {
  if (v.title) return v.title;
  if ('check' in v) return `check ${v.check}`;
  if ('wait' in v) return `${v.wait.kind} ${v.wait.namespace}/${v.wait.name} ready`;
  if ('readBack' in v) return `read back ${v.readBack}`;
  return 'tool' in v.command ? `${v.command.tool} ${v.command.args.slice(0, 3).join(' ')}` : v.command.builtin;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}

/** Last lines of a command's output, for a failure's details. */
/** "Fix: …" for a failure the tool's own words explain (see dataplane/tool-errors.ts). */
function fixLine(tool: string, output: string): string[] {
  const fix = toolErrorFix(tool, output);
  return fix ? [`Fix: ${fix}`] : [];
}

function tail(text: string, lines = 15): string[] {
  return text.trimEnd().split('\n').slice(-lines);
}

export class WalkthroughService {
  private loaded: LoadResult | null = null;
  private readonly dir: string;
  private readonly progressStore: ProgressStore;
  private readonly runs = new Map<string, { ac: AbortController; sessions: Set<string>; key: string }>();
  private readonly busy = new Set<string>();

  constructor(private readonly deps: WalkthroughDeps) {
    this.dir = deps.dir ?? join(resourcesDir(), 'walkthroughs');
    this.progressStore = new ProgressStore(join(deps.configDir, 'walkthroughs', 'progress'));
  }

  // ---- definitions ---------------------------------------------------------------------

  private all(): LoadResult {
    this.loaded ??= loadWalkthroughs(this.dir);
    for (const e of this.loaded.errors) console.warn(`[datapath-lab] walkthrough ${e.file}: ${e.problems.join('; ')}`);
    return this.loaded;
  }

  /** Problems of walkthrough files that did not load (shown by tests and logs). */
  loadErrors(): LoadResult['errors'] {
    return this.all().errors;
  }

  listWalkthroughs(): WalkthroughSummary[] {
    return this.all().walkthroughs.map(({ walkthrough: w }) => ({ id: w.id, title: w.title, description: w.description, steps: w.steps.length, guides: w.guides ?? [] }));
  }

  getWalkthrough(id: string): Walkthrough {
    const w = this.all().walkthroughs.find((x) => x.walkthrough.id === id)?.walkthrough;
    if (!w) throw new LabError('NOT_FOUND', `no walkthrough ${id}`, `Known: ${this.all().walkthroughs.map((x) => x.walkthrough.id).join(', ') || 'none'}.`);
    return w;
  }

  guide(file: string): { file: string; markdown: string } {
    if (!/^[a-z0-9][a-z0-9-]*\.md$/.test(file)) throw new LabError('INVALID_REQUEST', `not a guide name: ${file}`);
    try {
      return { file, markdown: readFileSync(join(this.dir, file), 'utf8') };
    } catch {
      throw new LabError('NOT_FOUND', `no guide ${file}`);
    }
  }

  private stepOf(w: Walkthrough, stepId: string): Step {
    const s = w.steps.find((x) => x.id === stepId);
    if (!s) throw new LabError('NOT_FOUND', `walkthrough ${w.id} has no step ${stepId}`, `Steps: ${w.steps.map((x) => x.id).join(', ')}.`);
    return s;
  }

  // ---- planning --------------------------------------------------------------------------

  private filePath(targetId: string, w: Walkthrough, step: Step, fileId: string): string {
    return join(this.deps.configDir, 'walkthroughs', 'files', targetKey(targetId), w.id, step.id, `${fileId}.yaml`);
  }

  private async commandsOf(a: Action, phase: PlannedCommand['phase'], scope: Scope): Promise<PlannedCmd[]> {
    const timeoutMs = a.timeoutSeconds ? a.timeoutSeconds * 1000 : undefined;
    const okExitCodes = a.okExitCodes ?? [0];
    if ('tool' in a) {
      const args = a.args.map((x) => resolveArg(x, scope));
      return [{ phase, title: a.title ?? [a.tool, ...args].join(' ').slice(0, 200), tool: a.tool, args, argv: [a.tool, ...args], okExitCodes, ...(timeoutMs ? { timeoutMs } : {}) }];
    }
    const w: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a.with ?? {})) w[k] = resolveTyped(v, scope);
    const list = builtinCommands(a.builtin, w, { kindKubeconfig: this.deps.kindKubeconfig });
    return list.map((c) => ({
      phase,
      title: a.title && list.length === 1 ? a.title : c.title,
      tool: c.tool,
      args: c.args,
      argv: [c.tool, ...c.args],
      okExitCodes,
      ...(timeoutMs ? { timeoutMs } : {}),
    }));
  }

  /** Validates parameters, renders files and argv for one step on one target. Runs nothing. */
  private async prepare(id: string, stepId: string, targetId: string, given: Readonly<Record<string, unknown>>, signal?: AbortSignal): Promise<Prepared> {
    const w = this.getWalkthrough(id);
    const step = this.stepOf(w, stepId);
    const { whens } = stepRefs(step);
    // 1. The parameters that decide what is active, then what the active parts use.
    const whenRoots = [...new Set(whens.map((x) => x.param.split('.')[0]!))];
    const optionalWhen = whenRoots.filter((n) => w.parameters.find((p) => p.name === n));
    const whenValues = validateParams(w.parameters.map((p) => (optionalWhen.includes(p.name) ? { ...p, optional: true } : p)), optionalWhen, given);
    const scope0: Scope = { params: whenValues, files: {} };
    const on = <T extends { when?: Parameters<typeof evalWhen>[0] }>(xs: readonly T[] | undefined) => (xs ?? []).filter((x) => evalWhen(x.when, scope0));
    const files = on(step.files);
    const preconditions = on(step.preconditions);
    const preview = on(step.preview);
    const actions = on(step.actions);
    const verification = on(step.verification);
    const cleanup = on(step.cleanup);
    const used = new Set<string>(whenRoots);
    const addRef = (r: string | null) => {
      const root = r === null ? null : paramOf(r);
      if (root) used.add(root);
    };
    const fromAction = (a: Action) => ('tool' in a ? a.args.forEach((x) => addRef(placeholderRef(x))) : Object.values(a.with ?? {}).forEach((x) => typeof x === 'string' && addRef(placeholderRef(x))));
    for (const f of files) {
      if ('template' in f) refsInText(f.template).forEach(addRef);
      else Object.values(f.with ?? {}).forEach((x) => typeof x === 'string' && addRef(placeholderRef(x)));
    }
    [...preview, ...actions, ...cleanup].forEach(fromAction);
    for (const v of verification) {
      if ('command' in v) {
        fromAction(v.command);
        [...(v.expect.contains ?? []), ...(v.expect.notContains ?? []), ...(v.expect.lines ?? [])].forEach((s) => addRef(placeholderRef(s)));
        (v.expect.json ?? []).forEach((j) => typeof j.equals === 'string' && addRef(placeholderRef(j.equals)));
      }
      if ('wait' in v) [v.wait.namespace, v.wait.name].forEach((s) => addRef(placeholderRef(s)));
    }
    const params = validateParams(w.parameters, used, given);
    // A parameter that is optional in general is required when an active command uses it.
    const needed = new Set<string>();
    for (const a of [...preview, ...actions, ...cleanup, ...verification.flatMap((v) => ('command' in v ? [v.command] : []))]) {
      if ('tool' in a) for (const x of a.args) if (placeholderRef(x) && paramOf(placeholderRef(x)!)) needed.add(paramOf(placeholderRef(x)!)!);
    }
    for (const v of verification) if ('wait' in v) for (const x of [v.wait.namespace, v.wait.name]) if (placeholderRef(x) && paramOf(placeholderRef(x)!)) needed.add(paramOf(placeholderRef(x)!)!);
    const missing = [...needed].filter((n) => params[n] === undefined).map((n) => w.parameters.find((p) => p.name === n)!);
    if (missing.length) {
      throw new LabError('INVALID_REQUEST', `Invalid parameters: ${missing.map((p) => `${p.title} (${p.name}): required for this choice`).join('; ')}`, 'Fill in the fields named here.');
    }
    const scope: Scope = { params, files: Object.fromEntries(files.map((f) => [f.id, this.filePath(targetId, w, step, f.id)])) };

    // 2. The target.
    let kube: KubeTarget | null = null;
    let targetError: LabError | null = null;
    if (step.needsTarget !== false) {
      try {
        kube = this.deps.kubeTarget(targetId);
      } catch (err) {
        targetError = err instanceof LabError ? err : new LabError('INVALID_REQUEST', (err as Error).message);
      }
    }
    const reader = kube && this.deps.reader ? this.deps.reader(targetId) : null;

    // 3. Files.
    const planned: PlannedFileInternal[] = [];
    const lint: ValuesFinding[] = [];
    const notes: string[] = [];
    for (const f of files) {
      const path = scope.files[f.id]!;
      if ('template' in f) {
        const r = renderManifest(f.template, scope);
        planned.push({ id: f.id, title: f.title ?? f.id, path, content: r.yaml, objects: r.objects });
      } else {
        const wv: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(f.with ?? {})) wv[k] = resolveTyped(v, scope);
        const g = await generateFile(f.generator, wv, {
          facts: kube && this.deps.facts ? (keys) => this.deps.facts!(targetId, keys, { signal }) : undefined,
          reader,
          server: kube ? (this.deps.server?.(targetId) ?? null) : null,
          signal,
        });
        planned.push({ id: f.id, title: f.title ?? f.id, path, content: g.content, objects: g.objects.length ? g.objects : f.generator === 'baseline-policies' ? objectsOf(g.content) : [] });
        lint.push(...g.lint);
        notes.push(...g.notes);
      }
    }

    // 4. Commands.
    const cmds = async (xs: Action[], phase: PlannedCommand['phase']) => (await Promise.all(xs.map((a) => this.commandsOf(a, phase, scope)))).flat();
    const av: ActiveVerification[] = [];
    for (const v of verification) av.push({ item: v, title: verificationTitle(v), commands: 'command' in v ? await this.commandsOf(v.command, 'verify', scope) : [] });
    const p: Omit<Prepared, 'tools'> = {
      w,
      step,
      targetId,
      scope,
      files: planned,
      lint,
      notes,
      preconditions: preconditions.map((c) => ({ check: c.check, accept: c.accept ?? DEFAULT_ACCEPT })),
      preview: await cmds(preview, 'preview'),
      actions: await cmds(actions, 'action'),
      verification: av,
      cleanup: await cmds(cleanup, 'cleanup'),
      kube,
      targetError,
    };
    const toolNames = [...new Set([...p.preview, ...p.actions, ...av.flatMap((x) => x.commands), ...p.cleanup].map((c) => c.tool))];
    return { ...p, tools: toolNames.map((t) => this.deps.runner.resolve(t)) };
  }

  /** Why the step cannot run (`kind`) as prepared, or null. */
  private blockedFor(p: Prepared, kind: RunKind): LabError | null {
    if (p.targetError) return p.targetError;
    const cmds = kind === 'run' ? [...p.actions, ...p.verification.filter((v) => !v.item.optional).flatMap((v) => v.commands)] : kind === 'verify' ? p.verification.filter((v) => !v.item.optional).flatMap((v) => v.commands) : kind === 'preview' ? p.preview : p.cleanup;
    const missing = p.tools.filter((t) => !t.path && cmds.some((c) => c.tool === t.name));
    if (missing.length) {
      const m = missing[0]!;
      const where = m.searched.length ? m.searched.join(', ') : '(PATH is empty)';
      return new LabError(
        'TOOL_NOT_FOUND',
        `Step "${p.step.title}" needs ${missing.map((t) => t.name).join(' and ')}: ${m.name} was not found (looked in: ${where})`,
        missing.map((t) => t.install).join(' '),
      );
    }
    if (kind === 'run') {
      const errors = p.lint.filter((f) => f.severity === 'error');
      if (errors.length) return new LabError('INVALID_REQUEST', `The Cilium values have ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.field}: ${e.message}`).join(' ')}`, errors.map((e) => e.fix).join(' '));
    }
    return null;
  }

  async planStep(id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>> = {}): Promise<StepPlan> {
    const p = await this.prepare(id, stepId, targetId, params);
    let clusterDiff: ObjectDiff[] = [];
    const compare = p.step.files?.filter((f) => f.compare).map((f) => f.id) ?? [];
    if (compare.length && p.kube && this.deps.reader) {
      const objects = p.files.filter((f) => compare.includes(f.id)).flatMap((f) => f.objects);
      try {
        clusterDiff = await compareWithCluster(objects, this.deps.reader(targetId));
      } catch (err) {
        p.notes.push(`The cluster could not be compared: ${(err as Error).message}`);
      }
    }
    const blocked = this.blockedFor(p, 'run');
    return {
      walkthroughId: id,
      stepId,
      targetId,
      params: p.scope.params as Record<string, unknown>,
      files: p.files.map(({ id: fid, title, path, content }) => ({ id: fid, title, path, content })),
      commands: [...p.preview, ...p.actions, ...p.verification.flatMap((v) => v.commands), ...p.cleanup].map(({ phase, title, tool, argv, okExitCodes }) => ({ phase, title, tool, argv, okExitCodes })),
      tools: p.tools,
      preconditions: p.preconditions,
      verification: p.verification.map((v) => ({ kind: 'check' in v.item ? 'check' : 'wait' in v.item ? 'wait' : 'readBack' in v.item ? 'readBack' : 'command', title: v.title, optional: !!v.item.optional })),
      lint: p.lint,
      clusterDiff,
      notes: p.notes,
      blocked: blocked ? blocked.toJSON() : null,
    };
  }

  // ---- runs ------------------------------------------------------------------------------

  progress(id: string, targetId: string): WalkthroughProgress {
    const w = this.getWalkthrough(id);
    const p = this.progressStore.walkthrough(targetId, id, w.steps.map((s) => s.id));
    for (const s of p.steps) if (this.busy.has(`${targetId}\0${id}\0${s.stepId}`) && s.state !== 'running') s.state = 'running';
    return p;
  }

  private setProgress(targetId: string, walkthroughId: string, progress: StepProgress): StepProgress {
    const saved = this.progressStore.put(targetId, walkthroughId, progress);
    this.deps.emit?.('walkthrough.step', { targetId, walkthroughId, progress: saved });
    return saved;
  }

  skipStep(id: string, stepId: string, targetId: string, reason: string): StepProgress {
    const w = this.getWalkthrough(id);
    const step = this.stepOf(w, stepId);
    if (!step.skippable) throw new LabError('INVALID_REQUEST', `step "${step.title}" cannot be skipped`, 'Run it, or reset it.');
    const why = reason.trim();
    if (!why) throw new LabError('INVALID_REQUEST', 'say why the step is skipped');
    if (this.busy.has(`${targetId}\0${id}\0${stepId}`)) throw new LabError('CONFLICT', `step ${stepId} is running`, 'Cancel it first.');
    const prev = this.progressStore.step(targetId, id, stepId);
    return this.setProgress(targetId, id, { stepId, state: 'skipped', reason: why.slice(0, 500), updatedAt: now(), lastRun: prev.lastRun });
  }

  resetStep(id: string, targetId: string, stepId?: string): WalkthroughProgress {
    const w = this.getWalkthrough(id);
    const ids = stepId ? [this.stepOf(w, stepId).id] : w.steps.map((s) => s.id);
    for (const s of ids) if (this.busy.has(`${targetId}\0${id}\0${s}`)) throw new LabError('CONFLICT', `step ${s} is running`, 'Cancel it first.');
    this.progressStore.reset(targetId, id, stepId);
    for (const s of ids) this.deps.emit?.('walkthrough.step', { targetId, walkthroughId: id, progress: this.progressStore.step(targetId, id, s) });
    return this.progress(id, targetId);
  }

  cancelRun(runId: string): Record<string, never> {
    const r = this.runs.get(runId);
    if (r) {
      r.ac.abort();
      for (const s of r.sessions) void this.deps.runner.cancel?.(s);
    }
    return {};
  }

  runStep(id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>> = {}) {
    return this.start('run', id, stepId, targetId, params);
  }

  verifyStep(id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>> = {}) {
    return this.start('verify', id, stepId, targetId, params);
  }

  previewStep(id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>> = {}) {
    return this.start('preview', id, stepId, targetId, params);
  }

  cleanupStep(id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>> = {}) {
    return this.start('cleanup', id, stepId, targetId, params);
  }

  /**
   * Prepares the step (parameter, tool, target and lint problems are thrown here, before
   * anything runs), then runs it in the background. `done` resolves with the step's progress.
   */
  async start(kind: RunKind, id: string, stepId: string, targetId: string, params: Readonly<Record<string, unknown>>): Promise<{ runId: string; done: Promise<StepProgress> }> {
    const key = `${targetId}\0${id}\0${stepId}`;
    if (this.busy.has(key)) throw new LabError('CONFLICT', `step ${stepId} is already running on this target`, 'Wait for it or cancel it.');
    this.busy.add(key);
    let p: Prepared;
    try {
      const w = this.getWalkthrough(id);
      const step = this.stepOf(w, stepId);
      if (kind === 'preview' && !step.preview?.length) throw new LabError('INVALID_REQUEST', `step "${step.title}" has no preview`);
      if (kind === 'cleanup' && !step.cleanup?.length) throw new LabError('INVALID_REQUEST', `step "${step.title}" has no cleanup`);
      p = await this.prepare(id, stepId, targetId, params);
      const blocked = this.blockedFor(p, kind);
      if (blocked) {
        if (kind === 'run') {
          const prev = this.progressStore.step(targetId, id, stepId);
          this.setProgress(targetId, id, { stepId, state: 'failed', reason: `${blocked.message}${blocked.fix ? ` — ${blocked.fix}` : ''}`, updatedAt: now(), lastRun: prev.lastRun });
        }
        throw blocked;
      }
    } catch (err) {
      this.busy.delete(key);
      throw err;
    }
    const runId = randomUUID();
    const ac = new AbortController();
    const sessions = new Set<string>();
    this.runs.set(runId, { ac, sessions, key });
    const done = this.execute(kind, runId, p, ac.signal, sessions).finally(() => {
      this.runs.delete(runId);
      this.busy.delete(key);
    });
    return { runId, done };
  }

  private async execute(kind: RunKind, runId: string, p: Prepared, signal: AbortSignal, sessions: Set<string>): Promise<StepProgress> {
    const { w, step, targetId } = p;
    const record: StepRunRecord = { runId, kind, startedAt: now(), endedAt: null, sessions: [], results: [], error: null };
    const base = { runId, targetId, walkthroughId: w.id, stepId: step.id, kind };
    const activity = (phase: 'precondition' | 'preview' | 'action' | 'verify' | 'cleanup', message: string, extra: { sessionId?: string; progress?: { done: number; total: number }; result?: VerificationResult } = {}) =>
      this.deps.emit?.('walkthrough.activity', { ...base, phase, message, sessionId: extra.sessionId ?? null, progress: extra.progress ?? null, result: extra.result ?? null });
    const prev = this.progressStore.step(targetId, w.id, step.id);
    const tracksState = kind === 'run' || kind === 'verify';
    if (tracksState) this.setProgress(targetId, w.id, { stepId: step.id, state: 'running', reason: null, updatedAt: now(), lastRun: record });

    const run = async (c: PlannedCmd, phase: 'preview' | 'action' | 'verify' | 'cleanup'): Promise<{ info: SessionInfo; output: string }> => {
      if (signal.aborted) throw new LabError('CANCELLED', 'the run was cancelled');
      const spec: RunSpec = { tool: c.tool, args: c.args, targetId, title: c.title, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) };
      if (p.kube && this.isKubeFacing(c.tool)) spec.kube = p.kube;
      const started = this.deps.runner.start(spec);
      sessions.add(started.sessionId);
      activity(phase, c.title, { sessionId: started.sessionId });
      const info = await this.deps.runner.wait(started.sessionId);
      sessions.delete(started.sessionId);
      record.sessions.push({ sessionId: info.sessionId, title: c.title, argv: info.argv, exitCode: info.exitCode, state: info.state });
      if (info.state === 'cancelled' || signal.aborted) throw new LabError('CANCELLED', 'the run was cancelled');
      return { info, output: outputFromTranscript(this.deps.runner.transcript(info.sessionId).text) };
    };
    const commandFailed = (c: PlannedCmd, info: SessionInfo, output: string): VerificationResult => ({
      title: c.title,
      kind: 'command',
      status: 'fail',
      summary: `${c.argv.join(' ')}: ${info.state === 'exited' ? `exited with ${info.exitCode}` : `${info.state}${info.reason ? ` (${info.reason})` : ''}`}`,
      details: [...fixLine(c.tool, output), ...tail(output)],
      optional: false,
      sessionIds: [info.sessionId],
    });
    const push = (phase: 'precondition' | 'action' | 'verify' | 'cleanup' | 'preview', r: VerificationResult) => {
      record.results.push(r);
      activity(phase, `${r.status}: ${r.title}: ${r.summary}`, { result: r });
    };

    let failure: string | null = null;
    let cancelled = false;
    try {
      // Every run writes the files it uses: they hold this run's parameters (a cleanup deletes what these parameters made).
      this.writeFiles(p);
      if (kind === 'preview') {
        for (const c of p.preview) {
          const { info, output } = await run(c, 'preview');
          const ok = info.exitCode !== null && c.okExitCodes.includes(info.exitCode);
          push('preview', ok ? { title: c.title, kind: 'command', status: 'pass', summary: info.exitCode === 1 && c.tool === 'kubectl' && c.args[0] === 'diff' ? 'differences shown in the terminal' : 'done', details: [], optional: false, sessionIds: [info.sessionId] } : commandFailed(c, info, output));
          if (!ok) failure ??= `${c.title}: exited with ${info.exitCode}`;
        }
      } else if (kind === 'cleanup') {
        for (const c of p.cleanup) {
          const { info, output } = await run(c, 'cleanup');
          if (info.exitCode === null || !c.okExitCodes.includes(info.exitCode)) {
            push('cleanup', commandFailed(c, info, output));
            failure ??= `${c.title}: exited with ${info.exitCode}`;
          }
        }
      } else {
        if (kind === 'run') failure = await this.runPreconditions(p, signal, push);
        if (!failure && kind === 'run') {
          for (const c of p.actions) {
            const { info, output } = await run(c, 'action');
            if (info.exitCode === null || !c.okExitCodes.includes(info.exitCode)) {
              push('action', commandFailed(c, info, output));
              failure = `${c.title}: ${info.state === 'exited' ? `exited with ${info.exitCode}` : info.state}`;
              break;
            }
          }
        }
        if (!failure) failure = await this.runVerification(p, signal, run, push, activity);
        if (kind === 'run' && step.cleanupAfterVerify && !signal.aborted) {
          for (const c of p.cleanup) {
            try {
              const { info, output } = await run(c, 'cleanup');
              if (info.exitCode === null || !c.okExitCodes.includes(info.exitCode)) push('cleanup', { ...commandFailed(c, info, output), optional: true, status: 'warn' });
            } catch (err) {
              if (err instanceof LabError && err.code === 'CANCELLED') throw err;
              push('cleanup', { title: c.title, kind: 'command', status: 'warn', summary: (err as Error).message, details: [], optional: true, sessionIds: [] });
            }
          }
        }
      }
    } catch (err) {
      const e = err instanceof LabError ? err : new LabError('INTERNAL', (err as Error).message);
      if (e.code === 'CANCELLED' || signal.aborted) cancelled = true;
      else record.error = e.toJSON();
      failure ??= cancelled ? 'cancelled' : e.message;
    }
    record.endedAt = now();
    const outcome = cancelled ? 'cancelled' : failure ? 'failed' : 'passed';
    let progress: StepProgress;
    if (tracksState) {
      const notes = record.results.filter((r) => r.status === 'warn' || (r.status === 'unknown' && r.optional === false)).map((r) => `${r.title}: ${r.summary}`);
      progress = this.setProgress(targetId, w.id, {
        stepId: step.id,
        state: failure ? 'failed' : 'passed',
        reason: failure ?? (notes.length ? `passed with notes: ${notes.join('; ')}` : null),
        updatedAt: now(),
        lastRun: record,
      });
    } else if (kind === 'cleanup' && !failure) {
      progress = this.setProgress(targetId, w.id, { stepId: step.id, state: 'not-started', reason: 'cleaned up', updatedAt: now(), lastRun: record });
    } else {
      progress = { ...prev, lastRun: prev.lastRun };
    }
    this.deps.emit?.('walkthrough.done', { ...base, outcome, progress, error: record.error });
    return progress;
  }

  private isKubeFacing(tool: string): boolean {
    return this.deps.runner.resolve(tool).kubeFacing;
  }

  private writeFiles(p: Prepared): void {
    for (const f of p.files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content);
    }
  }

  private async findings(p: Prepared, ids: string[], signal: AbortSignal): Promise<Map<string, Finding> | LabErrorValue> {
    if (!ids.length) return new Map();
    if (!this.deps.checks) return { code: 'INTERNAL', message: 'the checks engine is not available here' };
    try {
      const list = await this.deps.checks(p.targetId, [...new Set(ids)], { signal });
      return new Map(list.map((f) => [f.checkId, f]));
    } catch (err) {
      return toLabErrorValue(err);
    }
  }

  private checkResult(kind: 'check' | 'precondition', id: string, title: string, accept: FindingStatus[], f: Finding | undefined, error: LabErrorValue | null, optional: boolean): VerificationResult {
    if (!f) return { title, kind, status: 'fail', summary: error ? `${id} could not run: ${error.message}` : `${id} gave no finding`, details: error?.fix ? [error.fix] : [], optional, sessionIds: [] };
    const ok = accept.includes(f.status);
    const status: VerificationResult['status'] = !ok ? 'fail' : f.status === 'pass' ? 'pass' : f.status === 'warn' ? 'warn' : f.status === 'not-applicable' ? 'skipped' : f.status === 'unknown' ? 'unknown' : 'fail';
    const details = [...(f.details ?? []).slice(0, 20).map((d) => `${d.subject}: ${d.status}: ${d.summary}`), ...(f.fix && !ok ? [`fix: ${f.fix.text}`] : [])];
    return { title, kind, status, summary: `${f.status}: ${f.summary}`, details, optional, finding: f, sessionIds: [] };
  }

  private async runPreconditions(p: Prepared, signal: AbortSignal, push: (phase: 'precondition', r: VerificationResult) => void): Promise<string | null> {
    if (!p.preconditions.length) return null;
    const got = await this.findings(p, p.preconditions.map((c) => c.check), signal);
    let failure: string | null = null;
    for (const c of p.preconditions) {
      const r = this.checkResult('precondition', c.check, `precondition ${c.check}`, c.accept, got instanceof Map ? got.get(c.check) : undefined, got instanceof Map ? null : got, false);
      push('precondition', r);
      if (r.status === 'fail') failure ??= `precondition ${c.check}: ${r.summary}`;
    }
    return failure;
  }

  private async runVerification(
    p: Prepared,
    signal: AbortSignal,
    run: (c: PlannedCmd, phase: 'verify') => Promise<{ info: SessionInfo; output: string }>,
    push: (phase: 'verify', r: VerificationResult) => void,
    activity: (phase: 'verify', message: string, extra?: { progress?: { done: number; total: number } }) => void,
  ): Promise<string | null> {
    const checkIds = p.verification.flatMap((v) => ('check' in v.item ? [v.item.check] : []));
    const got = await this.findings(p, checkIds, signal);
    const reader = p.kube && this.deps.reader ? this.deps.reader(p.targetId) : null;
    let failure: string | null = null;
    for (const v of p.verification) {
      if (signal.aborted) throw new LabError('CANCELLED', 'the run was cancelled');
      const optional = !!v.item.optional;
      let r: VerificationResult;
      const item = v.item;
      if ('check' in item) {
        r = this.checkResult('check', item.check, v.title, item.accept ?? DEFAULT_ACCEPT, got instanceof Map ? got.get(item.check) : undefined, got instanceof Map ? null : got, optional);
      } else if ('wait' in item) {
        if (!reader) r = { title: v.title, kind: 'wait', status: 'fail', summary: 'no API access to this target', details: [], optional, sessionIds: [] };
        else {
          const spec = { kind: item.wait.kind, namespace: resolveArg(item.wait.namespace, p.scope), name: resolveArg(item.wait.name, p.scope), timeoutMs: item.wait.timeoutSeconds * 1000, mayBeAbsent: item.wait.mayBeAbsent };
          try {
            const res = await waitForWorkload(reader, spec, { signal, intervalMs: this.deps.waitIntervalMs, onProgress: (pr) => activity('verify', pr.message, { progress: { done: pr.done, total: pr.total } }) });
            r = { title: v.title, kind: 'wait', status: res.status, summary: `${res.summary} (${(res.elapsedMs / 1000).toFixed(1)} s)`, details: res.details, optional, sessionIds: [] };
          } catch (err) {
            if (err instanceof LabError && err.code === 'CANCELLED') throw err;
            r = { title: v.title, kind: 'wait', status: 'fail', summary: (err as Error).message, details: [], optional, sessionIds: [] };
          }
        }
      } else if ('readBack' in item) {
        const file = p.files.find((f) => f.id === item.readBack);
        if (!reader || !file) r = { title: v.title, kind: 'readBack', status: 'fail', summary: !reader ? 'no API access to this target' : `file ${item.readBack} is not part of this configuration`, details: [], optional, sessionIds: [] };
        else {
          const diffs = await compareWithCluster(file.objects, reader, { signal });
          const bad = diffs.filter((d) => d.state !== 'same');
          r = {
            title: v.title,
            kind: 'readBack',
            status: bad.length ? 'fail' : 'pass',
            summary: bad.length ? `${bad.length} of ${diffs.length} objects differ from what was applied` : `${diffs.length} object${diffs.length === 1 ? '' : 's'} read back as applied`,
            details: diffs.flatMap((d) => [`${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}: ${d.state}`, ...d.differences.slice(0, 10).map((x) => `  ${x}`)]),
            optional,
            sessionIds: [],
          };
        }
      } else {
        const attempts = item.retry?.attempts ?? 1;
        r = { title: v.title, kind: 'command', status: 'fail', summary: 'not run', details: [], optional, sessionIds: [] };
        const missing = v.commands.map((c) => this.deps.runner.resolve(c.tool)).find((t) => !t.path);
        if (missing) {
          r = { ...r, summary: `${missing.name} was not found (looked in: ${missing.searched.join(', ') || '(PATH is empty)'})`, details: [missing.install] };
        }
        for (let attempt = 1; attempt <= attempts && !missing; attempt++) {
          const sessionIds: string[] = [];
          const failures: string[] = [];
          const seen: string[] = [];
          for (const c of v.commands) {
            const { info, output } = await run(c, 'verify');
            sessionIds.push(info.sessionId);
            const e = evaluateExpect(item.expect, { exitCode: info.state === 'exited' ? info.exitCode : null, output }, p.scope);
            seen.push(...e.seen);
            if (!e.ok) failures.push(...e.failures.map((f) => `${c.title}: ${f}`), ...fixLine(c.tool, output), ...tail(output, 8).map((l) => `  ${l}`));
          }
          r = { title: v.title, kind: 'command', status: failures.length ? 'fail' : 'pass', summary: failures.length ? (failures[0] ?? 'failed') : seen.length ? seen.join('; ') : 'as expected', details: failures.slice(1), optional, sessionIds };
          if (!failures.length || attempt === attempts) break;
          activity('verify', `${v.title}: attempt ${attempt} of ${attempts} failed; trying again in ${item.retry!.intervalSeconds} s`);
          await new Promise<void>((res) => {
            const t = setTimeout(res, item.retry!.intervalSeconds * 1000);
            signal.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
          });
        }
      }
      if (optional && r.status === 'fail') r = { ...r, status: 'warn', summary: `optional: ${r.summary}` };
      push('verify', r);
      if (r.status === 'fail') failure ??= `${r.title}: ${r.summary}`;
    }
    return failure;
  }

  // ---- the generators, for the install form and the Policies page ----------------------

  ciliumValuesDefaults(profile: 'chart' | 'kind-lab', cluster?: string): CiliumValues {
    return profile === 'chart' ? chartDefaults() : kindLabDefaults(cluster);
  }

  async renderCiliumValues(o: { values: CiliumValues; ciliumVersion?: string; targetId?: string }): Promise<{ yaml: string; findings: ValuesFinding[] }> {
    let facts: FactSet | undefined;
    let apiServer: { host: string; port: number } | null = null;
    if (o.targetId && this.deps.facts) {
      try {
        facts = await this.deps.facts(o.targetId, [...LINT_FACTS], {});
      } catch {
        /* lint without facts */
      }
    }
    if (o.targetId && this.deps.reader) {
      try {
        const ep = await discoverApiServer(this.deps.reader(o.targetId), this.deps.server?.(o.targetId));
        if (ep.addresses[0] && ep.ports[0]) apiServer = { host: ep.addresses[0], port: ep.ports[0] };
      } catch {
        /* only a hint */
      }
    }
    const serverHost = o.targetId ? hostOf(this.deps.server?.(o.targetId) ?? '') : null;
    return {
      yaml: renderValuesYaml(o.values, o.ciliumVersion ? { ciliumVersion: o.ciliumVersion } : {}),
      findings: lintValues(o.values, { ...(o.ciliumVersion ? { ciliumVersion: o.ciliumVersion } : {}), ...(facts ? { facts } : {}), apiServer, ...(serverHost ? { apiServerNames: [serverHost] } : {}) }),
    };
  }

  saveCiliumValues(o: { values: CiliumValues; path: string; ciliumVersion?: string }): { path: string; bytes: number } {
    return saveValuesFile(o.path, o.values, o.ciliumVersion ? { ciliumVersion: o.ciliumVersion } : {});
  }

  async generateBaselinePolicies(o: { namespace: string; flavor: BaselineFlavor; apiServer?: { addresses: string[]; ports: number[] }; targetId?: string }): Promise<{ yaml: string; objects: Record<string, unknown>[]; notes: string[] }> {
    let apiServer = o.apiServer;
    const notes: string[] = [];
    if (o.flavor === 'kubernetes' && !apiServer) {
      if (!o.targetId || !this.deps.reader) throw new LabError('INVALID_REQUEST', 'the Kubernetes flavor needs the API server’s addresses', 'Select a cluster target or enter the address.');
      const ep = await discoverApiServer(this.deps.reader(o.targetId), this.deps.server?.(o.targetId));
      apiServer = { addresses: ep.addresses, ports: ep.ports };
      notes.push(`API server from ${ep.source}: ${ep.addresses.join(', ')} port ${ep.ports.join(', ')}.`);
    }
    const b = generateBaseline({ namespace: o.namespace, flavor: o.flavor, ...(apiServer ? { apiServer } : {}) });
    return { yaml: b.yaml, objects: b.objects, notes: [...notes, ...b.notes] };
  }
}

export function createWalkthroughService(deps: WalkthroughDeps): WalkthroughService {
  return new WalkthroughService(deps);
}
