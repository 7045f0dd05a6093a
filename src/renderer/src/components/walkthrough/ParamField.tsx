import type { Parameter } from '../../../../shared/api';

/** One walkthrough parameter as a form field; values are validated by the engine. */
export function ParamField({ param: p, value, onChange }: { param: Parameter; value: unknown; onChange: (v: string | number | boolean | undefined) => void }) {
  const label = `${p.title}${p.optional ? ' (optional)' : ''}`;
  if (p.type === 'boolean') {
    return (
      <label className="param">
        <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {label}
      </label>
    );
  }
  if (p.type === 'integer') {
    return (
      <label className="param">
        {label}{' '}
        <input type="number" min={p.min} max={p.max} value={typeof value === 'number' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
      </label>
    );
  }
  if (p.type === 'string' && p.enum) {
    return (
      <label className="param">
        {label}{' '}
        <select value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)}>
          {p.optional && <option value="">—</option>}
          {p.enum.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (p.type === 'cilium-values') return null;
  const placeholder = p.type === 'file' ? '/absolute/path' : p.type === 'cidr' ? '10.0.0.0/16' : p.type === 'version' ? '1.18.6' : '';
  return (
    <label className="param" title={p.description}>
      {label}{' '}
      <input value={typeof value === 'string' ? value : ''} placeholder={placeholder} onChange={(e) => onChange(e.target.value || undefined)} />
    </label>
  );
}
