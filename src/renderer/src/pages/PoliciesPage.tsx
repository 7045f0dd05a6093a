import { useEffect, useMemo } from 'react';
import { usePoliciesStore } from '../stores/policies';
import { useTargetsStore } from '../stores/targets';
import { ErrorNote } from '../components/ErrorNote';
import { Matrix } from '../components/policies/Matrix';
import { YamlEditor, type LineIssue } from '../components/policies/YamlEditor';

function TraceForm() {
  const t = usePoliciesStore((s) => s.trace);
  const result = usePoliciesStore((s) => s.traceResult);
  const error = usePoliciesStore((s) => s.traceError);
  const analysis = usePoliciesStore((s) => s.analysis);
  const { setTrace, runTrace } = usePoliciesStore.getState();
  const peers = analysis?.workloads.map((w) => w.id) ?? [];
  return (
    <section className="card" aria-labelledby="trace-title">
      <h2 id="trace-title">Trace a connection</h2>
      <form
        className="trace-form"
        aria-label="Trace"
        onSubmit={(e) => {
          e.preventDefault();
          void runTrace();
        }}
      >
        <datalist id="peers">
          {peers.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <label>
          From <input list="peers" value={t.src} onChange={(e) => setTrace({ src: e.target.value })} />
        </label>
        <label>
          To <input list="peers" value={t.dst} onChange={(e) => setTrace({ dst: e.target.value })} />
        </label>
        <label>
          Protocol{' '}
          <select value={t.protocol} onChange={(e) => setTrace({ protocol: e.target.value as 'TCP' })}>
            <option>TCP</option>
            <option>UDP</option>
            <option>SCTP</option>
          </select>
        </label>
        <label>
          Port <input type="number" min={1} max={65535} value={t.port} onChange={(e) => setTrace({ port: Number(e.target.value) })} />
        </label>
        <label>
          HTTP method <input value={t.method} placeholder="optional" onChange={(e) => setTrace({ method: e.target.value })} />
        </label>
        <label>
          Path <input value={t.path} placeholder="optional" onChange={(e) => setTrace({ path: e.target.value })} />
        </label>
        <button type="submit" className="primary">Run trace</button>
      </form>
      {error && <ErrorNote error={error} />}
      {result && (
        <div className={`trace-result ${result.allowed ? 'allowed' : 'denied'}`} role="status" aria-label="Trace result">
          <p className="verdict">
            <strong>{result.allowed ? 'Allowed' : 'Denied'}</strong>: {result.reason.replace(/^(allowed|denied): /, '')}
          </p>
          {[result.egress, result.ingress].map((d) => (
            <div key={d.direction} className="direction">
              <strong>
                {d.direction} of {d.of}
              </strong>
              : {d.verdict.replace(/-/g, ' ')} — {d.reason}
              <ul>
                {d.allowedBy.map((r) => (
                  <li key={r.text}>
                    allowed by <code>{r.text}</code> ({r.conn}){r.line ? ` — ${r.file}:${r.line}` : ''}
                  </li>
                ))}
                {d.deniedBy.map((r) => (
                  <li key={r.text} className="denied">
                    denied by <code>{r.text}</code> ({r.conn}){r.line ? ` — ${r.file}:${r.line}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {result.l7 && <p>L7: {result.l7.reason}</p>}
          {result.notes.map((n) => (
            <p key={n} className="muted">{n}</p>
          ))}
        </div>
      )}
    </section>
  );
}

export function PoliciesPage() {
  const docs = usePoliciesStore((s) => s.docs);
  const active = usePoliciesStore((s) => s.active);
  const analysis = usePoliciesStore((s) => s.analysis);
  const analyzing = usePoliciesStore((s) => s.analyzing);
  const error = usePoliciesStore((s) => s.error);
  const targetId = usePoliciesStore((s) => s.targetId);
  const { loadExamples, edit, setActive, setTarget, analyze, apply } = usePoliciesStore.getState();
  const targets = useTargetsStore((s) => s.list);
  const selectedTargetId = useTargetsStore((s) => s.selectedId);
  useEffect(() => {
    void loadExamples();
    if (!targets) void useTargetsStore.getState().load();
  }, [loadExamples, targets]);

  const doc = docs[active];
  const issues: LineIssue[] = useMemo(
    () => [
      ...(analysis?.issues ?? []).filter((i) => i.file === doc?.name && i.line).map((i) => ({ line: i.line!, severity: i.severity, message: i.message })),
      // Input problems come from the issues above; lint repeats them as parse-error.
      ...(analysis?.lint ?? []).filter((i) => i.id !== 'parse-error' && i.file === doc?.name && i.line).map((i) => ({ line: i.line!, severity: i.severity, message: `${i.id}: ${i.message}` })),
    ],
    [analysis, doc?.name],
  );
  const clusterTargets = targets?.targets.filter((t) => t.kind === 'cluster' || t.kind === 'kind') ?? [];
  const applyTarget = clusterTargets.find((t) => t.id === selectedTargetId) ?? clusterTargets[0];

  return (
    <div className="page">
      <h1>Policies</h1>
      <p className="lede">Who can reach whom, on which ports, and which rule decides — before anything is applied. Kubernetes NetworkPolicy and Cilium policies, analyzed offline.</p>
      {error && <ErrorNote error={error} />}
      <div className="policy-layout">
        <section className="card editor-card" aria-labelledby="editor-title">
          <div className="card-head">
            <h2 id="editor-title">Documents</h2>
            <span className="muted">{analyzing ? 'analyzing…' : analysis ? `${analysis.policies} policies, ${analysis.workloads.length} workloads · ${analysis.elapsedMs} ms` : ''}</span>
          </div>
          <div role="tablist" aria-label="Documents" className="doc-tabs">
            {docs.map((d, i) => (
              <button key={d.name} role="tab" type="button" aria-selected={i === active} onClick={() => setActive(i)}>
                {d.name}
              </button>
            ))}
          </div>
          {doc && <YamlEditor key={doc.name} docKey={doc.name} label={`YAML editor: ${doc.name}`} value={doc.content} onChange={(v) => edit(active, v)} issues={issues} />}
          <label className="source-pick">
            Also read workloads and policies from{' '}
            <select value={targetId} onChange={(e) => setTarget(e.target.value)}>
              <option value="">no target (documents only)</option>
              {targets?.targets
                .filter((t) => t.kind !== 'host')
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.kind === 'snapshot' ? `snapshot: ${t.name}` : t.name}
                  </option>
                ))}
            </select>
          </label>
          {targetId && (
            <button type="button" onClick={() => void analyze(true)}>
              Reload from target
            </button>
          )}
        </section>
        <div className="policy-side">
          <section className="card" aria-labelledby="lint-title">
            <h2 id="lint-title">Problems and lint</h2>
            {analysis && analysis.lint.length === 0 && <p className="muted">No problems found.</p>}
            {/* Lint includes the input's own problems (parse-error), with file and line. */}
            <ul className="lint" aria-label="Lint findings">
              {analysis?.lint.map((f, k) => (
                <li key={`l${k}`} className={f.severity}>
                  <strong>{f.id}</strong> {f.message}
                  {f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}
                </li>
              ))}
            </ul>
          </section>
          <TraceForm />
        </div>
      </div>
      {analysis && (
        <section className="card" aria-labelledby="matrix-title">
          <h2 id="matrix-title">Connectivity matrix</h2>
          <Matrix analysis={analysis} />
        </section>
      )}
      <section className="card" aria-labelledby="apply-title">
        <h2 id="apply-title">Apply to a cluster</h2>
        {applyTarget ? (
          <>
            <p className="muted">
              Applies the document on screen ({doc?.name}) to <strong>{applyTarget.name}</strong> with kubectl, its kubeconfig and --context. See the diff first.
            </p>
            <div className="actions">
              <button type="button" onClick={() => void apply(applyTarget.id, 'diff')}>
                Run kubectl diff
              </button>
              <button type="button" className="primary" onClick={() => window.confirm(`Apply ${doc?.name} to ${applyTarget.name}?`) && void apply(applyTarget.id, 'apply')}>
                Run kubectl apply
              </button>
            </div>
          </>
        ) : (
          <p className="muted">No cluster target: add a kubeconfig context on the Clusters page.</p>
        )}
      </section>
    </div>
  );
}
