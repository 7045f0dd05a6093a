import { FINDING_STATUSES } from '../../../shared/api/checks-types';
import { PitfallSchema, type Condition, type Operand, type Pitfall, type PitfallNode, type QuestionNode } from '../../../shared/api/pitfalls';
import { getCheck } from '../checks/index';
import { loadYamlDir, parseYamlWith } from '../storage/yaml-data';
import type { FactKey } from '../facts/types';
import type { LoadedPitfall } from './engine';
import { getSignal, type SignalType } from './signals';
import { parseTemplate, termsOf, type TemplateTerm } from './template';

/**
 * Loads resources/pitfalls/*.yaml. The zod schema checks the shape; then the references: every
 * node id is unique and every branch leads to a node; the graph is acyclic and every node is
 * reachable; check ids exist in the checks engine; values exist and each operator fits its
 * value's type; an answer is only read where every path has asked its question; every template
 * parses and names what exists. A broken file is reported with all its problems and never hides
 * the others.
 */

export interface PitfallLoadResult {
  pitfalls: LoadedPitfall[];
  errors: { file: string; problems: string[] }[];
}

function successors(n: PitfallNode): string[] {
  switch (n.kind) {
    case 'check':
      return [...new Set(Object.values(n.on).filter((x): x is string => typeof x === 'string'))];
    case 'fact':
    case 'question':
      return [...new Set([...n.branches.map((b) => b.next), ...(n.unknown ? [n.unknown] : [])])];
    case 'diagnosis':
      return [];
  }
}

function conditionsOf(n: PitfallNode): Condition[] {
  return n.kind === 'fact' || n.kind === 'question' ? n.branches.flatMap((b) => b.when ?? []) : [];
}

function templatesOf(n: PitfallNode): { where: string; text: string }[] {
  const out = [{ where: 'title', text: n.title }];
  if (n.kind === 'fact' || n.kind === 'question') n.branches.forEach((b, i) => b.label !== undefined && out.push({ where: `branch ${i + 1} label`, text: b.label }));
  if (n.kind === 'question') {
    out.push({ where: 'question', text: n.question });
    if (n.help) out.push({ where: 'help', text: n.help });
  }
  if (n.kind === 'diagnosis') {
    out.push({ where: 'explanation', text: n.explanation });
    if (n.fix) {
      out.push({ where: 'fix.text', text: n.fix.text });
      if (n.fix.yaml) out.push({ where: 'fix.yaml', text: n.fix.yaml });
      n.fix.commands?.forEach((argv, i) => argv.forEach((a, j) => out.push({ where: `fix.commands[${i}][${j}]`, text: a })));
    }
  }
  return out;
}

const OPS = ['equals', 'notEquals', 'in', 'gt', 'gte', 'lt', 'lte', 'nonEmpty', 'contains', 'known'] as const;

