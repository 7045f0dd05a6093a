import { create } from 'zustand';
import type { CheckRunResult } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export interface CheckInfo {
  id: string;
  title: string;
  category: string;
  needs: string[];
  reference: string;
}

export interface TargetRun {
  runId: string | null;
  /** Fact key → gathering state, for the run in progress. */
  progress: Record<string, 'started' | 'done' | 'unknown'>;
  result: CheckRunResult | null;
  error: LabError | null;
}

export interface ChecksState {
  checks: CheckInfo[];
  byTarget: Record<string, TargetRun>;
  ciliumVersion: string;
  /** The user read the debug pod manifest and agreed to it (per target). */
  debugPods: Record<string, boolean>;
  debugPodYaml: string | null;
  previewDebugPod(targetId: string): Promise<void>;
  setDebugPods(targetId: string, on: boolean): void;
  init(): () => void;
  load(targetId: string): Promise<void>;
  run(targetId: string, only?: string[]): Promise<void>;
  cancel(targetId: string): Promise<void>;
  setCiliumVersion(v: string): void;
  capture(targetId: string, name: string): Promise<string | null>;
  captured: string | null;
}

const empty: TargetRun = { runId: null, progress: {}, result: null, error: null };

export const useChecksStore = create<ChecksState>((set, get) => {
  const patch = (targetId: string, p: Partial<TargetRun>) => set((s) => ({ byTarget: { ...s.byTarget, [targetId]: { ...(s.byTarget[targetId] ?? empty), ...p } } }));
  const current = (targetId: string, runId: string) => get().byTarget[targetId]?.runId === runId;
  return {
    checks: [],
    byTarget: {},
    ciliumVersion: '',
    debugPods: {},
    debugPodYaml: null,
    async previewDebugPod(targetId) {
      try {
        set({ debugPodYaml: (await lab().call('checks.debugPodPreview', { targetId })).yaml });
      } catch (err) {
        patch(targetId, { error: LabError.of(err) });
      }
    },
    setDebugPods(targetId, on) {
      set((s) => ({ debugPods: { ...s.debugPods, [targetId]: on }, debugPodYaml: null }));
    },
    init() {
      const offs = [
        lab().on('checks.progress', (e) => {
          if (!current(e.targetId, e.runId)) return;
          const run = get().byTarget[e.targetId]!;
          patch(e.targetId, { progress: { ...run.progress, [e.key]: e.state } });
        }),
        lab().on('checks.done', (r) => {
          if (current(r.targetId, r.runId)) patch(r.targetId, { runId: null, result: r, error: null });
        }),
        lab().on('checks.failed', (e) => {
          if (current(e.targetId, e.runId)) patch(e.targetId, { runId: null, error: LabError.from(e.error) });
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    async load(targetId) {
      try {
        if (!get().checks.length) set({ checks: await lab().call('checks.list', {}) });
        if (!get().byTarget[targetId]?.result) {
          const result = await lab().call('checks.last', { targetId });
          if (result) patch(targetId, { result });
        }
      } catch (err) {
        patch(targetId, { error: LabError.of(err) });
      }
    },
    async run(targetId, only) {
      try {
        const v = get().ciliumVersion;
        const debugPods = get().debugPods[targetId] === true;
        const { runId } = await lab().call('checks.run', { targetId, ...(only ? { only } : {}), ...(v ? { ciliumVersion: v } : {}), ...(debugPods ? { debugPods } : {}) });
        patch(targetId, { runId, progress: {}, error: null });
      } catch (err) {
        patch(targetId, { error: LabError.of(err) });
      }
    },
    async cancel(targetId) {
      const runId = get().byTarget[targetId]?.runId;
      if (runId) await lab().call('checks.cancel', { runId }).catch(() => {});
    },
    setCiliumVersion(v) {
      set({ ciliumVersion: v });
    },
    captured: null,
    async capture(targetId, name) {
      try {
        const r = await lab().call('snapshots.capture', { targetId, name });
        set({ captured: `Saved snapshot ${name}: ${r.facts} facts, ${r.objects} API objects, secrets removed. It is now a target.` });
        return r.targetId;
      } catch (err) {
        patch(targetId, { error: LabError.of(err) });
        return null;
      }
    },
  };
});

export const targetRun = (targetId: string) => (s: ChecksState) => s.byTarget[targetId] ?? empty;
