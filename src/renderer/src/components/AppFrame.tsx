import type { ReactNode } from 'react';
import { PAGES, useAppStore } from '../stores/app';
import { TerminalDock } from './TerminalDock';

export function AppFrame({ children }: { children: ReactNode }) {
  const page = useAppStore((s) => s.page);
  const info = useAppStore((s) => s.info);
  const connection = useAppStore((s) => s.connection);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Datapath Lab</span>
        <span className="muted">
          {info ? `v${info.version} · ${info.transport === 'browser' ? 'browser mode' : 'desktop'}` : ''}
        </span>
        {connection !== 'open' && (
          <span className="conn-warn" role="status">
            {connection === 'connecting' ? 'Connecting to the lab…' : 'Connection lost: retrying'}
          </span>
        )}
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a href={`#/${p.id}`} aria-current={page === p.id ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">{children}</main>
      <TerminalDock />
    </div>
  );
}
