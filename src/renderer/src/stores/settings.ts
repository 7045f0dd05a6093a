import { create } from 'zustand';
import type { Settings, ToolStatus } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export interface SettingsState {
  settings: Settings | null;
  tools: ToolStatus[];
  error: LabError | null;
  load(): Promise<void>;
  setToolPath(tool: string, path: string): Promise<boolean>;
}

export const useSettingsStore = create<SettingsState>((set) => ({
  settings: null,
  tools: [],
  error: null,
  async load() {
    try {
      const [settings, tools] = await Promise.all([lab().call('settings.get', {}), lab().call('tools.list', {})]);
      set({ settings, tools, error: null });
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async setToolPath(tool, path) {
    try {
      const settings = await lab().call('settings.update', { toolPaths: { [tool]: path } });
      const tools = await lab().call('tools.list', {});
      set({ settings, tools, error: null });
      return true;
    } catch (err) {
      set({ error: LabError.of(err) });
      return false;
    }
  },
}));