/** Problems with the references of a pitfall that passed the schema; also what it needs. */
export function checkPitfall(p: Pitfall): { problems: string[]; needs: { facts: FactKey[]; policy: boolean } } {
  const problems: string[] = [];
  const byId = new Map<string, PitfallNode>();
  for (const n of p.nodes) {
    if (byId.has(n.id)) problems.push(`node ${n.id}: duplicate id`);
    byId.set(n.id, n);
  }
  if (!byId.has(p.start)) problems.push(`start: no node ${p.start}`);
  for (const n of p.nodes) for (const s of successors(n)) if (!byId.has(s)) problems.push(`node ${n.id}: leads to ${s}, which is not a node`);

  // Graph: acyclic, all reachable (depth-first from the start, colouring nodes).
  const state = new Map<string, 1 | 2>();
  const order: string[] = [];
  const visit = (id: string, path: string[]) => {
    const s = state.get(id);
    if (s === 2) return;
    if (s === 1) {
      problems.push(`cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
      return;
    }
    const n = byId.get(id);
    if (!n) return;
    state.set(id, 1);
    for (const x of successors(n)) visit(x, [...path, id]);
    state.set(id, 2);
    order.push(id);
  };
  if (byId.has(p.start)) visit(p.start, []);
  for (const n of p.nodes) if (!state.has(n.id)) problems.push(`node ${n.id}: not reachable from ${p.start}`);
  order.reverse(); // topological order

  // Answers asked on every path to a node (for the node itself: including its own question).
  const asked = new Map<string, Set<string>>();
  if (byId.has(p.start)) asked.set(p.start, new Set());
  for (const id of order) {
    const n = byId.get(id)!;
    const here = new Set(asked.get(id) ?? []);
    if (n.kind === 'question') here.add(n.id);
    for (const s of successors(n)) {
      const cur = asked.get(s);
      asked.set(s, cur ? new Set([...cur].filter((x) => here.has(x))) : new Set(here));
    }
  }
  const availableAt = (n: PitfallNode) => {
    const a = new Set(asked.get(n.id) ?? []);
    if (n.kind === 'question') a.add(n.id);
    return a;
  };

  const facts = new Set<FactKey>();
  let policy = false;
  const useSignal = (where: string, id: string): SignalType | null => {
    const s = getSignal(id);
    if (!s) {
      problems.push(`${where}: no value named ${id}`);
      return null;
    }
    for (const k of s.needs) facts.add(k);
    if (s.policy) policy = true;
    return s.type;
  };
  const useAnswer = (where: string, n: PitfallNode, id: string): QuestionNode | null => {
    const q = byId.get(id);
    if (!q || q.kind !== 'question') {
      problems.push(`${where}: answer.${id} names no question`);
      return null;
    }
    if (!availableAt(n).has(id)) problems.push(`${where}: answer.${id} is read where not every path has asked it`);
    return q;
  };
  const typeOfAnswer = (q: QuestionNode): SignalType => (q.answer.type === 'integer' ? 'number' : 'string');

  for (const n of p.nodes) {
    const where = `node ${n.id}`;
    if (n.kind === 'check') {
      const c = getCheck(n.check);
      if (!c) problems.push(`${where}: check ${n.check} does not exist`);
      else for (const k of c.needs) facts.add(k);
      const missing = FINDING_STATUSES.filter((s) => n.on[s] === undefined);
      if (missing.length && !n.on.default) problems.push(`${where}: no next node for status ${missing.join(', ')} (add them or a default)`);
    }
    if (n.kind === 'fact' || n.kind === 'question') {
      n.branches.forEach((b, i) => {
        const last = i === n.branches.length - 1;
        if (last && b.when) problems.push(`${where}: the last branch must have no conditions (what happens otherwise)`);
        if (!last && !b.when) problems.push(`${where}: branch ${i + 1} has no conditions but is not the last`);
      });
    }
    if (n.kind === 'question' && n.answer.type === 'choice') {
      const vals = n.answer.choices.map((c) => c.value);
      if (new Set(vals).size !== vals.length) problems.push(`${where}: duplicate choice values`);
    }
    for (const c of conditionsOf(n)) {
      const op = OPS.find((o) => c[o] !== undefined)!;
      let left: SignalType | null = null;
      let choices: string[] | null = null;
      if (c.value !== undefined) left = useSignal(where, c.value);
      else {
        const q = useAnswer(where, n, c.answer!);
        if (q) {
          left = typeOfAnswer(q);
          if (q.answer.type === 'choice') choices = q.answer.choices.map((x) => x.value);
        }
      }
      const operandType = (o: Operand): SignalType | null => {
        if (typeof o === 'object' && o !== null) {
          if ('value' in o) return useSignal(where, o.value);
          const q = useAnswer(where, n, o.answer);
          return q ? typeOfAnswer(q) : null;
        }
        return typeof o === 'number' ? 'number' : typeof o === 'boolean' ? 'boolean' : 'string';
      };
      if (left === null) continue;
      const fits = (ok: boolean, what: string) => {
        if (!ok) problems.push(`${where}: ${op} does not fit ${c.value ?? `answer.${c.answer}`} (${left}): ${what}`);
      };
      switch (op) {
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte':
          fits(left === 'number' && operandType(c[op]!) === 'number', 'compare numbers with numbers');
          break;
        case 'equals':
        case 'notEquals': {
          const r = operandType(c[op]!);
          fits(left !== 'list' && (r === null || r === left), `compare a ${left} with a ${r ?? '?'}`);
          const lit = c[op];
          if (choices && typeof lit === 'string' && !choices.includes(lit)) problems.push(`${where}: "${lit}" is not a choice of answer.${c.answer} (${choices.join(', ')})`);
          break;
        }
        case 'in':
          fits(left !== 'list', 'in compares one value with a list of literals');
          if (choices) for (const x of c.in!) if (!choices.includes(String(x))) problems.push(`${where}: "${String(x)}" is not a choice of answer.${c.answer}`);
          break;
        case 'nonEmpty':
          fits(left === 'list' || left === 'string', 'only lists and texts are empty or not');
          break;
        case 'contains':
          fits(left === 'list', 'only lists contain items');
          break;
        case 'known':
          break;
      }
    }
    for (const t of templatesOf(n)) {
      let parts;
      try {
        parts = parseTemplate(t.text);
      } catch (err) {
        problems.push(`${where} ${t.where}: ${(err as Error).message}`);
        continue;
      }
      for (const part of parts) {
        if (!part.expr) continue;
        const terms: TemplateTerm[] = termsOf(part.expr);
        for (const term of terms) {
          if (term.kind === 'value') {
            const ty = useSignal(`${where} ${t.where}`, term.id);
            if (part.expr.mode === 'sum' && ty !== null && ty !== 'number') problems.push(`${where} ${t.where}: value.${term.id} is a ${ty}, not a number`);
          }
          if (term.kind === 'answer') {
            const q = useAnswer(`${where} ${t.where}`, n, term.id);
            if (q && part.expr.mode === 'sum' && q.answer.type !== 'integer') problems.push(`${where} ${t.where}: answer.${term.id} is not a number`);
          }
        }
      }
    }
    if (n.kind === 'diagnosis') for (const id of n.evidence ?? []) useSignal(`${where} evidence`, id);
  }
  const verdicts = new Set(p.nodes.filter((n) => n.kind === 'diagnosis').map((n) => (n.kind === 'diagnosis' ? n.verdict : '')));
  if (!verdicts.has('this')) problems.push('no diagnosis says "this": the walkthrough can never find its pitfall');
  if (!verdicts.has('not-this')) problems.push('no diagnosis says "not-this": the walkthrough can never rule its pitfall out');
  return { problems, needs: { facts: [...facts].sort(), policy } };
}

/** Parses and checks one pitfall file's text. */
export function parsePitfall(text: string, file = '(text)'): { pitfall: LoadedPitfall | null; problems: string[] } {
  const { data, problems: schemaProblems } = parseYamlWith(PitfallSchema, text);
  if (!data) return { pitfall: null, problems: schemaProblems };
  const { problems, needs } = checkPitfall(data);
  if (problems.length) return { pitfall: null, problems };
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  return { pitfall: { file, pitfall: data, byId, needs, questions: data.nodes.filter((n) => n.kind === 'question').length }, problems: [] };
}

export function loadPitfalls(dir: string): PitfallLoadResult {
  const { items, errors } = loadYamlDir(
    dir,
    (text, file) => {
      const { pitfall, problems } = parsePitfall(text, file);
      return { item: pitfall, problems };
    },
    (p) => p.pitfall.id,
  );
  return { pitfalls: items, errors };
}
