import { useEffect, useMemo, useState } from 'react';
import Markdown from 'react-markdown';
import type { Step, StepProgress, Walkthrough } from '../../../../shared/api';
import { stepKey, useWalkthroughStore } from '../../stores/walkthrough';
import { ErrorNote } from '../ErrorNote';
import { ParamField } from './ParamField';
import { ValuesEditor } from './ValuesEditor';

const STATE_TEXT: Record<string, string> = { 'not-started': 'not started', running: 'running', passed: 'passed', failed: 'failed', skipped: 'skipped' };

/** The parameters a step refers to (placeholders and conditions anywhere in it). */
function paramsOf(step: Step, def: Walkthrough): string[] {
  const text = JSON.stringify(step);
  const names = new Set<string>();
  for (const m of text.matchAll(/\{\{\s*([a-zA-Z][a-zA-Z0-9]*)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/"param":"([a-zA-Z][a-zA-Z0-9]*)/g)) names.add(m[1]!);
  return def.parameters.filter((p) => names.has(p.name)).map((p) => p.name);
}

function whenHolds(when: unknown, values: Record<string, unknown>): boolean {
  if (!when) return true;
  const list = Array.isArray(when) ? when : [when];
  return list.every((w: { param: string; equals?: unknown; in?: unknown[]; set?: boolean }) => {
    const v = w.param.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), values);
    if (w.equals !== undefined) return v === w.equals;
    if (w.in) return w.in.includes(v);
    return (v !== undefined && v !== '') === w.set;
  });
}

export function StepView({ def, step, index, progress, targetId, open, onToggle }: { def: Walkthrough; step: Step; index: number; progress: StepProgress | undefined; targetId: string; open: boolean; onToggle: () => void }) {
  const params = useWalkthroughStore((s) => s.params[def.id]);
  const plan = useWalkthroughStore((s) => s.plans[stepKey(def.id, step.id)]);
  const planError = useWalkthroughStore((s) => s.planErrors[stepKey(def.id, step.id)]);
  const activity = useWalkthroughStore((s) => s.activity[stepKey(def.id, step.id)]);
  const { setParam, plan: makePlan, act, cancel, skip, reset } = useWalkthroughStore.getState();
  const [skipReason, setSkipReason] = useState('');
  const [skipping, setSkipping] = useState(false);
  const state = progress?.state ?? 'not-started';
  const running = state === 'running';
  const names = useMemo(() => paramsOf(step, def), [step, def]);
  const valuesParam = def.parameters.find((p) => p.type === 'cilium-values' && names.includes(p.name));

  // The plan follows the parameters while the step is open.
  useEffect(() => {
    if (!open) return;
    const t = setTimeout(() => void makePlan(def.id, step.id, targetId), 300);
    return () => clearTimeout(t);
  }, [open, params, targetId, def.id, step.id, makePlan]);

  return (
    <li className={`step ${state}`} aria-label={step.title}>
      <div className="step-head">
        <button type="button" className="step-toggle" aria-expanded={open} onClick={onToggle}>
          <span className="step-no">{index}.</span> {step.title}
        </button>
        <span className={`step-state ${state}`} data-testid="step-state">
          {STATE_TEXT[state]}
        </span>
      </div>
      {progress?.reason && state !== 'passed' && <p className="step-reason">{progress.reason}</p>}
      {open && (
        <div className="step-body">
          <div className="markdown">
            <Markdown>{step.explanation}</Markdown>
          </div>
          {names.length > 0 && (
            <div className="params" role="group" aria-label={`Parameters of ${step.title}`}>
              {names.map((n) => {
                const p = def.parameters.find((x) => x.name === n)!;
                if (p.when && !whenHolds(p.when, params ?? {})) return null;
                return <ParamField key={n} param={p} value={params?.[n]} onChange={(v) => setParam(def.id, n, v)} />;
              })}
            </div>
          )}
          {valuesParam && <ValuesEditor walkthroughId={def.id} name={valuesParam.name} targetId={targetId} />}
          {planError && <ErrorNote error={planError} />}
          {plan && (
            <details className="plan" open={!!plan.blocked}>
              <summary>What this step will do ({plan.commands.length} commands{plan.files.length ? `, ${plan.files.length} files` : ''})</summary>
              {plan.blocked && <ErrorNote error={{ ...plan.blocked, name: 'LabError' } as never} />}
              <ol className="commands">
                {plan.commands.map((c, i) => (
                  <li key={i}>
                    <span className="phase">{c.phase}</span> <code>{c.argv.join(' ')}</code>
                  </li>
                ))}
              </ol>
              {plan.tools.filter((t) => !t.path).map((t) => (
                <p key={t.name} className="missing">
                  {t.name} is not installed (looked in {t.searched.slice(0, 4).join(', ')}{t.searched.length > 4 ? ', …' : ''}). {t.install}
                </p>
              ))}
              {plan.files.map((f) => (
                <details key={f.id}>
                  <summary>
                    {f.title} <code>{f.path}</code>
                  </summary>
                  <pre>{f.content}</pre>
                </details>
              ))}
              {plan.clusterDiff.length > 0 && (
                <ul className="diff" aria-label="Compared with the cluster">
                  {plan.clusterDiff.map((d) => (
                    <li key={`${d.kind}/${d.namespace}/${d.name}`}>
                      {d.kind} {d.namespace ? `${d.namespace}/` : ''}
                      {d.name}: {d.state}
                      {d.differences.length > 0 && <ul>{d.differences.map((x) => <li key={x}>{x}</li>)}</ul>}
                    </li>
                  ))}
                </ul>
              )}
              {plan.notes.map((n) => (
                <p key={n} className="muted">{n}</p>
              ))}
            </details>
          )}
          <div className="actions">
            <button type="button" className="primary" disabled={running || !!plan?.blocked} onClick={() => void act('run', def.id, step.id, targetId)}>
              Run step
            </button>
            <button type="button" disabled={running} onClick={() => void act('verify', def.id, step.id, targetId)}>
              Verify
            </button>
            {step.preview && step.preview.length > 0 && (
              <button type="button" disabled={running} onClick={() => void act('preview', def.id, step.id, targetId)}>
                Run preview
              </button>
            )}
            {step.cleanup && step.cleanup.length > 0 && (
              <button type="button" disabled={running} onClick={() => void act('cleanup', def.id, step.id, targetId)}>
                Run cleanup
              </button>
            )}
            {running && (
              <button type="button" className="danger" onClick={() => void cancel(def.id, step.id)}>
                Cancel
              </button>
            )}
            {step.skippable && !running && (
              <button type="button" onClick={() => setSkipping(!skipping)}>
                Skip
              </button>
            )}
            <button type="button" disabled={running} onClick={() => void reset(def.id, step.id, targetId)}>
              Reset
            </button>
          </div>
          {skipping && (
            <form
              className="skip-form"
              onSubmit={(e) => {
                e.preventDefault();
                void skip(def.id, step.id, targetId, skipReason).then(() => setSkipping(false));
              }}
            >
              <label>
                Why skip it? <input value={skipReason} onChange={(e) => setSkipReason(e.target.value)} placeholder="I already have a cluster" required />
              </label>
              <button type="submit">Skip this step</button>
            </form>
          )}
          {activity && (
            <div className="activity" aria-label={`Activity of ${step.title}`} role="log">
              {activity.messages.map((m, i) => (
                <div key={i} className="msg">{m}</div>
              ))}
              {activity.wait && !activity.outcome && (
                <div className="wait">
                  {activity.wait.message}
                  <progress max={activity.wait.total} value={activity.wait.done} aria-label={activity.wait.message} />
                </div>
              )}
              {activity.results.length > 0 && (
                <ul className="results" aria-label="Verification">
                  {activity.results.map((r, i) => (
                    <li key={i} className={r.status}>
                      <span className={`status ${r.status === 'skipped' ? 'not-applicable' : r.status}`}>{r.status}</span> <strong>{r.title}</strong>: {r.summary}
                      {r.details.length > 0 && <ul>{r.details.slice(0, 8).map((d) => <li key={d}>{d}</li>)}</ul>}
                    </li>
                  ))}
                </ul>
              )}
              {activity.error && <ErrorNote error={activity.error} />}
            </div>
          )}
        </div>
      )}
    </li>
  );
}
