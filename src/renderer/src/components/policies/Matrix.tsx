import { useMemo, useState } from 'react';
import type { PolicyAnalysisResult } from '../../../../shared/api';

const short = (id: string) => id.replace(/\[(\w+)\]$/, '');
const nsOf = (id: string) => (/^[\d.:]/.test(id) || id.startsWith('fqdn:') ? 'external' : id.split('/')[0]!);

/**
 * Who can reach whom: namespace by namespace (how many workload pairs are
 * allowed), then workload by workload for the namespaces picked.
 */
export function Matrix({ analysis }: { analysis: PolicyAnalysisResult }) {
  const [pick, setPick] = useState<{ src: string; dst: string } | null>(null);
  const allowed = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of analysis.connections) m.set(`${c.src}\u0000${c.dst}`, c.text);
    return m;
  }, [analysis]);
  const nsNames = useMemo(() => [...new Set([...analysis.namespaces.filter((n) => analysis.workloads.some((w) => w.namespace === n)), ...(analysis.connections.some((c) => nsOf(c.src) === 'external' || nsOf(c.dst) === 'external') ? ['external'] : [])])], [analysis]);
  const nsCount = (a: string, b: string) => analysis.connections.filter((c) => nsOf(c.src) === a && nsOf(c.dst) === b).length;

  // Start on the namespace with the most workloads (the application, not kube-system).
  const busiest = [...nsNames].filter((n) => n !== 'external').sort((a, b) => analysis.workloads.filter((w) => w.namespace === b).length - analysis.workloads.filter((w) => w.namespace === a).length)[0];
  const sel = pick ?? (busiest ? { src: busiest, dst: busiest } : null);
  const peersOf = (ns: string) =>
    ns === 'external'
      ? [...new Set(analysis.connections.flatMap((c) => [c.src, c.dst]).filter((p) => nsOf(p) === 'external'))].sort()
      : analysis.workloads.filter((w) => w.namespace === ns).map((w) => w.id);
  const rows = sel ? peersOf(sel.src) : [];
  const cols = sel ? peersOf(sel.dst) : [];

  return (
    <div className="matrix">
      <table className="grid matrix-ns" aria-label="Connectivity by namespace">
        <caption>Allowed workload pairs, by namespace (source row → destination column). Pick a cell for the workloads.</caption>
        <thead>
          <tr>
            <th scope="col">from \ to</th>
            {nsNames.map((n) => (
              <th scope="col" key={n}>{n}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {nsNames.map((a) => (
            <tr key={a}>
              <th scope="row">{a}</th>
              {nsNames.map((b) => {
                const n = nsCount(a, b);
                const on = sel?.src === a && sel?.dst === b;
                return (
                  <td key={b} className={`${n ? 'some' : 'none'}${on ? ' picked' : ''}`}>
                    <button type="button" aria-label={`${a} to ${b}: ${n} allowed`} aria-pressed={on} onClick={() => setPick({ src: a, dst: b })}>
                      {n || '·'}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {sel && (
        <table className="grid matrix-wl" aria-label={`Connectivity from ${sel.src} to ${sel.dst}`}>
          <caption>
            {sel.src} → {sel.dst}: what each workload may open (— denied)
          </caption>
          <thead>
            <tr>
              <th scope="col">from \ to</th>
              {cols.map((c) => (
                <th scope="col" key={c} title={c}>{short(c)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r}>
                <th scope="row" title={r}>{short(r)}</th>
                {cols.map((c) => {
                  const t = r === c ? null : allowed.get(`${r}\u0000${c}`);
                  return (
                    <td key={c} className={r === c ? 'self' : t ? 'allowed' : 'denied'} data-src={r} data-dst={c}>
                      {r === c ? '' : (t ?? '—')}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
