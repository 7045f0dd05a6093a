import { useEffect } from 'react';
import Markdown from 'react-markdown';
import { Recommender } from '../components/recommend/Recommender';
import { ErrorNote } from '../components/ErrorNote';
import { TargetSelect } from '../components/TargetSelect';
import { PitfallSessionView } from '../components/pitfalls/PitfallSessionView';
import { usePitfallsStore } from '../stores/pitfalls';
import { useTargetsStore } from '../stores/targets';

const VERDICT: Record<string, string> = { this: 'found', 'not-this': 'ruled out', inconclusive: 'inconclusive' };

export function WalkthroughsPage() {
  const list = usePitfallsStore((s) => s.list);
  const session = usePitfallsStore((s) => s.session);
  const busy = usePitfallsStore((s) => s.busy);
  const error = usePitfallsStore((s) => s.error);
  const targetId = useTargetsStore((s) => s.selectedId);
  const targets = useTargetsStore((s) => s.list);
  const results = usePitfallsStore((s) => s.results[targetId]);
  const { load, start } = usePitfallsStore.getState();
  useEffect(() => {
    if (!targets) void useTargetsStore.getState().load();
  }, [targets]);
  useEffect(() => {
    void load(targetId);
  }, [targetId, load]);

  return (
    <div className="page">
      <h1>Walkthroughs</h1>
      <p className="lede">Diagnose the classic failures step by step — on a live cluster or a snapshot — and decide which setup to start from.</p>
      <div className="toolbar" role="group" aria-label="Diagnosis target">
        <TargetSelect />
      </div>
      {targetId === 'host' && <p className="notice">Diagnoses read a cluster: pick a kubeconfig context or a snapshot (the demo snapshots work offline).</p>}
      {error && <ErrorNote error={error} />}
      {session && <PitfallSessionView session={session} />}
      <section aria-labelledby="pitfalls-title">
        <h2 id="pitfalls-title">Pitfalls</h2>
        <ul className="pitfall-list" aria-label="Pitfalls">
          {list.map((p) => {
            const last = results?.find((r) => r.pitfallId === p.id);
            return (
              <li key={p.id} className="card" aria-label={p.title}>
                <div className="card-head">
                  <h3>{p.title}</h3>
                  <span className="badge">{p.category}</span>
                  {last?.diagnosis && <span className={`status ${last.diagnosis.verdict === 'this' ? 'fail' : last.diagnosis.verdict === 'not-this' ? 'pass' : 'unknown'}`}>{VERDICT[last.diagnosis.verdict]}</span>}
                </div>
                <div className="markdown">
                  <Markdown>{p.summary}</Markdown>
                </div>
                <button type="button" className="primary" disabled={busy || targetId === 'host'} onClick={() => void start(p.id, targetId)}>
                  Run diagnosis
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      <Recommender />
    </div>
  );
}
