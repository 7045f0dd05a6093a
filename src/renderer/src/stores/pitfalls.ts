import { create } from 'zustand';
import type { AnswerValue, PitfallResult, PitfallSession, PitfallSummary } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export interface PitfallsState {
  list: PitfallSummary[];
  loadErrors: { file: string; problems: string[] }[];
  session: PitfallSession | null;
  results: Record<string, PitfallResult[]>;
  busy: boolean;
  error: LabError | null;
  load(targetId: string): Promise<void>;
  start(id: string, targetId: string): Promise<void>;
  answer(nodeId: string, answer: AnswerValue): Promise<void>;
  close(): Promise<void>;
}


export const usePitfallsStore = create<PitfallsState>((set, get) => ({
  list: [],
  loadErrors: [],
  session: null,
  results: {},
  busy: false,
  error: null,
  async load(targetId) {
    try {
      const [l, results] = await Promise.all([lab().call('pitfalls.list', {}), lab().call('pitfalls.results', { targetId })]);
      set((s) => ({ list: l.pitfalls, loadErrors: l.errors, results: { ...s.results, [targetId]: results }, error: null }));
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async start(id, targetId) {
    set({ busy: true, error: null });
    try {
      const old = get().session;
      if (old) await lab().call('pitfalls.close', { sessionId: old.sessionId }).catch(() => {});
      set({ session: await lab().call('pitfalls.start', { id, targetId }), busy: false });
      if (get().session?.state === 'done') void get().load(targetId);
    } catch (err) {
      set({ error: LabError.of(err), busy: false });
    }
  },
  async answer(nodeId, answer) {
    const s = get().session;
    if (!s) return;
    try {
      const next = await lab().call('pitfalls.answer', { sessionId: s.sessionId, nodeId, answer });
      set({ session: next, error: null });
      if (next.state === 'done') void get().load(next.targetId);
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async close() {
    const s = get().session;
    if (s) await lab().call('pitfalls.close', { sessionId: s.sessionId }).catch(() => {});
    set({ session: null });
  },
}));
