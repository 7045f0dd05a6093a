import { create } from 'zustand';
import { Terminal, type ITerminalInitOnlyOptions, type ITerminalOptions } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import type { RunParams, SessionInfo } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { lab } from '../lab';

export const SCROLLBACK_LINES = 5000;
const MAX_TABS = 20;
/** Ack written output every this many bytes (flow control with main). */
const ACK_EVERY = 256 * 1024;

/** Every session's xterm (and the benchmark's reference xterm) is made with these. */
export const TERMINAL_OPTIONS: ITerminalOptions & ITerminalInitOnlyOptions = {
  scrollback: SCROLLBACK_LINES,
  // Commands run on pipes, not a pty: turn \n into \r\n.
  convertEol: true,
  disableStdin: true,
  cursorBlink: false,
  fontSize: 13,
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
  theme: { background: '#0b1118', foreground: '#d7e0ea', selectionBackground: '#35506b' },
  allowProposedApi: true,
};

/** xterm instances live outside React state: output never re-renders components. */
interface Live {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  written: number;
  acked: number;
}
const live = new Map<string, Live>();
/** Output goes to xterm as text, decoded by the browser's native decoder (xterm's own UTF-8 decoder is JavaScript); every batch is whole UTF-8. */
const utf8 = new TextDecoder();

export function liveTerminal(sessionId: string): Live | undefined {
  return live.get(sessionId);
}

function ensureLive(sessionId: string): Live {
  let l = live.get(sessionId);
  if (!l) {
    const term = new Terminal(TERMINAL_OPTIONS);
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    l = { term, fit, search, written: 0, acked: 0 };
    live.set(sessionId, l);
  }
  return l;
}

function ack(sessionId: string, l: Live, force: boolean) {
  if (l.written > l.acked && (force || l.written - l.acked >= ACK_EVERY)) {
    l.acked = l.written;
    lab().call('terminal.ack', { sessionId, offset: l.written }).catch(() => {});
  }
}

export interface TerminalState {
  order: string[];
  active: string | null;
  infos: Record<string, SessionInfo>;
  lastError: LabError | null;
  /** Open and focus the dock (e.g. after Run). */
  open: boolean;
  init(): () => void;
  run(params: RunParams): Promise<SessionInfo | null>;
  /** Show a session started by another request (kind.create, a walkthrough step…). */
  adopt(info: SessionInfo): void;
  cancel(sessionId: string): Promise<void>;
  clear(sessionId: string): void;
  close(sessionId: string): void;
  setActive(sessionId: string): void;
  setOpen(open: boolean): void;
  copy(sessionId: string): Promise<void>;
  saveTranscript(sessionId: string): Promise<void>;
  dismissError(): void;
}

export const useTerminalStore = create<TerminalState>((set, get) => {
  const upsert = (info: SessionInfo) => {
    ensureLive(info.sessionId);
    set((s) => {
      const order = s.order.includes(info.sessionId) ? s.order : [...s.order, info.sessionId];
      const infos = { ...s.infos, [info.sessionId]: info };
      // Drop the oldest ended tabs beyond the limit.
      let trimmed = order;
      while (trimmed.length > MAX_TABS) {
        const victim = trimmed.find((id) => infos[id]?.state !== 'running' && id !== info.sessionId);
        if (!victim) break;
        trimmed = trimmed.filter((id) => id !== victim);
        delete infos[victim];
        live.get(victim)?.term.dispose();
        live.delete(victim);
      }
      return { order: trimmed, infos, active: s.order.includes(info.sessionId) ? s.active : info.sessionId };
    });
  };

  return {
    order: [],
    active: null,
    infos: {},
    lastError: null,
    open: true,
    init() {
      const offs = [
        lab().on('terminal.started', (info) => upsert(info)),
        lab().on('terminal.data', ({ sessionId, data, offset }) => {
          const l = ensureLive(sessionId);
          l.term.write(utf8.decode(data), () => {
            l.written = offset;
            ack(sessionId, l, false);
          });
        }),
        lab().on('terminal.exit', (info) => {
          upsert(info);
          const l = live.get(info.sessionId);
          if (l) {
            const note = info.state === 'exited' ? `exit code ${info.exitCode}` : `${info.state}${info.reason ? `: ${info.reason}` : ''}`;
            const colour = info.state === 'exited' && info.exitCode === 0 ? '32' : '31';
            l.term.write(`\x1b[${colour}m[${note}]\x1b[0m\n`, () => ack(info.sessionId, l, true));
          }
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    async run(params) {
      try {
        const info = await lab().call('terminal.run', params);
        upsert(info);
        set({ active: info.sessionId, open: true, lastError: null });
        return info;
      } catch (err) {
        set({ lastError: LabError.of(err), open: true });
        return null;
      }
    },
    adopt(info) {
      upsert(info);
      set({ active: info.sessionId, open: true });
    },
    async cancel(sessionId) {
      try {
        upsert(await lab().call('terminal.cancel', { sessionId }));
      } catch (err) {
        set({ lastError: LabError.of(err) });
      }
    },
    clear(sessionId) {
      live.get(sessionId)?.term.clear();
    },
    close(sessionId) {
      const info = get().infos[sessionId];
      if (info?.state === 'running') void get().cancel(sessionId);
      live.get(sessionId)?.term.dispose();
      live.delete(sessionId);
      set((s) => {
        const order = s.order.filter((id) => id !== sessionId);
        const infos = { ...s.infos };
        delete infos[sessionId];
        return { order, infos, active: s.active === sessionId ? (order.at(-1) ?? null) : s.active };
      });
    },
    setActive(sessionId) {
      set({ active: sessionId });
    },
    setOpen(open) {
      set({ open });
    },
    async copy(sessionId) {
      const term = live.get(sessionId)?.term;
      if (!term) return;
      let text = term.getSelection();
      if (!text) {
        term.selectAll();
        text = term.getSelection();
        term.clearSelection();
      }
      await navigator.clipboard.writeText(text).catch(() => set({ lastError: new LabError('INTERNAL', 'the clipboard is not available here', 'Select the text and use Ctrl+Shift+C.') }));
    },
    async saveTranscript(sessionId) {
      try {
        const t = await lab().call('terminal.transcript', { sessionId });
        const url = URL.createObjectURL(new Blob([t.text], { type: 'text/plain' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = t.fileName;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (err) {
        set({ lastError: LabError.of(err) });
      }
    },
    dismissError() {
      set({ lastError: null });
    },
  };
});
