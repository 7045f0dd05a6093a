import { create } from 'zustand';
import type { Connection, Target, TargetList } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export interface TargetsState {
  list: TargetList | null;
  connections: Record<string, Connection>;
  selectedId: string;
  loading: boolean;
  error: LabError | null;
  init(): () => void;
  load(): Promise<void>;
  connect(targetId: string): Promise<void>;
  select(targetId: string): Promise<void>;
}


export const useTargetsStore = create<TargetsState>((set, get) => ({
  list: null,
  connections: {},
  selectedId: 'host',
  loading: false,
  error: null,
  init() {
    const offs = [
      lab().on('targets.changed', (list) => set({ list })),
      lab().on('targets.connection', (c) => set((s) => ({ connections: { ...s.connections, [c.targetId]: c } }))),
      lab().on('settings.changed', (st) => st.selectedTargetId && set({ selectedId: st.selectedTargetId })),
    ];
    return () => offs.forEach((off) => off());
  },
  async load() {
    set({ loading: true });
    try {
      const [list, settings] = await Promise.all([lab().call('targets.list', {}), lab().call('settings.get', {})]);
      // The remembered target, if it still exists.
      const remembered = settings.selectedTargetId && list.targets.some((t) => t.id === settings.selectedTargetId) ? settings.selectedTargetId : get().selectedId;
      set({ list, selectedId: remembered, loading: false, error: null });
    } catch (err) {
      set({ error: LabError.of(err), loading: false });
    }
  },
  async connect(targetId) {
    try {
      const c = await lab().call('targets.connect', { targetId });
      set((s) => ({ connections: { ...s.connections, [targetId]: c } }));
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async select(targetId) {
    set({ selectedId: targetId });
    try {
      await lab().call('targets.select', { targetId });
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
}));

/** The selected target object (narrow selector helper). */
export const selectedTarget = (s: TargetsState): Target | undefined => s.list?.targets.find((t) => t.id === s.selectedId);
