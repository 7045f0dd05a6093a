import type { Target } from '../../../shared/api';
import { useTargetsStore } from '../stores/targets';

export const targetLabel = (t: Target) =>
  t.kind === 'host' ? `Host: ${t.name}` : t.kind === 'snapshot' ? `Snapshot: ${t.name}` : `${t.kind === 'kind' ? 'kind' : 'Cluster'}: ${t.name}`;

/** The target the lab works on, shared by every page (the choice is remembered). */
export function TargetSelect({ include = () => true }: { include?: (t: Target) => boolean }) {
  const targets = useTargetsStore((s) => s.list);
  const selectedId = useTargetsStore((s) => s.selectedId);
  const { select } = useTargetsStore.getState();
  return (
    <label>
      Target{' '}
      <select aria-label="Target" value={selectedId} onChange={(e) => void select(e.target.value)}>
        {targets?.targets.filter(include).map((t) => (
          <option key={t.id} value={t.id}>
            {targetLabel(t)}
          </option>
        ))}
      </select>
    </label>
  );
}
