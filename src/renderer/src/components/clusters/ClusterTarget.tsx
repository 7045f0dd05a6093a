import type { Target } from '../../../../shared/api';
import { LabError } from '../../../../shared/errors';
import { useTargetsStore } from '../../stores/targets';
import { useTerminalStore } from '../../stores/terminal';
import { ErrorNote } from '../ErrorNote';

const QUICK = [
  { label: 'Run kubectl get nodes -o wide', args: ['get', 'nodes', '-o', 'wide'] },
  { label: 'Run kubectl get pods -n kube-system', args: ['get', 'pods', '-n', 'kube-system', '-o', 'wide'] },
];

/** Details of a kubeconfig context: where it points, how it authenticates, its connection. */
export function ClusterTarget({ target }: { target: Target }) {
  const conn = useTargetsStore((s) => s.connections[target.id]);
  const connect = useTargetsStore((s) => s.connect);
  const run = useTerminalStore((s) => s.run);
  return (
    <section className="card" aria-labelledby="target-title">
      <div className="card-head">
        <h2 id="target-title">{target.name}</h2>
        <span className="badge">{target.kind === 'kind' ? `kind cluster ${target.kindCluster}` : 'kubeconfig context'}</span>
        <button type="button" onClick={() => void connect(target.id)} disabled={conn?.state === 'connecting'}>
          {conn?.state === 'connecting' ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      <dl className="facts">
        <dt>Server</dt>
        <dd><code>{target.server ?? '—'}</code></dd>
        <dt>Cluster / user</dt>
        <dd>
          {target.clusterName ?? '—'} / {target.userName ?? '—'}
        </dd>
        <dt>Authentication</dt>
        <dd>
          {target.authKind ?? 'unknown'}
          {target.execCommand && (
            <>
              {' '}
              via <code>{target.execCommand}</code> ({target.execCommandFound ? 'found' : 'not found on PATH'})
            </>
          )}
          {target.authProvider && <> ({target.authProvider})</>}
        </dd>
        <dt>Namespace</dt>
        <dd>{target.namespace ?? 'default'}</dd>
        <dt>Defined in</dt>
        <dd><code>{target.file}</code></dd>
        <dt>Connection</dt>
        <dd data-testid="connection-state">
          {!conn && 'not checked yet'}
          {conn?.state === 'connecting' && 'connecting…'}
          {conn?.state === 'connected' && (
            <>
              connected · Kubernetes <strong>{conn.serverVersion}</strong> · /readyz {conn.ready} · {conn.elapsedMs} ms
            </>
          )}
          {conn?.state === 'error' && 'failed'}
        </dd>
      </dl>
      {conn?.state === 'error' && conn.error && <ErrorNote error={LabError.from(conn.error)} />}
      {target.problems.length > 0 && (
        <ul className="problems" aria-label="Problems">
          {target.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        {QUICK.map((q) => (
          <button key={q.label} type="button" className="primary" onClick={() => void run({ tool: 'kubectl', args: q.args, targetId: target.id, title: `${q.label.replace(/^Run /, '')} (${target.name})` })}>
            {q.label}
          </button>
        ))}
      </div>
      <p className="source">Commands run with this context’s kubeconfig and --context, never the current-context.</p>
    </section>
  );
}
