import { useState } from 'react';
import { useTerminalStore, liveTerminal } from '../stores/terminal';
import { ErrorNote } from './ErrorNote';
import { TerminalView } from './TerminalView';

const stateLabel: Record<string, string> = {
  running: 'running',
  exited: 'exited',
  failed: 'failed',
  cancelled: 'cancelled',
  'timed-out': 'timed out',
};

export function TerminalDock() {
  const order = useTerminalStore((s) => s.order);
  const active = useTerminalStore((s) => s.active);
  const infos = useTerminalStore((s) => s.infos);
  const open = useTerminalStore((s) => s.open);
  const lastError = useTerminalStore((s) => s.lastError);
  const { setActive, cancel, clear, close, copy, saveTranscript, setOpen, dismissError } = useTerminalStore.getState();
  const [query, setQuery] = useState('');
  const info = active ? infos[active] : undefined;

  const find = (dir: 'next' | 'prev') => {
    const l = active ? liveTerminal(active) : undefined;
    if (!l || !query) return;
    if (dir === 'next') l.search.findNext(query);
    else l.search.findPrevious(query);
  };

  return (
    <section className={`terminal-dock${open ? '' : ' collapsed'}`} aria-label="Terminal">
      <div className="dock-bar">
        <div role="tablist" aria-label="Terminal sessions" className="tabs">
          {order.map((id) => {
            const i = infos[id];
            return (
              <div key={id} className={`tab${id === active ? ' active' : ''}`}>
                <button type="button" role="tab" aria-selected={id === active} onClick={() => { setActive(id); setOpen(true); }} title={i?.argv.join(' ')}>
                  <span className={`dot ${i?.state ?? ''}`} aria-hidden="true" />
                  {i?.title ?? id}
                  <span className="visually-hidden"> ({stateLabel[i?.state ?? ''] ?? ''})</span>
                </button>
                <button type="button" className="tab-close" aria-label={`Close ${i?.title ?? 'session'}`} onClick={() => close(id)}>
                  ×
                </button>
              </div>
            );
          })}
          {order.length === 0 && <span className="muted">No commands yet: buttons named “Run …” start one here.</span>}
        </div>
        <div className="dock-tools">
          {info && (
            <>
              <span className={`state ${info.state}`}>{stateLabel[info.state]}{info.exitCode !== null ? ` (${info.exitCode})` : ''}</span>
              <input
                type="search"
                aria-label="Search terminal output"
                placeholder="Search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                onKeyDown={(e) => e.key === 'Enter' && find(e.shiftKey ? 'prev' : 'next')}
              />
              <button type="button" onClick={() => find('prev')} aria-label="Previous match">↑</button>
              <button type="button" onClick={() => find('next')} aria-label="Next match">↓</button>
              <button type="button" onClick={() => void copy(info.sessionId)}>Copy</button>
              <button type="button" onClick={() => clear(info.sessionId)}>Clear</button>
              <button type="button" onClick={() => void saveTranscript(info.sessionId)}>Save transcript</button>
              <button type="button" className="danger" disabled={info.state !== 'running'} onClick={() => void cancel(info.sessionId)}>
                Cancel
              </button>
            </>
          )}
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide terminal' : 'Show terminal'}
          </button>
        </div>
      </div>
      {lastError && <ErrorNote error={lastError} onDismiss={dismissError} />}
      <div className="dock-body" hidden={!open || order.length === 0}>
        {order.map((id) => (
          <TerminalView key={id} sessionId={id} visible={id === active} />
        ))}
      </div>
    </section>
  );
}
