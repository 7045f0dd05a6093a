import type { Evidence, Finding, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type {
  AnswerSpec,
  AnswerValue,
  Branch,
  Condition,
  DiagnosisNode,
  DiagnosisView,
  Observation,
  Operand,
  Pitfall,
  PitfallNode,
  QuestionNode,
  QuestionView,
  Reference,
  TrailStep,
} from '../../../shared/api/pitfalls';
import { LabError } from '../../../shared/errors';
import { getCheck } from '../checks/index';
import { parseIp } from '../checks/lib/cidr';
import type { FactKey } from '../facts/types';
import { getSignal, readSignal, type Scalar, type SignalContext, type SignalValue } from './signals';
import { render, type TemplateScope } from './template';

/**
 * Walks a pitfall's path on one target's facts. Pure and deterministic: the path depends only on
 * the facts (and policy objects) in the context and on the answers; walking again with one more
 * answer continues where the path stopped, and a changed earlier answer takes the path it leads to.
 */

export interface LoadedPitfall {
  file: string;
  pitfall: Pitfall;
  byId: ReadonlyMap<string, PitfallNode>;
  /** What a run gathers: the facts of every check and value the file names, and whether policy objects are read. */
  needs: { facts: FactKey[]; policy: boolean };
  questions: number;
}

export interface PathOutcome {
  state: 'question' | 'done';
  trail: TrailStep[];
  question: QuestionView | null;
  diagnosis: DiagnosisView | null;
  /** The answers the path used (answers to questions no longer on the path are left out). */
  answers: Record<string, AnswerValue>;
}

// ---------------------------------------------------------------------------------------
// Answers

const ANSWER_UNKNOWN_TEXT = 'I don’t know';

/** Checks an answer against its question's type; returns the value to keep (throws INVALID_REQUEST). */
export function validateAnswer(q: QuestionNode, answer: AnswerValue): AnswerValue {
  const a = q.answer;
  const bad = (why: string) => new LabError('INVALID_REQUEST', `answer to "${q.title}": ${why}`);
  if (answer === null) {
    if (a.type !== 'choice' && a.allowUnknown) return null;
    throw bad(a.type === 'choice' ? `choose one of ${a.choices.map((c) => c.value).join(', ')}` : 'an answer is needed');
  }
  switch (a.type) {
    case 'choice': {
      if (typeof answer !== 'string' || !a.choices.some((c) => c.value === answer)) throw bad(`"${String(answer)}" is not one of ${a.choices.map((c) => c.value).join(', ')}`);
      return answer;
    }
    case 'integer': {
      const n = typeof answer === 'number' ? answer : /^\s*-?\d+\s*$/.test(answer) ? Number(answer) : NaN;
      if (!Number.isInteger(n)) throw bad(`"${String(answer)}" is not a whole number`);
      if (n < a.min || n > a.max) throw bad(`${n} is outside ${a.min}–${a.max}${a.unit ? ` ${a.unit}` : ''}`);
      return n;
    }
    case 'ip': {
      const text = String(answer).trim();
      const ip = parseIp(text);
      const fam = a.family ?? 'any';
      if (!ip) throw bad(`"${text}" is not an IP address`);
      if ((fam === 'ipv4' && ip.family !== 4) || (fam === 'ipv6' && ip.family !== 6)) throw bad(`"${text}" is not an ${fam === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
      return text;
    }
  }
}

export function answerText(spec: AnswerSpec, v: AnswerValue): string {
  if (v === null) return ANSWER_UNKNOWN_TEXT;
  if (spec.type === 'choice') return spec.choices.find((c) => c.value === v)?.label ?? String(v);
  if (spec.type === 'integer') return `${v}${spec.unit ? ` ${spec.unit}` : ''}`;
  return String(v);
}

// ---------------------------------------------------------------------------------------
// Conditions

type Side = { known: true; value: Scalar | string[]; text: string; obs: Observation } | { known: false; why: string; obs: Observation };

interface Walker {
  lp: LoadedPitfall;
  ctx: SignalContext;
  answers: Record<string, AnswerValue>;
}

function signalSide(w: Walker, id: string): Side {
  const v: SignalValue = readSignal(w.ctx, id);
  const title = signalTitle(id);
  if (v.state === 'known') return { known: true, value: v.value, text: v.text, obs: { id, title, state: 'known', text: v.text, source: v.source } };
  return { known: false, why: `${title}: ${v.why}`, obs: { id, title, state: 'unknown', text: v.why, source: v.source } };
}

const signalTitle = (id: string) => getSignal(id)?.title ?? id;

function answerSide(w: Walker, nodeId: string): Side {
  const q = w.lp.byId.get(nodeId) as QuestionNode | undefined;
  const title = q?.title ?? nodeId;
  if (!q || !(nodeId in w.answers)) return { known: false, why: `${title}: not answered`, obs: { id: `answer:${nodeId}`, title, state: 'unknown', text: 'not answered', source: 'your answer' } };
  const v = w.answers[nodeId]!;
  const text = answerText(q.answer, v);
  if (v === null) return { known: false, why: `${title}: you answered "${ANSWER_UNKNOWN_TEXT}"`, obs: { id: `answer:${nodeId}`, title, state: 'unknown', text, source: 'your answer' } };
  return { known: true, value: v, text, obs: { id: `answer:${nodeId}`, title, state: 'known', text, source: 'your answer' } };
}

function operandSide(w: Walker, o: Operand): Side | { known: true; value: Scalar; text: string; obs: null } {
  if (typeof o === 'object' && o !== null) return 'value' in o ? signalSide(w, o.value) : answerSide(w, o.answer);
  return { known: true, value: o, text: JSON.stringify(o), obs: null };
}

const OP_TEXT: Record<string, string> = { equals: '=', notEquals: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };

type CondResult = { result: boolean; text: string } | { unknown: string };

function evalCondition(w: Walker, c: Condition, obs: Observation[]): CondResult {
  const left = c.value !== undefined ? signalSide(w, c.value) : answerSide(w, c.answer!);
  if (!obs.some((o) => o.id === left.obs.id)) obs.push(left.obs);
  const name = left.obs.title;
  if (c.known !== undefined) return { result: left.known === c.known, text: `${name} is ${left.known ? 'known' : 'unknown'}` };
  if (!left.known) return { unknown: left.why };
  const lv = left.value;
  const binary = (op: 'equals' | 'notEquals' | 'gt' | 'gte' | 'lt' | 'lte', operand: Operand): CondResult => {
    const right = operandSide(w, operand);
    if (right.obs && !obs.some((o) => o.id === right.obs!.id)) obs.push(right.obs);
    if (!right.known) return { unknown: right.why };
    const rv = right.value;
    const text = `${name} (${Array.isArray(lv) ? lv.join(', ') : String(lv)}) ${OP_TEXT[op]} ${right.obs ? `${right.obs.title} (${String(rv)})` : String(rv)}`;
    if (op === 'equals' || op === 'notEquals') {
      const eq = !Array.isArray(rv) && !Array.isArray(lv) && String(lv) === String(rv) && typeof lv === typeof rv;
      return { result: op === 'equals' ? eq : !eq, text };
    }
    if (typeof lv !== 'number' || typeof rv !== 'number') return { unknown: `${text}: not numbers` };
    const r = op === 'gt' ? lv > rv : op === 'gte' ? lv >= rv : op === 'lt' ? lv < rv : lv <= rv;
    return { result: r, text };
  };
  for (const op of ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte'] as const) {
    const operand = c[op];
    if (operand !== undefined) return binary(op, operand);
  }
  if (c.in !== undefined) return { result: !Array.isArray(lv) && c.in.some((x) => String(x) === String(lv)), text: `${name} (${String(lv)}) in ${c.in.join(', ')}` };
  if (c.nonEmpty !== undefined) {
    const has = Array.isArray(lv) ? lv.length > 0 : typeof lv === 'string' ? lv !== '' : true;
    return { result: has === c.nonEmpty, text: `${name} is ${has ? 'not empty' : 'empty'}` };
  }
  if (c.contains !== undefined) return { result: Array.isArray(lv) && lv.includes(c.contains), text: `${name} ${Array.isArray(lv) && lv.includes(c.contains) ? 'contains' : 'does not contain'} ${c.contains}` };
  return { unknown: 'a condition without an operator' };
}

type BranchResult = { taken: Branch; text: string; obs: Observation[] } | { unknown: string[]; obs: Observation[] };

function evalBranches(w: Walker, branches: readonly Branch[]): BranchResult {
  const obs: Observation[] = [];
  const label = (b: Branch) => (b.label === undefined ? undefined : render(b.label, scopeOf(w)));
  for (const b of branches) {
    if (!b.when) return { taken: b, text: label(b) ?? 'otherwise', obs };
    const texts: string[] = [];
    let all = true;
    for (const c of b.when) {
      const r = evalCondition(w, c, obs);
      if ('unknown' in r) return { unknown: [r.unknown], obs };
      texts.push(r.text);
      if (!r.result) {
        all = false;
        break;
      }
    }
    if (all) return { taken: b, text: label(b) ?? texts.join(' and '), obs };
  }
  return { unknown: ['no branch applies (the file must end every node with a branch without conditions)'], obs };
}

// ---------------------------------------------------------------------------------------
// Checks

function runCheck(w: Walker, id: string): Finding {
  const key = `check:${id}`;
  if (w.ctx.memo.has(key)) return w.ctx.memo.get(key) as Finding;
  const check = getCheck(id);
  let f: Finding;
  if (!check) f = { checkId: id, title: id, category: 'cni', status: 'unknown', summary: `no check ${id}`, evidence: [], fix: null, reference: '' };
  else {
    try {
      f = check.evaluate(w.ctx.facts, {});
    } catch (err) {
      f = { checkId: id, title: check.title, category: check.category, status: 'unknown', summary: `internal error in check ${id}: ${err instanceof Error ? err.message : String(err)}`, evidence: [], fix: null, reference: check.reference };
    }
    // As a check run does: unknown only because its facts do not apply to this target → not applicable.
    if (f.status === 'unknown') {
      const unknowns = check.needs.map((k) => w.ctx.facts[k]).filter((v) => v?.state === 'unknown');
      if (unknowns.length && unknowns.every((v) => v?.state === 'unknown' && v.reason === 'not-applicable')) f = { ...f, status: 'not-applicable', summary: `Not applicable here: ${unknowns[0]?.state === 'unknown' ? unknowns[0].detail : ''}`, fix: null };
    }
  }
  w.ctx.memo.set(key, f);
  return f;
}

// ---------------------------------------------------------------------------------------
// Rendering

function scopeOf(w: Walker): TemplateScope {
  return {
    value(id) {
      const v = readSignal(w.ctx, id);
      return v.state === 'known' ? { known: true, value: v.value, text: v.text } : { known: false, why: v.why };
    },
    answer(id) {
      const q = w.lp.byId.get(id) as QuestionNode | undefined;
      if (!q || !(id in w.answers) || w.answers[id] === null) return { known: false, why: 'not answered' };
      const v = w.answers[id]!;
      return { known: true, value: v, text: answerText(q.answer, v) };
    },
  };
}

const MAX_EVIDENCE = 120;
const MAX_FINDING_EVIDENCE = 8;
const MAX_LIST_ROWS = 10;

function evidenceOf(trail: readonly TrailStep[], extra: Observation[], listValues: Map<string, string[]>): Evidence[] {
  const rows: Evidence[] = [];
  const seen = new Set<string>();
  const add = (e: Evidence) => {
    const k = `${e.label}\u0000${e.value}`;
    if (seen.has(k) || rows.length >= MAX_EVIDENCE) return;
    seen.add(k);
    rows.push(e);
  };
  const addObs = (o: Observation) => {
    const items = listValues.get(o.id);
    if (o.state === 'known' && items && items.length > 1) {
      items.slice(0, MAX_LIST_ROWS).forEach((it) => add({ label: o.title, value: it, source: o.source }));
      if (items.length > MAX_LIST_ROWS) add({ label: o.title, value: `and ${items.length - MAX_LIST_ROWS} more`, source: o.source });
    } else add({ label: o.title, value: o.state === 'known' ? o.text : `unknown: ${o.text}`, source: o.source });
  };
  for (const s of trail) {
    if (s.kind === 'check' && s.finding) {
      add({ label: s.finding.title, value: `${s.finding.status}: ${s.finding.summary}`, source: `check ${s.finding.checkId}` });
      for (const e of s.finding.evidence.slice(0, MAX_FINDING_EVIDENCE)) add(e);
    }
    if (s.kind === 'question' && s.answer) add({ label: s.title, value: s.answer.text, source: 'your answer' });
    for (const o of s.observations) if (!o.id.startsWith('answer:')) addObs(o);
  }
  for (const o of extra) addObs(o);
  return rows;
}

function diagnosisView(w: Walker, node: DiagnosisNode, trail: TrailStep[]): DiagnosisView {
  const scope = scopeOf(w);
  const extra: Observation[] = [];
  const lists = new Map<string, string[]>();
  const noteList = (id: string) => {
    const v = readSignal(w.ctx, id);
    if (v.state === 'known' && Array.isArray(v.value)) lists.set(id, v.value);
  };
  for (const s of trail) for (const o of s.observations) noteList(o.id);
  for (const id of node.evidence ?? []) {
    const side = signalSide(w, id);
    noteList(id);
    extra.push(side.obs);
  }
  let fix: Fix | null = null;
  if (node.fix) {
    fix = { text: render(node.fix.text, scope) };
    if (node.fix.commands) fix.commands = node.fix.commands.map((argv) => argv.map((a) => render(a, scope)));
    if (node.fix.yaml) fix.yaml = render(node.fix.yaml, scope);
  }
  const refs: Reference[] = [];
  for (const r of [...(node.references ?? []), ...w.lp.pitfall.references]) if (!refs.some((x) => x.url === r.url)) refs.push(r);
  return { nodeId: node.id, verdict: node.verdict, title: render(node.title, scope), explanation: render(node.explanation, scope).trim(), evidence: evidenceOf(trail, extra, lists), fix, references: refs };
}

function inconclusiveView(w: Walker, at: PitfallNode, why: string[], trail: TrailStep[]): DiagnosisView {
  const lists = new Map<string, string[]>();
  return {
    nodeId: `${at.id}:unknown`,
    verdict: 'inconclusive',
    title: `Cannot decide at “${at.title}”`,
    explanation: `What this step needs is not known here, so the walkthrough stops without a verdict:\n\n${why.map((x) => `- ${x}`).join('\n')}`,
    evidence: evidenceOf(trail, [], lists),
    fix: { text: 'Run it on a live cluster target with read access to what is missing, or on a snapshot captured with this version of Datapath Lab (older snapshots lack some facts).' },
    references: w.lp.pitfall.references,
  };
}

// ---------------------------------------------------------------------------------------
// The walk

export function walk(lp: LoadedPitfall, ctx: SignalContext, answers: Readonly<Record<string, AnswerValue>>): PathOutcome {
  const w: Walker = { lp, ctx, answers: { ...answers } };
  const trail: TrailStep[] = [];
  const used: Record<string, AnswerValue> = {};
  let id = lp.pitfall.start;
  // The loader guarantees a DAG: a walk visits each node at most once.
  for (let guard = 0; guard <= lp.byId.size; guard++) {
    const node = lp.byId.get(id);
    if (!node) throw new LabError('INTERNAL', `pitfall ${lp.pitfall.id}: no node ${id}`);
    const title = render(node.title, scopeOf(w));
    switch (node.kind) {
      case 'check': {
        const f = runCheck(w, node.check);
        const next = node.on[f.status as FindingStatus] ?? node.on.default!;
        trail.push({ nodeId: node.id, kind: 'check', title, outcome: f.status, next, finding: f, observations: [] });
        id = next;
        break;
      }
      case 'fact':
      case 'question': {
        let answer: TrailStep['answer'];
        if (node.kind === 'question') {
          if (!(node.id in w.answers)) {
            const scope = scopeOf(w);
            const question: QuestionView = { nodeId: node.id, title, question: render(node.question, scope), help: node.help ? render(node.help, scope) : null, answer: node.answer };
            return { state: 'question', trail, question, diagnosis: null, answers: used };
          }
          used[node.id] = w.answers[node.id]!;
          answer = { value: w.answers[node.id]!, text: answerText(node.answer, w.answers[node.id]!) };
        }
        const r = evalBranches(w, node.branches);
        if ('unknown' in r) {
          const step: TrailStep = { nodeId: node.id, kind: node.kind, title, outcome: `unknown: ${r.unknown.join('; ')}`, next: node.unknown ?? null, observations: r.obs, ...(answer ? { answer } : {}) };
          trail.push(step);
          if (!node.unknown) return { state: 'done', trail, question: null, diagnosis: inconclusiveView(w, node, r.unknown, trail), answers: used };
          id = node.unknown;
          break;
        }
        trail.push({ nodeId: node.id, kind: node.kind, title, outcome: r.text, next: r.taken.next, observations: r.obs, ...(answer ? { answer } : {}) });
        id = r.taken.next;
        break;
      }
      case 'diagnosis': {
        trail.push({ nodeId: node.id, kind: 'diagnosis', title, outcome: node.verdict, next: null, observations: [] });
        return { state: 'done', trail, question: null, diagnosis: diagnosisView(w, node, trail), answers: used };
      }
    }
  }
  throw new LabError('INTERNAL', `pitfall ${lp.pitfall.id}: the path does not end (a cycle the loader missed)`);
}

/** A new context for one target's facts and policy objects (one per session: values are memoised in it). */
export function newContext(facts: SignalContext['facts'], policy: SignalContext['policy'], policyNote: string | null): SignalContext {
  return { facts, policy, policyNote, memo: new Map() };
}
