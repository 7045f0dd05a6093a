import { create } from 'zustand';
import type { CiliumValues, ParamValues, StepPlan, StepProgress, ValuesFinding, VerificationResult, Walkthrough, WalkthroughProgress } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';
import { useTerminalStore } from './terminal';

export interface Activity {
  runId: string;
  kind: string;
  messages: string[];
  wait: { message: string; done: number; total: number } | null;
  results: VerificationResult[];
  outcome: 'passed' | 'failed' | 'cancelled' | null;
  error: LabError | null;
}

export interface WalkthroughState {
  defs: Record<string, Walkthrough>;
  /** Parameter values per walkthrough (what the user typed; the engine validates). */
  params: Record<string, ParamValues>;
  /** Progress per `${walkthroughId}|${targetId}`. */
  progress: Record<string, WalkthroughProgress>;
  plans: Record<string, StepPlan | null>;
  planErrors: Record<string, LabError | null>;
  /** Last activity per `${walkthroughId}|${stepId}`. */
  activity: Record<string, Activity>;
  values: { yaml: string; findings: ValuesFinding[] } | null;
  error: LabError | null;
  init(): () => void;
  load(id: string, targetId: string): Promise<void>;
  setParam(id: string, name: string, value: ParamValues[string] | undefined): void;
  plan(id: string, stepId: string, targetId: string): Promise<void>;
  act(kind: 'run' | 'verify' | 'preview' | 'cleanup', id: string, stepId: string, targetId: string): Promise<void>;
  cancel(id: string, stepId: string): Promise<void>;
  skip(id: string, stepId: string, targetId: string, reason: string): Promise<void>;
  reset(id: string, stepId: string, targetId: string): Promise<void>;
  renderValues(id: string, targetId: string): Promise<void>;
  applyPatch(id: string, patch: Record<string, unknown>, targetId: string): void;
}

export const progressKey = (id: string, targetId: string) => `${id}|${targetId}`;
export const stepKey = (id: string, stepId: string) => `${id}|${stepId}`;

