import { useEffect, useState } from 'react';
import type { Recommendation, RecommendAnswers, RecommendQuestion } from '../../../../shared/api';
import { LabError } from '../../../../shared/errors';
import { lab } from '../../lab';
import { download } from '../../stores/reports';
import { useTargetsStore } from '../../stores/targets';
import { ErrorNote } from '../ErrorNote';

const shell = (argv: string[]) => argv.map((a) => (/^[A-Za-z0-9_./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** Which CNI and data plane to start from: facts of the selected target plus four answers. */
export function Recommender() {
  const [questions, setQuestions] = useState<RecommendQuestion[]>([]);
  const [answers, setAnswers] = useState<RecommendAnswers>({ audit: false, multiCloud: false, latencySensitive: false, egressByDns: false });
  const [result, setResult] = useState<Recommendation | null>(null);
  const [error, setError] = useState<LabError | null>(null);
  const [busy, setBusy] = useState(false);
  const targetId = useTargetsStore((s) => s.selectedId);
  const target = useTargetsStore((s) => s.list?.targets.find((t) => t.id === s.selectedId));
  useEffect(() => {
    void lab().call('recommend.questions', {}).then(setQuestions, () => {});
  }, []);
  const run = async () => {
    setBusy(true);
    try {
      setResult(await lab().call('recommend.run', { targetId, answers }));
      setError(null);
    } catch (err) {
      setError(LabError.of(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="rec-title">
      <h2 id="rec-title">Which setup should I start from?</h2>
      <p className="muted">From what the lab reads on {target ? <strong>{target.name}</strong> : 'the selected target'} (nodes, pods, kernels, current CNI) and four answers.</p>
      <form
        className="rec-form"
        aria-label="Recommender questions"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        {questions.map((q) => (
          <label key={q.id} title={q.help}>
            <input type="checkbox" checked={answers[q.id]} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.checked })} /> {q.label}
          </label>
        ))}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Reading the target…' : 'Run recommendation'}
        </button>
      </form>
      {error && <ErrorNote error={error} />}
      {result && (
        <div className="recommendation" role="status" aria-label="Recommendation">
          <h3>{result.title}</h3>
          <p>{result.summary}</p>
          <h4>Why</h4>
          <ul>
            {result.reasons.map((r) => (
              <li key={r.text}>
                <span className="badge">{r.input}</span> {r.text}
              </li>
            ))}
          </ul>
          <h4>Trade-offs</h4>
          <ul>
            {result.tradeOffs.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
          {result.caveats.length > 0 && (
            <>
              <h4>Before you install</h4>
              <ul>
                {result.caveats.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ul>
            </>
          )}
          {result.unmet.length > 0 && (
            <>
              <h4>Not met by this choice</h4>
              <ul>
                {result.unmet.map((u) => (
                  <li key={u.text}>{u.text}</li>
                ))}
              </ul>
            </>
          )}
          <h4>Alternatives</h4>
          <ul>
            {result.alternatives.map((a) => (
              <li key={a.choice}>
                <strong>{a.title}</strong>: {a.why}
              </li>
            ))}
          </ul>
          <h4>Start from {result.values.fileName}</h4>
          <pre aria-label={result.values.fileName}>{result.values.yaml}</pre>
          <div className="actions">
            <button type="button" onClick={() => download(result.values.fileName, 'application/yaml', result.values.yaml)}>
              Save {result.values.fileName}
            </button>
          </div>
          {result.values.commands.map((c) => (
            <pre key={c.join(' ')}>$ {shell(c)}</pre>
          ))}
        </div>
      )}
    </section>
  );
}
