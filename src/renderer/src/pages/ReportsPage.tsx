import { useEffect } from 'react';
import type { ReportFormat } from '../../../shared/api';
import { download, useReportsStore } from '../stores/reports';
import { useTargetsStore } from '../stores/targets';
import { ErrorNote } from '../components/ErrorNote';
import { TargetSelect } from '../components/TargetSelect';

const FORMATS: [ReportFormat, string][] = [
  ['html', 'HTML (self-contained)'],
  ['md', 'Markdown'],
  ['json', 'JSON'],
];

export function ReportsPage() {
  const entries = useReportsStore((s) => s.entries);
  const format = useReportsStore((s) => s.format);
  const current = useReportsStore((s) => s.current);
  const busy = useReportsStore((s) => s.busy);
  const error = useReportsStore((s) => s.error);
  const { load, setFormat, create, open, remove } = useReportsStore.getState();
  const targets = useTargetsStore((s) => s.list);
  const selectedId = useTargetsStore((s) => s.selectedId);
  useEffect(() => {
    void load();
    if (!targets) void useTargetsStore.getState().load();
  }, [load, targets]);

  return (
    <div className="page">
      <h1>Reports</h1>
      <p className="lede">What people attach to an issue: the target, versions, every finding with its evidence and fix, walkthrough outcomes and policy lint — with every secret, token, certificate and key removed.</p>
      <div className="toolbar" role="group" aria-label="New report">
        <TargetSelect />
        <label>
          Format{' '}
          <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
            {FORMATS.map(([f, label]) => (
              <option key={f} value={f}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" disabled={busy} onClick={() => void create(selectedId)}>
          {busy ? 'Running checks…' : 'Run report'}
        </button>
      </div>
      {error && <ErrorNote error={error} />}
      {current && (
        <section className="card" aria-labelledby="preview-title">
          <div className="card-head">
            <h2 id="preview-title">{current.name}</h2>
            <button type="button" className="primary" onClick={() => download(current.name, current.mime, current.content)}>
              Save report
            </button>
          </div>
          {current.format === 'html' ? (
            // The report is inert: no scripts run in this frame.
            <iframe className="report-frame" title="Report preview" sandbox="" srcDoc={current.content} />
          ) : (
            <pre className="report-text" aria-label="Report preview">{current.content}</pre>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="saved-title">
        <h2 id="saved-title">Saved reports</h2>
        {entries.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table className="grid" aria-label="Saved reports">
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Target</th>
                <th scope="col">Made</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.name}</th>
                  <td>{e.targetName}</td>
                  <td>{new Date(e.createdAt).toLocaleString()}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => void open(e.id)} aria-label={`Open ${e.name}`}>
                      Open
                    </button>
                    <button type="button" onClick={() => void remove(e.id)} aria-label={`Delete ${e.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
