import type { Target } from '../../../../shared/api';
import { useAppStore } from '../../stores/app';
import { useTargetsStore } from '../../stores/targets';

/**
 * The demo snapshots shipped with the lab: a healthy kind cluster with Cilium
 * and one per classic pitfall. They open with no network and no kubeconfig.
 */
export function DemoSnapshots({ demos, prominent }: { demos: Target[]; prominent: boolean }) {
  const selectedId = useTargetsStore((s) => s.selectedId);
  const { select } = useTargetsStore.getState();
  const go = useAppStore((s) => s.go);
  if (!demos.length) return null;
  return (
    <section className={`card demos${prominent ? ' prominent' : ''}`} aria-labelledby="demos-title">
      <h2 id="demos-title">{prominent ? 'No cluster at hand? Open a demo' : 'Demo snapshots'}</h2>
      <p className="muted">Snapshots captured from real clusters, secrets removed. Checks, walkthroughs, policies and reports work on them offline.</p>
      <ul className="demo-list" aria-label="Demo snapshots">
        {demos.map((d) => (
          <li key={d.id} aria-label={d.name}>
            <div>
              <strong>{d.name}</strong>
              {d.description && <p className="muted">{d.description}</p>}
            </div>
            <div className="row-actions">
              <button type="button" aria-pressed={d.id === selectedId} onClick={() => void select(d.id)} aria-label={`Open demo ${d.name}`}>
                {d.id === selectedId ? 'Open' : 'Open demo'}
              </button>
              <button type="button" onClick={() => void select(d.id).then(() => go('walkthroughs'))} aria-label={`Diagnose ${d.name}`}>
                Diagnose
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
