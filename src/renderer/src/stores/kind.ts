import { create } from 'zustand';
import type { KindClusterOptions, PreflightCheck } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';
import { useTerminalStore } from './terminal';

type Plan = { yaml: string; configPath: string; kubeconfig: string; argv: string[] };

export interface KindState {
  options: KindClusterOptions;
  preflight: PreflightCheck[] | null;
  plan: Plan | null;
  error: LabError | null;
  busy: boolean;
  setOptions(patch: Partial<KindClusterOptions>): void;
  runPreflight(): Promise<void>;
  makePlan(): Promise<void>;
  create(): Promise<void>;
  remove(name: string): Promise<void>;
  exportKubeconfig(name: string): Promise<void>;
}


export const useKindStore = create<KindState>((set, get) => ({
  options: { name: 'lab', workers: 2, disableDefaultCNI: true, kubeProxyMode: 'none', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' },
  preflight: null,
  plan: null,
  error: null,
  busy: false,
  setOptions(patch) {
    // The shown config no longer matches: drop it until asked again.
    set((s) => ({ options: { ...s.options, ...patch }, plan: null, error: null }));
  },
  async runPreflight() {
    set({ busy: true });
    try {
      set({ preflight: await lab().call('kind.preflight', { workers: get().options.workers }), error: null, busy: false });
    } catch (err) {
      set({ error: LabError.of(err), busy: false });
    }
  },
  async makePlan() {
    try {
      set({ plan: await lab().call('kind.plan', get().options), error: null });
    } catch (err) {
      set({ error: LabError.of(err), plan: null });
    }
  },
  async create() {
    try {
      const info = await lab().call('kind.create', get().options);
      useTerminalStore.getState().adopt(info);
      set({ error: null });
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async remove(name) {
    try {
      useTerminalStore.getState().adopt(await lab().call('kind.delete', { name }));
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async exportKubeconfig(name) {
    try {
      useTerminalStore.getState().adopt(await lab().call('kind.exportKubeconfig', { name }));
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
}));
