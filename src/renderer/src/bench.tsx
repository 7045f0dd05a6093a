// The terminal benchmark page (npm run bench -- terminal): the real app, plus
// hooks to time output written straight into an xterm in the same page and to
// watch the main thread. Not linked from the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { App } from './App';
import { liveTerminal, useTerminalStore, TERMINAL_OPTIONS } from './stores/terminal';

let maxGap = 0;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  maxGap = Math.max(maxGap, now - last - 10);
  last = now;
}, 10);

declare global {
  interface Window {
    __bench: unknown;
  }
}

window.__bench = {
  resetStall() {
    maxGap = 0;
    last = performance.now();
  },
  stall: () => maxGap,
  /**
   * Writes `total` characters of `line` repeated, in `chunk`-sized writes, into a fresh xterm
   * made like the app's (same options) and of the same size as the session's terminal.
   */
  directWrite(line: string, total: number, chunk: number, likeSession: string): Promise<number> {
    const el = document.getElementById('direct')!;
    const app = liveTerminal(likeSession)?.term;
    const term = new Terminal({ ...TERMINAL_OPTIONS, ...(app ? { cols: app.cols, rows: app.rows } : {}) });
    term.open(el);
    const block = line.repeat(Math.ceil(chunk / line.length) + 1);
    const t0 = performance.now();
    return new Promise((resolve) => {
      let written = 0;
      let offset = 0;
      const pump = () => {
        // Same back-pressure as the app: at most a few MB queued in xterm.
        while (written - offset < 4 * 1024 * 1024 && written < total) {
          const start = written % line.length;
          const n = Math.min(chunk, total - written);
          const data = block.slice(start, start + n);
          written += n;
          term.write(data, () => {
            offset += n;
            if (offset >= total) {
              const ms = performance.now() - t0;
              term.dispose();
              resolve(ms);
            } else pump();
          });
        }
      };
      pump();
    });
  },
  /** Resolves when the app has written a session's whole output into its xterm. */
  waitWritten(sessionId: string): Promise<void> {
    return new Promise((resolve) => {
      const tick = () => {
        const info = useTerminalStore.getState().infos[sessionId];
        const l = liveTerminal(sessionId);
        if (info && info.state !== 'running' && l && l.written >= info.bytes) resolve();
        else setTimeout(tick, 5);
      };
      tick();
    });
  },
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
