import { create } from 'zustand';
import type { HostFacts } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export interface HostState {
  facts: HostFacts | null;
  loading: boolean;
  error: LabError | null;
  load(): Promise<void>;
}

export const useHostStore = create<HostState>((set) => ({
  facts: null,
  loading: false,
  error: null,
  async load() {
    set({ loading: true, error: null });
    try {
      set({ facts: await lab().call('host.facts', {}), loading: false });
    } catch (err) {
      set({ error: LabError.of(err), loading: false });
    }
  },
}));
