import { parseAllDocuments, stringify } from 'yaml';
import { PLACEHOLDER, type When, type WhenClause } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';

/**
 * Placeholders. In argv a placeholder is a whole element ("{{namespace}}") and becomes exactly
 * one argument: nothing is ever concatenated into a string, let alone a shell string. In
 * manifest templates the YAML is parsed first and placeholders are replaced inside string
 * values of the parsed tree, so a value can never add keys, documents or structure.
 */

/** What placeholders resolve against: validated parameter values and the step's file paths. */
export interface Scope {
  params: Readonly<Record<string, unknown>>;
  files: Readonly<Record<string, string>>;
}

/** The reference inside a whole placeholder ("files.values", "values.ipam.mode"), or null for a literal. */
export function placeholderRef(s: string): string | null {
  return PLACEHOLDER.exec(s)?.[1] ?? null;
}

/** Placeholder references anywhere in a text (manifest templates). */
export function refsInText(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9][a-zA-Z0-9_-]*)*)\s*\}\}/g)].map((m) => m[1]!);
}

/** The parameter a reference names ("values.ipam.mode" -> "values"); null for files.* */
export function paramOf(ref: string): string | null {
  const root = ref.split('.')[0]!;
  return root === 'files' ? null : root;
}

function lookup(scope: Scope, ref: string): unknown {
  const [root, ...rest] = ref.split('.');
  if (root === 'files') {
    const id = rest.join('.');
    const p = scope.files[id];
    if (p === undefined) throw new LabError('INVALID_REQUEST', `{{${ref}}}: the step has no file "${id}" (or it is not written in this configuration)`);
    return p;
  }
  let cur: unknown = scope.params[root!];
  for (const part of rest) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A value at a reference (typed), or undefined when unset. */
export function resolveValue(scope: Scope, ref: string): unknown {
  return lookup(scope, ref);
}

/**
 * One argv element: a literal stays as written; a placeholder becomes its value as one
 * string. Values never start with "-", so a value cannot turn into an option of the tool.
 */
export function resolveArg(arg: string, scope: Scope): string {
  const ref = placeholderRef(arg);
  if (ref === null) return arg;
  const v = lookup(scope, ref);
  if (v === undefined || v === null || v === '') throw new LabError('INVALID_REQUEST', `{{${ref}}} has no value`, `Set ${ref.split('.')[0]} for this step.`);
  if (typeof v === 'object') throw new LabError('INVALID_REQUEST', `{{${ref}}} is not a single value and cannot be an argument`);
  const s = String(v);
  if (s.startsWith('-')) throw new LabError('INVALID_REQUEST', `{{${ref}}} = "${s}" starts with "-" and would be read as an option`, 'Values may not start with "-".');
  if (s.includes('\0')) throw new LabError('INVALID_REQUEST', `{{${ref}}} contains NUL`);
  return s;
}

/** A `with` value or an expectation: a placeholder keeps its type (number, boolean, object). */
export function resolveTyped(v: string | number | boolean | null, scope: Scope): unknown {
  if (typeof v !== 'string') return v;
  const ref = placeholderRef(v);
  return ref === null ? v : lookup(scope, ref);
}

const ANY_PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9][a-zA-Z0-9_-]*)*)\s*\}\}/g;

function substitute(node: unknown, scope: Scope): unknown {
  if (typeof node === 'string') {
    const whole = placeholderRef(node);
    if (whole !== null) {
      const v = lookup(scope, whole);
      if (v === undefined) throw new LabError('INVALID_REQUEST', `{{${whole}}} has no value`);
      return v;
    }
    return node.replace(ANY_PLACEHOLDER, (_, ref: string) => {
      const v = lookup(scope, ref);
      if (v === undefined || v === null || typeof v === 'object') throw new LabError('INVALID_REQUEST', `{{${ref}}} has no single value to put into the manifest`);
      return String(v);
    });
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, scope));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k.includes('{{')) throw new LabError('INVALID_REQUEST', `manifest keys cannot be placeholders (${k})`);
      out[k] = substitute(v, scope);
    }
    return out;
  }
  return node;
}

/** Parses a manifest template (one or more YAML documents) into its documents, unrendered. */
export function parseTemplate(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new LabError('INVALID_REQUEST', `manifest template: ${d.errors[0]!.message.split('\n')[0]}`);
    const js = d.toJS() as unknown;
    if (js !== null && js !== undefined) out.push(js);
  }
  return out;
}

/** Renders a manifest template with validated values: the objects and their YAML. */
export function renderManifest(text: string, scope: Scope): { objects: Record<string, unknown>[]; yaml: string } {
  const objects = parseTemplate(text).map((d) => substitute(d, scope) as Record<string, unknown>);
  return { objects, yaml: objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n') };
}

/** The conditions of a `when` (one, or a list that must all hold). */
export const whenList = (w: WhenClause | undefined): When[] => (w === undefined ? [] : Array.isArray(w) ? w : [w]);

/** Whether a `when` holds for the given values (every condition of a list). */
export function evalWhen(when: WhenClause | undefined, scope: Scope): boolean {
  return whenList(when).every((w) => evalOne(w, scope));
}

function evalOne(when: When, scope: Scope): boolean {
  const v = lookup(scope, when.param);
  const given = v !== undefined && v !== null && v !== '';
  if (when.set !== undefined) return when.set === given;
  if (when.equals !== undefined) return v === when.equals || (given && typeof v !== 'object' && String(v) === String(when.equals));
  if (when.in) return when.in.some((x) => v === x || (given && typeof v !== 'object' && String(v) === String(x)));
  return true;
}
