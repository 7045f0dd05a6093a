import { create } from 'zustand';
import type { PolicyAnalysisResult, TraceResultValue } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';
import { useTerminalStore } from './terminal';

export interface Doc {
  name: string;
  content: string;
}

export interface TraceForm {
  src: string;
  dst: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  method: string;
  path: string;
}

export interface PoliciesState {
  docs: Doc[];
  active: number;
  /** Add this target's workloads and policies to the documents ('' for none). */
  targetId: string;
  analysis: PolicyAnalysisResult | null;
  analyzing: boolean;
  error: LabError | null;
  trace: TraceForm;
  traceResult: TraceResultValue | null;
  traceError: LabError | null;
  loadExamples(): Promise<void>;
  edit(index: number, content: string): void;
  setActive(index: number): void;
  addDoc(name: string, content: string): void;
  setTarget(targetId: string): void;
  analyze(refresh?: boolean): Promise<void>;
  setTrace(patch: Partial<TraceForm>): void;
  runTrace(): Promise<void>;
  apply(targetId: string, mode: 'diff' | 'apply'): Promise<void>;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let seq = 0;

export const usePoliciesStore = create<PoliciesState>((set, get) => {
  const source = () => ({ documents: get().docs, ...(get().targetId ? { targetId: get().targetId } : {}) });
  /** Re-analyze shortly after the last keystroke; only the newest answer is kept. */
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void get().analyze(), 300);
  };
  return {
    docs: [],
    active: 0,
    targetId: '',
    analysis: null,
    analyzing: false,
    error: null,
    trace: { src: 'shop/frontend[Deployment]', dst: 'shop/cart[Deployment]', protocol: 'TCP', port: 7070, method: '', path: '' },
    traceResult: null,
    traceError: null,
    async loadExamples() {
      if (get().docs.length) return;
      try {
        set({ docs: await lab().call('policy.examples', {}), active: 0 });
        await get().analyze();
      } catch (err) {
        set({ error: LabError.of(err) });
      }
    },
    edit(index, content) {
      set((s) => ({ docs: s.docs.map((d, i) => (i === index ? { ...d, content } : d)) }));
      schedule();
    },
    setActive(index) {
      set({ active: index });
    },
    addDoc(name, content) {
      set((s) => ({ docs: [...s.docs, { name, content }], active: s.docs.length }));
      schedule();
    },
    setTarget(targetId) {
      set({ targetId });
      void get().analyze();
    },
    async analyze(refresh = false) {
      const mine = ++seq;
      set({ analyzing: true });
      try {
        const analysis = await lab().call('policy.analyze', { source: source(), ...(refresh ? { refresh } : {}) });
        if (mine === seq) set({ analysis, analyzing: false, error: null });
        if (mine === seq && get().traceResult) void get().runTrace();
      } catch (err) {
        if (mine === seq) set({ error: LabError.of(err), analyzing: false });
      }
    },
    setTrace(patch) {
      set((s) => ({ trace: { ...s.trace, ...patch } }));
    },
    async runTrace() {
      const t = get().trace;
      try {
        const traceResult = await lab().call('policy.trace', {
          source: source(), src: t.src, dst: t.dst, protocol: t.protocol, port: t.port,
          ...(t.method ? { method: t.method } : {}), ...(t.path ? { path: t.path } : {}),
        });
        set({ traceResult, traceError: null });
      } catch (err) {
        set({ traceError: LabError.of(err), traceResult: null });
      }
    },
    async apply(targetId, mode) {
      // Only the document on screen: the example workloads are not meant for a real cluster.
      const yaml = get().docs[get().active]?.content ?? '';
      try {
        useTerminalStore.getState().adopt(await lab().call('policy.apply', { targetId, yaml, mode }));
      } catch (err) {
        set({ error: LabError.of(err) });
      }
    },
  };
});
