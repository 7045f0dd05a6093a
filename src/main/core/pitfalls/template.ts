/**
 * Templates in pitfall texts: `{{ value.cilium.mtu }}` (the value), `{{ text value.cilium.mtu }}`
 * (its description with where it came from), `{{ list value.policy.overlaps }}` (a markdown list),
 * `{{ answer.underlay-mtu }}` (an answer: the number, the address or a choice's label; `text answer.x`
 * adds the unit) and integer
 * arithmetic on numbers, operators between spaces: `{{ answer.underlay-mtu - value.mtu.overhead }}`. Nothing else: there is
 * no code in a template, and every reference is checked when the file is loaded.
 */

export type TemplateTerm = { kind: 'value'; id: string } | { kind: 'answer'; id: string } | { kind: 'int'; n: number };

export type TemplateExpr =
  | { mode: 'plain' | 'text' | 'list'; term: TemplateTerm }
  | { mode: 'sum'; terms: TemplateTerm[]; ops: ('+' | '-')[] };

export interface TemplatePart {
  literal: string;
  expr: TemplateExpr | null;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function parseTerm(t: string): TemplateTerm | null {
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^value\.([a-z0-9]+(?:\.[a-zA-Z0-9]+)+)$/))) return { kind: 'value', id: m[1]! };
  if ((m = t.match(/^answer\.([a-z0-9][a-z0-9-]{0,62})$/))) return { kind: 'answer', id: m[1]! };
  if (/^\d{1,9}$/.test(t)) return { kind: 'int', n: Number(t) };
  return null;
}

/** Parses one placeholder's inside; throws with a message saying what is wrong. */
export function parseExpr(src: string): TemplateExpr {
  const s = src.trim();
  const mode = s.startsWith('list ') ? 'list' : s.startsWith('text ') ? 'text' : null;
  if (mode) {
    const term = parseTerm(s.slice(5).trim());
    if (!term || term.kind === 'int') throw new Error(`{{${src}}}: "${mode}" takes a value or an answer`);
    return { mode, term };
  }
  // Operators stand between spaces: answer ids may contain "-" (answer.underlay-mtu).
  const pieces = s.split(/\s+([+-])\s+/);
  if (pieces.length === 1) {
    const term = parseTerm(s);
    if (!term) throw new Error(`{{${src}}} is not a value.NAME, answer.NODE, text/list of one, or a sum of them`);
    return { mode: 'plain', term };
  }
  const terms: TemplateTerm[] = [];
  const ops: ('+' | '-')[] = [];
  pieces.forEach((p, i) => {
    if (i % 2 === 1) ops.push(p as '+' | '-');
    else {
      const term = parseTerm(p);
      if (!term) throw new Error(`{{${src}}}: "${p}" is not a value.NAME, answer.NODE or an integer`);
      terms.push(term);
    }
  });
  return { mode: 'sum', terms, ops };
}

/** Splits a text into literals and placeholders (throws on a bad placeholder). */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    parts.push({ literal: text.slice(last, m.index), expr: parseExpr(m[1] ?? '') });
    last = (m.index ?? 0) + m[0].length;
  }
  const rest = text.slice(last);
  if (rest.includes('{{') || rest.includes('}}')) throw new Error('unbalanced {{ or }} in a template');
  parts.push({ literal: rest, expr: null });
  return parts;
}

export function termsOf(e: TemplateExpr): TemplateTerm[] {
  return e.mode === 'sum' ? e.terms : [e.term];
}

/** What rendering reads: values and answers as the engine knows them on this path. */
export interface TemplateScope {
  value(id: string): { known: true; value: unknown; text: string } | { known: false; why: string };
  answer(id: string): { known: true; value: unknown; text: string } | { known: false; why: string };
}

const UNKNOWN = '(unknown)';

function plain(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function evalExpr(e: TemplateExpr, scope: TemplateScope): string {
  const get = (t: TemplateTerm) => (t.kind === 'int' ? ({ known: true, value: t.n, text: String(t.n) } as const) : t.kind === 'value' ? scope.value(t.id) : scope.answer(t.id));
  if (e.mode === 'sum') {
    let total = 0;
    for (let i = 0; i < e.terms.length; i++) {
      const r = get(e.terms[i]!);
      if (!r.known || typeof r.value !== 'number') return UNKNOWN;
      total = i === 0 ? r.value : e.ops[i - 1] === '-' ? total - r.value : total + r.value;
    }
    return String(total);
  }
  const r = get(e.term);
  if (!r.known) return UNKNOWN;
  if (e.mode === 'text') return r.text;
  if (e.mode === 'list') {
    const items = Array.isArray(r.value) ? r.value : [r.value];
    return items.length ? `\n${items.map((i) => `- ${String(i)}`).join('\n')}\n` : 'none';
  }
  // An answer alone: the number as typed (no unit: it may go into YAML or a command), else its text (a choice's label, the address).
  return e.term.kind === 'answer' ? (typeof r.value === 'number' ? String(r.value) : r.text) : plain(r.value);
}

export function render(text: string, scope: TemplateScope): string {
  return parseTemplate(text)
    .map((p) => p.literal + (p.expr ? evalExpr(p.expr, scope) : ''))
    .join('');
}
