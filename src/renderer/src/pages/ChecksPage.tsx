import { useEffect, useMemo } from 'react';
import { useChecksStore, targetRun } from '../stores/checks';
import { selectedTarget, useTargetsStore } from '../stores/targets';
import { ErrorNote } from '../components/ErrorNote';
import { TargetSelect } from '../components/TargetSelect';
import { FindingCard } from '../components/checks/FindingCard';

const CATEGORIES: [string, string][] = [
  ['kernel', 'Kernel'],
  ['network', 'Network and MTU'],
  ['ipam', 'IP address management'],
  ['services', 'Services and kube-proxy'],
  ['dns', 'DNS'],
  ['cni', 'CNI'],
];
const CILIUM_VERSIONS = ['1.20', '1.19', '1.18', '1.17', '1.16', '1.15', '1.14'];

export function ChecksPage() {
  const list = useTargetsStore((s) => s.list);
  const selectedId = useTargetsStore((s) => s.selectedId);
  const target = useTargetsStore(selectedTarget);
  const checks = useChecksStore((s) => s.checks);
  const run = useChecksStore(useMemo(() => targetRun(selectedId), [selectedId]));
  const ciliumVersion = useChecksStore((s) => s.ciliumVersion);
  const debugPods = useChecksStore((s) => s.debugPods[selectedId] === true);
  const debugPodYaml = useChecksStore((s) => s.debugPodYaml);
  const captured = useChecksStore((s) => s.captured);
  const { load, run: start, cancel, setCiliumVersion, previewDebugPod, setDebugPods, capture } = useChecksStore.getState();
  const { load: loadTargets } = useTargetsStore.getState();

  useEffect(() => {
    if (!list) void loadTargets();
  }, [list, loadTargets]);
  useEffect(() => {
    void load(selectedId);
  }, [selectedId, load]);

  const running = run.runId !== null;
  const checkState = (needs: string[]) => {
    if (!running) return null;
    const states = needs.map((k) => run.progress[k]);
    if (states.every((s) => s === 'done' || s === 'unknown')) return 'facts gathered';
    if (states.some((s) => s)) return 'gathering…';
    return 'waiting';
  };
  const findings = run.result?.findings ?? [];
  const counts = findings.reduce<Record<string, number>>((a, f) => ({ ...a, [f.status]: (a[f.status] ?? 0) + 1 }), {});
  const canRunFixes = target?.kind === 'cluster' || target?.kind === 'kind';

  return (
    <div className="page">
      <h1>Checks</h1>
      <p className="lede">Is this target ready for an eBPF dataplane, and what is wrong with it? Every verdict comes with its evidence and a fix.</p>
      <div className="toolbar" role="group" aria-label="Check options">
        <TargetSelect />
        <label>
          Cilium version{' '}
          <select value={ciliumVersion} onChange={(e) => setCiliumVersion(e.target.value)}>
            <option value="">installed (or newest)</option>
            {CILIUM_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" disabled={running} onClick={() => void start(selectedId)}>
          {running ? 'Running…' : run.result ? 'Run all checks again' : 'Run all checks'}
        </button>
        {running && (
          <button type="button" className="danger" onClick={() => void cancel(selectedId)}>
            Cancel
          </button>
        )}
        {target && target.kind !== 'snapshot' && (
          <button
            type="button"
            onClick={() => {
              const name = `${target.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+/, '')}-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}`;
              void capture(selectedId, name);
            }}
          >
            Capture snapshot
          </button>
        )}
      </div>
      {captured && <p className="notice" role="status">{captured}</p>}
      {target?.kind === 'cluster' && (
        <div className="debug-pods">
          <label>
            <input
              type="checkbox"
              checked={debugPods}
              onChange={(e) => (e.target.checked ? void previewDebugPod(selectedId) : setDebugPods(selectedId, false))}
            />{' '}
            Read node facts (kernel config, BTF, interfaces) with a short-lived debug pod per node
          </label>
          {debugPodYaml && !debugPods && (
            <div className="consent" role="dialog" aria-label="Debug pod manifest">
              <p>The lab will create this pod on each node (at most 20), read its output, and delete it. It mounts /proc, /sys, /boot and /lib/modules read-only.</p>
              <pre>{debugPodYaml}</pre>
              <div className="actions">
                <button type="button" className="primary" onClick={() => setDebugPods(selectedId, true)}>
                  I agree: use debug pods
                </button>
                <button type="button" onClick={() => useChecksStore.setState({ debugPodYaml: null })}>
                  No
                </button>
              </div>
            </div>
          )}
        </div>
      )}
      {run.error && <ErrorNote error={run.error} />}
      <table className="grid checklist-table" aria-label="Checks">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Category</th>
            <th scope="col">Result</th>
            <th scope="col"><span className="visually-hidden">Run</span></th>
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => {
            const f = findings.find((x) => x.checkId === c.id);
            const st = checkState(c.needs);
            return (
              <tr key={c.id}>
                <th scope="row">
                  {c.title} <code className="check-id">{c.id}</code>
                </th>
                <td>{c.category}</td>
                <td>{st ?? (f ? <span className={`status ${f.status}`}>{f.status}</span> : <span className="muted">not run</span>)}</td>
                <td>
                  <button type="button" disabled={running} onClick={() => void start(selectedId, [c.id])} aria-label={`Run ${c.id}`}>
                    Run
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {run.result && (
        <>
          <p className="run-summary" role="status">
            {run.result.target.kind} {run.result.target.name}
            {run.result.target.serverVersion ? ` (Kubernetes ${run.result.target.serverVersion})` : ''}: {counts.fail ?? 0} failed, {counts.warn ?? 0} warnings, {counts.unknown ?? 0} unknown, {counts.pass ?? 0} passed,{' '}
            {counts['not-applicable'] ?? 0} not applicable · {new Date(run.result.startedAt).toLocaleString()} · {(run.result.durationMs / 1000).toFixed(1)} s
          </p>
          {CATEGORIES.map(([cat, title]) => {
            const inCat = findings.filter((f) => f.category === cat);
            if (!inCat.length) return null;
            return (
              <section key={cat} aria-labelledby={`cat-${cat}`} className="category">
                <h2 id={`cat-${cat}`}>{title}</h2>
                {inCat.map((f) => (
                  <FindingCard key={f.checkId} finding={f} targetId={selectedId} canRun={canRunFixes} />
                ))}
              </section>
            );
          })}
        </>
      )}
    </div>
  );
}
