import { useEffect, useState } from 'react';
import { useSettingsStore } from '../stores/settings';
import { ErrorNote } from '../components/ErrorNote';

export function SettingsPage() {
  const tools = useSettingsStore((s) => s.tools);
  const error = useSettingsStore((s) => s.error);
  const load = useSettingsStore((s) => s.load);
  const setToolPath = useSettingsStore((s) => s.setToolPath);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="page">
      <h1>Settings</h1>
      <h2>Tools</h2>
      <p className="muted">The lab runs only these tools, found on PATH unless you set a path.</p>
      {error && <ErrorNote error={error} />}
      <table className="grid" aria-label="Tools">
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col">Found at</th>
            <th scope="col">Set a path</th>
          </tr>
        </thead>
        <tbody>
          {tools.map((t) => (
            <tr key={t.name}>
              <td><code>{t.name}</code></td>
              <td>
                {t.path ? (
                  <>
                    <code>{t.path}</code> <span className="source">({t.source})</span>
                  </>
                ) : (
                  <span className="missing">missing: {t.install}</span>
                )}
              </td>
              <td>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void setToolPath(t.name, drafts[t.name] ?? '');
                  }}
                >
                  <input
                    aria-label={`Path to ${t.name}`}
                    placeholder="/absolute/path"
                    value={drafts[t.name] ?? ''}
                    onChange={(e) => setDrafts({ ...drafts, [t.name]: e.target.value })}
                  />
                  <button type="submit">Save</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
