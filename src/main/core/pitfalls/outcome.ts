import type { Evidence } from '../../../shared/api/checks-types';
import { VERDICT_STATUS, type PitfallResult } from '../../../shared/api/pitfalls';
import type { WalkthroughOutcome } from '../../../shared/api/report';

/** At most this many evidence rows go into a report outcome (the report schema allows 200). */
const MAX_EVIDENCE = 60;
const MAX_DIAGNOSIS = 9_000;

const VERDICT_WORD = { this: 'Found', 'not-this': 'Ruled out', inconclusive: 'Inconclusive' } as const;

/** Markdown to plain text for the report's one-paragraph diagnosis (links keep their text, emphasis goes). */
const plain = (md: string) =>
  md
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/[*_`]/g, '')
    .replace(/^#+\s*/gm, '')
    .replace(/\n{2,}/g, '\n')
    .trim();

/**
 * A pitfall run as a report outcome (the same WalkthroughOutcome the Quick-start walkthroughs
 * give): id `pitfall:<id>`; status fail when the pitfall was found ("this"), pass when ruled out,
 * unknown when inconclusive or still waiting for an answer; the diagnosis with the path that led
 * to it; the diagnosis' evidence and fix.
 */
export function pitfallOutcome(r: PitfallResult): WalkthroughOutcome {
  const path = r.trail
    .filter((s) => s.kind !== 'diagnosis')
    .map((s) => `${s.title} → ${s.answer ? s.answer.text : s.outcome}`)
    .join('; ');
  let diagnosis: string;
  let evidence: Evidence[];
  if (r.state === 'done' && r.diagnosis) {
    const d = r.diagnosis;
    diagnosis = `${VERDICT_WORD[d.verdict]}: ${d.title}. ${plain(d.explanation)}${path ? `\nPath: ${path}.` : ''}`;
    evidence = d.evidence;
  } else {
    diagnosis = `Not finished: waiting for an answer to “${r.question?.title ?? '?'}”.${path ? ` Path so far: ${path}.` : ''}`;
    evidence = r.trail.flatMap((s) => [
      ...(s.finding ? [{ label: s.finding.title, value: `${s.finding.status}: ${s.finding.summary}`, source: `check ${s.finding.checkId}` }] : []),
      ...s.observations.map((o) => ({ label: o.title, value: o.state === 'known' ? o.text : `unknown: ${o.text}`, source: o.source })),
      ...(s.answer ? [{ label: s.title, value: s.answer.text, source: 'your answer' }] : []),
    ]);
  }
  if (diagnosis.length > MAX_DIAGNOSIS) diagnosis = `${diagnosis.slice(0, MAX_DIAGNOSIS - 1)}…`;
  const rows = evidence.slice(0, MAX_EVIDENCE);
  if (evidence.length > MAX_EVIDENCE) rows.push({ label: 'more', value: `${evidence.length - MAX_EVIDENCE} more rows`, source: 'pitfall walkthrough' });
  return {
    walkthroughId: `pitfall:${r.pitfallId}`,
    title: `Pitfall: ${r.title}`,
    diagnosis,
    status: r.state === 'done' && r.diagnosis ? VERDICT_STATUS[r.diagnosis.verdict] : 'unknown',
    evidence: rows,
    fix: r.state === 'done' ? (r.diagnosis?.fix ?? null) : null,
  };
}
