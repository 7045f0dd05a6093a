import { useEffect } from 'react';
import { useHostStore } from '../../stores/host';
import { useTerminalStore } from '../../stores/terminal';
import { ErrorNote } from '../ErrorNote';
import { FactView } from '../FactView';

const HOST_COMMANDS = [
  { label: 'Run uname -a', tool: 'uname', args: ['-a'] },
  { label: 'Run ip -d link', tool: 'ip', args: ['-d', 'link'] },
] as const;

export function HostTarget() {
  const facts = useHostStore((s) => s.facts);
  const loading = useHostStore((s) => s.loading);
  const error = useHostStore((s) => s.error);
  const load = useHostStore((s) => s.load);
  const run = useTerminalStore((s) => s.run);
  useEffect(() => {
    if (!facts) void load();
  }, [facts, load]);

  return (
    <section className="card" aria-labelledby="host-title">
      <div className="card-head">
        <h2 id="host-title">Host{facts ? `: ${facts.hostname}` : ''}</h2>
        <span className="badge">this machine</span>
        <button type="button" onClick={() => void load()} disabled={loading}>
          {loading ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">What the lab reads from this machine. kind nodes share this kernel.</p>
      {error && <ErrorNote error={error} />}
      {facts && (
        <>
          <dl className="facts">
            <dt>Kernel release</dt>
            <dd data-testid="kernel-release">
              <FactView fact={facts.kernelRelease} render={(v) => <code>{v}</code>} />
            </dd>
            <dt>Kernel BTF</dt>
            <dd data-testid="kernel-btf">
              <FactView
                fact={facts.btf}
                render={(v) => (v.present ? <>present at <code>{v.path}</code></> : <>not found in {v.searched.length} paths</>)}
              />
            </dd>
          </dl>
          <h3>Network interfaces</h3>
          {facts.interfaces.state === 'unknown' ? (
            <FactView fact={facts.interfaces} render={() => null} />
          ) : (
            <table className="grid" aria-label="Network interfaces">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">MTU</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {facts.interfaces.value.map((i) => (
                  <tr key={i.name}>
                    <td><code>{i.name}</code></td>
                    <td>{i.kind}</td>
                    <td className="num">{i.mtu}</td>
                    <td>{i.state}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {facts.interfaces.state === 'known' && <p className="source">from {facts.interfaces.source}</p>}
        </>
      )}
      <div className="actions">
        {HOST_COMMANDS.map((c) => (
          <button key={c.label} type="button" className="primary" onClick={() => void run({ tool: c.tool, args: [...c.args], targetId: 'host', title: c.label.replace(/^Run /, '') })}>
            {c.label}
          </button>
        ))}
      </div>
    </section>
  );
}
