import { useTargetsStore } from '../../stores/targets';
import { useKindStore } from '../../stores/kind';
import { ErrorNote } from '../ErrorNote';

const statusIcon: Record<string, string> = { pass: '✔', warn: '▲', fail: '✖', unknown: '?' };

/** kind lifecycle: preflight, a generated config shown before it runs, create, delete, export. */
export function KindPanel() {
  const o = useKindStore((s) => s.options);
  const preflight = useKindStore((s) => s.preflight);
  const plan = useKindStore((s) => s.plan);
  const error = useKindStore((s) => s.error);
  const busy = useKindStore((s) => s.busy);
  const { setOptions, runPreflight, makePlan, create, remove, exportKubeconfig } = useKindStore.getState();
  const list = useTargetsStore((s) => s.list);
  const kindTargets = list?.targets.filter((t) => t.kind === 'kind') ?? [];
  return (
    <section className="card" aria-labelledby="kind-title">
      <div className="card-head">
        <h2 id="kind-title">kind lab clusters</h2>
      </div>
      <p className="muted">A local cluster ready for Cilium: kind runs Kubernetes nodes as containers (docker or podman).</p>
      <form
        className="kind-form"
        aria-label="New kind cluster"
        onSubmit={(e) => {
          e.preventDefault();
          void makePlan();
        }}
      >
        <label>
          Name <input value={o.name} onChange={(e) => setOptions({ name: e.target.value })} />
        </label>
        <label>
          Workers{' '}
          <input type="number" min={0} max={8} value={o.workers} onChange={(e) => setOptions({ workers: Number(e.target.value) })} />
        </label>
        <label>
          <input type="checkbox" checked={o.disableDefaultCNI} onChange={(e) => setOptions({ disableDefaultCNI: e.target.checked })} /> Disable the default CNI (for Cilium)
        </label>
        <label>
          kube-proxy{' '}
          <select value={o.kubeProxyMode} onChange={(e) => setOptions({ kubeProxyMode: e.target.value as typeof o.kubeProxyMode })}>
            <option value="none">none (Cilium replaces it)</option>
            <option value="iptables">iptables</option>
            <option value="ipvs">ipvs</option>
            <option value="nftables">nftables</option>
          </select>
        </label>
        <label>
          Pod subnet <input value={o.podSubnet} onChange={(e) => setOptions({ podSubnet: e.target.value })} />
        </label>
        <label>
          Service subnet <input value={o.serviceSubnet} onChange={(e) => setOptions({ serviceSubnet: e.target.value })} />
        </label>
        <div className="actions">
          <button type="button" onClick={() => void runPreflight()} disabled={busy}>
            {busy ? 'Checking…' : 'Check preflight'}
          </button>
          <button type="submit">Show config</button>
          <button type="button" className="primary" disabled={!plan} onClick={() => void create()} title={plan ? undefined : 'Show the config first'}>
            Run kind create cluster
          </button>
        </div>
      </form>
      {error && <ErrorNote error={error} />}
      {preflight && (
        <ul className="checklist" aria-label="kind preflight">
          {preflight.map((c) => (
            <li key={c.id} className={c.status}>
              <span aria-hidden="true">{statusIcon[c.status]}</span> <strong>{c.title}</strong>: {c.detail}
              {c.fix && <div className="fix">Fix: <code>{c.fix}</code></div>}
            </li>
          ))}
        </ul>
      )}
      {plan && (
        <div className="plan">
          <p>
            Written to <code>{plan.configPath}</code>; the context goes into <code>{plan.kubeconfig}</code>. Command:
          </p>
          <pre aria-label="kind create command">{plan.argv.join(' ')}</pre>
          <pre aria-label="kind config">{plan.yaml}</pre>
        </div>
      )}
      {(kindTargets.length > 0 || (list?.kindWithoutContext.length ?? 0) > 0) && (
        <table className="grid" aria-label="kind clusters">
          <tbody>
            {kindTargets.map((t) => (
              <tr key={t.id}>
                <td>{t.kindCluster}</td>
                <td>
                  <button type="button" onClick={() => window.confirm(`Delete kind cluster ${t.kindCluster}?`) && void remove(t.kindCluster!)}>
                    Run kind delete cluster
                  </button>
                </td>
              </tr>
            ))}
            {list?.kindWithoutContext.map((k) => (
              <tr key={k}>
                <td>{k} (no context)</td>
                <td>
                  <button type="button" onClick={() => void exportKubeconfig(k)}>
                    Run kind export kubeconfig
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
