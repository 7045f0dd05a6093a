import { useEffect } from 'react';
import { selectedTarget, useTargetsStore } from '../stores/targets';
import { ErrorNote } from '../components/ErrorNote';
import { HostTarget } from '../components/clusters/HostTarget';
import { ClusterTarget } from '../components/clusters/ClusterTarget';
import { KindPanel } from '../components/clusters/KindPanel';
import { DemoSnapshots } from '../components/clusters/DemoSnapshots';
import type { Connection, Target } from '../../../shared/api';

function status(t: Target, c: Connection | undefined): string {
  if (t.kind === 'host') return 'this machine';
  if (!c) return t.problems.length ? 'has problems' : 'not checked';
  if (c.state === 'connecting') return 'connecting…';
  if (c.state === 'connected') return `connected · ${c.serverVersion}`;
  return c.error?.code.toLowerCase().replace(/_/g, ' ') ?? 'error';
}

export function ClustersPage() {
  const list = useTargetsStore((s) => s.list);
  const connections = useTargetsStore((s) => s.connections);
  const selectedId = useTargetsStore((s) => s.selectedId);
  const selected = useTargetsStore(selectedTarget);
  const error = useTargetsStore((s) => s.error);
  const loading = useTargetsStore((s) => s.loading);
  const { load, select, connect } = useTargetsStore.getState();
  const demos = list?.targets.filter((t) => t.kind === 'snapshot' && t.file?.startsWith('demo:')) ?? [];
  const noClusters = !!list && !list.targets.some((t) => t.kind === 'cluster' || t.kind === 'kind');
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Clusters</h1>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      <p className="lede">This machine, every context of your kubeconfig files (new ones appear as the files change) and kind clusters. Pick the target the lab works on.</p>
      {error && <ErrorNote error={error} />}
      {noClusters && <DemoSnapshots demos={demos} prominent />}
      <table className="grid targets" aria-label="Targets">
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Kind</th>
            <th scope="col">Server</th>
            <th scope="col">Auth</th>
            <th scope="col">Status</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {list?.targets.map((t) => {
            const c = connections[t.id];
            return (
              <tr key={t.id} aria-selected={t.id === selectedId} className={t.id === selectedId ? 'selected' : undefined}>
                <th scope="row">
                  {t.name}
                  {t.isCurrentContext && <span className="badge">current-context</span>}
                </th>
                <td>{t.kind}</td>
                <td><code>{t.server ?? '—'}</code></td>
                <td>{t.authKind ?? '—'}</td>
                <td className={`conn ${c?.state ?? ''} ${t.problems.length && !c ? 'problem' : ''}`}>{status(t, c)}</td>
                <td className="row-actions">
                  {t.kind !== 'host' && (
                    <button type="button" aria-label={`Connect ${t.name}`} onClick={() => void connect(t.id)}>
                      Connect
                    </button>
                  )}
                  <button type="button" aria-label={`Use ${t.name}`} aria-pressed={t.id === selectedId} onClick={() => void select(t.id)}>
                    {t.id === selectedId ? 'In use' : 'Use'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {selected?.kind === 'host' || !selected ? <HostTarget /> : <ClusterTarget target={selected} />}
      {list && (
        <section className="card" aria-labelledby="files-title">
          <h2 id="files-title">Kubeconfig files</h2>
          <ul className="files">
            {list.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> — {f.state}
                {f.error && <span className="missing">: {f.error}</span>}
              </li>
            ))}
          </ul>
          {list.notes.length > 0 && (
            <ul className="notes">
              {list.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      {!noClusters && <DemoSnapshots demos={demos} prominent={false} />}
      <KindPanel />
    </div>
  );
}
