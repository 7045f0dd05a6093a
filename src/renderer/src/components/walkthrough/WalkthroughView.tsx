import { useEffect, useState } from 'react';
import Markdown from 'react-markdown';
import { lab } from '../../lab';
import { progressKey, useWalkthroughStore } from '../../stores/walkthrough';
import { useTargetsStore } from '../../stores/targets';
import { ErrorNote } from '../ErrorNote';
import { TargetSelect } from '../TargetSelect';
import { StepView } from './StepView';

/** A walkthrough (data from resources/walkthroughs) on the selected target, one step at a time. */
export function WalkthroughView({ id }: { id: string }) {
  const def = useWalkthroughStore((s) => s.defs[id]);
  const targetId = useTargetsStore((s) => s.selectedId);
  const targets = useTargetsStore((s) => s.list);
  const progress = useWalkthroughStore((s) => s.progress[progressKey(id, targetId)]);
  const error = useWalkthroughStore((s) => s.error);
  /** undefined: not chosen yet, so the first step that is not done is open. */
  const [chosen, setOpenStep] = useState<string | null | undefined>(undefined);
  const [guide, setGuide] = useState<string | null>(null);
  const { load } = useWalkthroughStore.getState();

  useEffect(() => {
    if (!targets) void useTargetsStore.getState().load();
  }, [targets]);
  useEffect(() => {
    void load(id, targetId);
  }, [id, targetId, load]);
  const firstOpen = def?.steps.find((s) => !['passed', 'skipped'].includes(progress?.steps.find((p) => p.stepId === s.id)?.state ?? ''))?.id ?? def?.steps[0]?.id ?? null;
  const openStep = chosen === undefined ? firstOpen : chosen;

  if (!def) return error ? <ErrorNote error={error} /> : <p className="muted">Loading…</p>;
  return (
    <div className="walkthrough">
      <div className="markdown lede">
        <Markdown>{def.description}</Markdown>
      </div>
      <div className="toolbar" role="group" aria-label="Walkthrough target">
        <TargetSelect include={(t) => t.kind !== 'snapshot'} />
        {def.guides?.map((g) => (
          <button
            key={g.file}
            type="button"
            onClick={() => void lab().call('walkthrough.guide', { file: g.file }).then((r) => setGuide(guide ? null : r.markdown))}
          >
            {g.title}
          </button>
        ))}
      </div>
      {guide && (
        <section className="card markdown guide" aria-label="Guide">
          <Markdown>{guide}</Markdown>
        </section>
      )}
      {error && <ErrorNote error={error} />}
      <ol className="steps" aria-label="Steps">
        {def.steps.map((s, i) => (
          <StepView
            key={s.id}
            def={def}
            step={s}
            index={i}
            targetId={targetId}
            progress={progress?.steps.find((p) => p.stepId === s.id)}
            open={openStep === s.id}
            onToggle={() => setOpenStep(openStep === s.id ? null : s.id)}
          />
        ))}
      </ol>
    </div>
  );
}
