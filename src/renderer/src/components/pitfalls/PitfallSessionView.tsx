import { useState } from 'react';
import Markdown from 'react-markdown';
import type { PitfallSession, QuestionView } from '../../../../shared/api';
import { usePitfallsStore } from '../../stores/pitfalls';
import { download } from '../../stores/reports';
import { lab } from '../../lab';
import { LabError } from '../../../../shared/errors';
import { EvidenceTable } from '../EvidenceTable';

const VERDICT: Record<string, string> = { this: 'This is it', 'not-this': 'Not this', inconclusive: 'Inconclusive' };
const shell = (argv: string[]) => argv.map((a) => (/^[A-Za-z0-9_./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

function QuestionForm({ q }: { q: QuestionView }) {
  const { answer } = usePitfallsStore.getState();
  const [value, setValue] = useState<string>(q.previous === undefined || q.previous === null ? '' : String(q.previous));
  const a = q.answer;
  return (
    <form
      className="question"
      aria-label={`Question: ${q.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void answer(q.nodeId, a.type === 'integer' ? Number(value) : value);
      }}
    >
      <div className="markdown">
        <Markdown>{q.question}</Markdown>
      </div>
      {q.help && (
        <details className="markdown">
          <summary>How do I find out?</summary>
          <Markdown>{q.help}</Markdown>
        </details>
      )}
      {a.type === 'choice' ? (
        <fieldset className="choices">
          <legend className="visually-hidden">{q.title}</legend>
          {a.choices.map((c) => (
            <label key={c.value}>
              <input type="radio" name={q.nodeId} value={c.value} checked={value === c.value} onChange={() => setValue(c.value)} /> {c.label}
            </label>
          ))}
        </fieldset>
      ) : (
        <label>
          {q.title}{' '}
          <input
            aria-label={q.title}
            type={a.type === 'integer' ? 'number' : 'text'}
            {...(a.type === 'integer' ? { min: a.min, max: a.max } : {})}
            value={value}
            placeholder={a.type === 'ip' ? '10.96.0.10' : ''}
            onChange={(e) => setValue(e.target.value)}
          />
          {a.type === 'integer' && a.unit ? ` ${a.unit}` : ''}
        </label>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={value === ''}>
          Answer
        </button>
        {a.type !== 'choice' && a.allowUnknown && (
          <button type="button" onClick={() => void answer(q.nodeId, null)}>
            I don’t know
          </button>
        )}
      </div>
    </form>
  );
}

/** A pitfall run: the path so far, the question it waits on, or the diagnosis with evidence and fix. */
export function PitfallSessionView({ session: s }: { session: PitfallSession }) {
  const [saving, setSaving] = useState<string | null>(null);
  const saveReport = async () => {
    try {
      const r = await lab().call('reports.create', { targetId: s.targetId, format: 'html' });
      download(r.name, r.mime, r.content);
      setSaving(`Saved ${r.name}.`);
    } catch (err) {
      setSaving(err instanceof LabError ? err.message : String(err));
    }
  };
  const d = s.diagnosis;
  return (
    <section className="card pitfall-session" aria-label={`Diagnosis: ${s.title}`}>
      <div className="card-head">
        <h2>{s.title}</h2>
        <span className="badge">
          on {s.target.kind} {s.target.name}
        </span>
      </div>
      <ol className="trail" aria-label="Path">
        {s.trail.map((t) => (
          <li key={t.nodeId} className={t.kind}>
            <strong>{t.title}</strong> — {t.outcome}
            {t.answer && <span className="muted"> (you answered {t.answer.text})</span>}
            {t.finding && <div className="muted">{t.finding.checkId}: {t.finding.summary}</div>}
            {t.observations.length > 0 && (
              <ul className="observations">
                {t.observations.map((o) => (
                  <li key={o.id}>
                    {o.title}: <code>{o.text}</code> <span className="source">{o.source}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {s.question && <QuestionForm key={s.question.nodeId} q={s.question} />}
      {d && (
        <div className={`diagnosis ${d.verdict}`} role="status" aria-label="Diagnosis">
          <p className="verdict">
            <span className={`status ${d.verdict === 'this' ? 'fail' : d.verdict === 'not-this' ? 'pass' : 'unknown'}`}>{VERDICT[d.verdict]}</span> <strong>{d.title}</strong>
          </p>
          <div className="markdown">
            <Markdown>{d.explanation}</Markdown>
          </div>
          {d.evidence.length > 0 && (
            <EvidenceTable evidence={d.evidence} label="Evidence" />
          )}
          {d.fix && (
            <div className="fix" aria-label="Fix">
              <p>
                <strong>Fix:</strong> {d.fix.text}
              </p>
              {d.fix.commands?.map((c) => (
                <div className="command" key={c.join(' ')}>
                  <code>$ {shell(c)}</code>
                  <button type="button" onClick={() => void navigator.clipboard?.writeText(shell(c)).catch(() => {})}>Copy</button>
                </div>
              ))}
              {d.fix.yaml && <pre>{d.fix.yaml}</pre>}
            </div>
          )}
          {d.references.length > 0 && (
            <ul className="refs">
              {d.references.map((r) => (
                <li key={r.url}>
                  <a href={r.url} target="_blank" rel="noreferrer noopener">
                    {r.title}
                  </a>
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button type="button" className="primary" onClick={() => void saveReport()}>
              Save report
            </button>
            {saving && <span className="muted">{saving}</span>}
          </div>
        </div>
      )}
      {s.gathered.unknown.length > 0 && (
        <details className="gathered">
          <summary>What the lab could not read here ({s.gathered.unknown.length})</summary>
          <ul>
            {s.gathered.unknown.map((u) => (
              <li key={u.key}>
                <code>{u.key}</code>: {u.reason} — {u.detail}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