/** Sets a Helm path ("bpf.datapathMode") in a values object; null removes it. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const out = { ...obj };
  if (!rest.length) {
    if (value === null) delete out[head!];
    else out[head!] = value;
    return out;
  }
  const inner = (out[head!] && typeof out[head!] === 'object' ? out[head!] : {}) as Record<string, unknown>;
  out[head!] = setPath(inner, rest.join('.'), value);
  return out;
}

export const useWalkthroughStore = create<WalkthroughState>((set, get) => {
  const activityPatch = (key: string, runId: string, p: (a: Activity) => Partial<Activity>) =>
    set((s) => {
      const cur = s.activity[key] && s.activity[key]!.runId === runId ? s.activity[key]! : { runId, kind: '', messages: [], wait: null, results: [], outcome: null, error: null };
      return { activity: { ...s.activity, [key]: { ...cur, ...p(cur) } } };
    });
  const setStep = (walkthroughId: string, targetId: string, step: StepProgress) =>
    set((s) => {
      const k = progressKey(walkthroughId, targetId);
      const cur = s.progress[k];
      if (!cur) return {};
      return { progress: { ...s.progress, [k]: { ...cur, steps: cur.steps.map((x) => (x.stepId === step.stepId ? step : x)) } } };
    });
  return {
    defs: {},
    params: {},
    progress: {},
    plans: {},
    planErrors: {},
    activity: {},
    values: null,
    error: null,
    init() {
      const offs = [
        lab().on('walkthrough.step', (e) => setStep(e.walkthroughId, e.targetId, e.progress)),
        lab().on('walkthrough.activity', (e) => {
          activityPatch(stepKey(e.walkthroughId, e.stepId), e.runId, (a) => ({
            kind: e.kind,
            messages: e.progress ? a.messages : [...a.messages, e.message].slice(-30),
            wait: e.progress ? { message: e.message, ...e.progress } : a.wait,
            results: e.result ? [...a.results, e.result] : a.results,
          }));
          if (e.sessionId) useTerminalStore.getState().setActive(e.sessionId);
        }),
        lab().on('walkthrough.done', (e) => {
          activityPatch(stepKey(e.walkthroughId, e.stepId), e.runId, () => ({ outcome: e.outcome, error: e.error ? LabError.from(e.error) : null }));
          setStep(e.walkthroughId, e.targetId, e.progress);
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    async load(id, targetId) {
      try {
        if (!get().defs[id]) {
          const def = await lab().call('walkthrough.get', { id });
          const defaults: ParamValues = {};
          for (const p of def.parameters) if ('default' in p && p.default !== undefined) defaults[p.name] = p.default as never;
          if (def.parameters.some((p) => p.type === 'cilium-values')) {
            const name = def.parameters.find((p) => p.type === 'cilium-values')!.name;
            defaults[name] = await lab().call('ciliumValues.defaults', { profile: 'kind-lab', ...(typeof defaults.clusterName === 'string' ? { cluster: defaults.clusterName } : {}) });
          }
          set((s) => ({ defs: { ...s.defs, [id]: def }, params: { ...s.params, [id]: { ...defaults, ...s.params[id] } } }));
        }
        const progress = await lab().call('walkthrough.progress', { id, targetId });
        set((s) => ({ progress: { ...s.progress, [progressKey(id, targetId)]: progress }, error: null }));
      } catch (err) {
        set({ error: LabError.of(err) });
      }
    },
    setParam(id, name, value) {
      set((s) => {
        const cur = { ...s.params[id] };
        if (value === undefined || value === '') delete cur[name];
        else cur[name] = value;
        return { params: { ...s.params, [id]: cur } };
      });
    },
    async plan(id, stepId, targetId) {
      const k = stepKey(id, stepId);
      try {
        const plan = await lab().call('walkthrough.plan', { id, stepId, targetId, params: get().params[id] ?? {} });
        set((s) => ({ plans: { ...s.plans, [k]: plan }, planErrors: { ...s.planErrors, [k]: null } }));
      } catch (err) {
        set((s) => ({ plans: { ...s.plans, [k]: null }, planErrors: { ...s.planErrors, [k]: LabError.of(err) } }));
      }
    },
    async act(kind, id, stepId, targetId) {
      const k = stepKey(id, stepId);
      try {
        const { runId } = await lab().call(`walkthrough.${kind}`, { id, stepId, targetId, params: get().params[id] ?? {} });
        set((s) => ({ activity: { ...s.activity, [k]: { runId, kind, messages: [], wait: null, results: [], outcome: null, error: null } } }));
        useTerminalStore.getState().setOpen(true);
      } catch (err) {
        set((s) => ({ activity: { ...s.activity, [k]: { runId: '', kind, messages: [], wait: null, results: [], outcome: 'failed', error: LabError.of(err) } } }));
      }
    },
    async cancel(id, stepId) {
      const runId = get().activity[stepKey(id, stepId)]?.runId;
      if (runId) await lab().call('walkthrough.cancel', { runId }).catch(() => {});
    },
    async skip(id, stepId, targetId, reason) {
      try {
        setStep(id, targetId, await lab().call('walkthrough.skip', { id, stepId, targetId, reason }));
      } catch (err) {
        set({ error: LabError.of(err) });
      }
    },
    async reset(id, stepId, targetId) {
      try {
        const progress = await lab().call('walkthrough.reset', { id, stepId, targetId });
        set((s) => ({ progress: { ...s.progress, [progressKey(id, targetId)]: progress } }));
      } catch (err) {
        set({ error: LabError.of(err) });
      }
    },
    async renderValues(id, targetId) {
      const def = get().defs[id];
      const name = def?.parameters.find((p) => p.type === 'cilium-values')?.name;
      const values = name ? (get().params[id]?.[name] as CiliumValues | undefined) : undefined;
      if (!values) return;
      const v = get().params[id]?.ciliumVersion;
      try {
        const r = await lab().call('ciliumValues.render', { values, ...(typeof v === 'string' ? { ciliumVersion: v } : {}), ...(targetId !== 'host' ? { targetId } : {}) });
        set({ values: r });
      } catch (err) {
        set({ values: null, error: LabError.of(err) });
      }
    },
    applyPatch(id, patch, targetId) {
      const def = get().defs[id];
      const name = def?.parameters.find((p) => p.type === 'cilium-values')?.name;
      if (!name) return;
      let values = { ...(get().params[id]?.[name] as Record<string, unknown>) };
      for (const [path, value] of Object.entries(patch)) values = setPath(values, path, value);
      get().setParam(id, name, values as CiliumValues);
      void get().renderValues(id, targetId);
    },
  };
});
