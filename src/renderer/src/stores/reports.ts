import { create } from 'zustand';
import type { ReportContent, ReportFormat } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

type Entry = { id: string; name: string; format: ReportFormat; targetId: string; targetName: string; createdAt: string; bytes: number };

export interface ReportsState {
  entries: Entry[];
  format: ReportFormat;
  current: ReportContent | null;
  busy: boolean;
  error: LabError | null;
  load(): Promise<void>;
  setFormat(f: ReportFormat): void;
  create(targetId: string): Promise<void>;
  open(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}


/** Saves text as a file through the browser's download (Electron asks where). */
export function download(name: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const useReportsStore = create<ReportsState>((set, get) => ({
  entries: [],
  format: 'html',
  current: null,
  busy: false,
  error: null,
  async load() {
    try {
      set({ entries: await lab().call('reports.list', {}) });
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  setFormat(format) {
    set({ format });
  },
  async create(targetId) {
    set({ busy: true, error: null });
    try {
      const r = await lab().call('reports.create', { targetId, format: get().format });
      set({ current: { id: r.id, name: r.name, format: r.format, mime: r.mime, content: r.content }, busy: false });
      await get().load();
    } catch (err) {
      set({ error: LabError.of(err), busy: false });
    }
  },
  async open(id) {
    try {
      set({ current: await lab().call('reports.get', { id }), error: null });
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
  async remove(id) {
    try {
      await lab().call('reports.delete', { id });
      set((s) => ({ current: s.current?.id === id ? null : s.current }));
      await get().load();
    } catch (err) {
      set({ error: LabError.of(err) });
    }
  },
}));
