// Small helpers to validate untyped Kubernetes objects field by field, with
// errors that name the file, the line and the field path.
import type { Operator, PolicyIssue, Requirement, Selector, SourceRef } from './model';
import { makeSelector } from './model';

export type Path = ReadonlyArray<string | number>;
export type LineOf = (path: Path) => number | undefined;

export function pathText(p: Path): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects the issues of one object (document or list item). */
export class DocCtx {
  readonly issues: PolicyIssue[] = [];
  failed = false;

  constructor(
    public object: string,
    readonly ref: SourceRef,
    readonly lineOf?: LineOf,
  ) {}

  line(path: Path): number | undefined {
    for (let n = path.length; n >= 0; n--) {
      const l = this.lineOf?.(path.slice(0, n));
      if (l !== undefined) return l;
    }
    return this.ref.line;
  }

  private push(severity: PolicyIssue['severity'], path: Path, message: string): void {
    this.issues.push({ severity, file: this.ref.file, line: this.line(path), object: this.object, path: pathText(path), message });
  }

  error(path: Path, message: string): void {
    this.failed = true;
    this.push('error', path, message);
  }

  warn(path: Path, message: string): void {
    this.push('warning', path, message);
  }

  info(path: Path, message: string): void {
    this.push('info', path, message);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${JSON.stringify(v)})`;
}

/** An object field: undefined when absent or null; an error when of another type. */
export function obj(ctx: DocCtx, v: unknown, path: Path): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    ctx.error(path, `must be an object, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

export function arr(ctx: DocCtx, v: unknown, path: Path): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    ctx.error(path, `must be a list, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

export function str(ctx: DocCtx, v: unknown, path: Path): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    ctx.error(path, `must be a string, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

export function bool(ctx: DocCtx, v: unknown, path: Path): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    ctx.error(path, `must be true or false, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

export function int(ctx: DocCtx, v: unknown, path: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    ctx.error(path, `must be an integer, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** A label map; numbers and booleans are converted (with a warning), since YAML authors often forget quotes. */
export function labelMap(ctx: DocCtx, v: unknown, path: Path): Record<string, string> {
  const o = obj(ctx, v, path);
  const out: Record<string, string> = {};
  if (!o) return out;
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === 'string') out[k] = val;
    else if (val === null || val === undefined) out[k] = '';
    else if (typeof val === 'number' || typeof val === 'boolean') {
      ctx.warn([...path, k], `value ${JSON.stringify(val)} is not a string; read as "${String(val)}" (the API server would reject it)`);
      out[k] = String(val);
    } else ctx.error([...path, k], `must be a string, not ${typeName(val)}`);
  }
  return out;
}

const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface SelectorOptions {
  /** Cilium selectors: keys may carry a source prefix (`k8s:`, `any:`, `reserved:`). */
  cilium?: boolean;
}

/** Splits a Cilium label key `source:key` (Kubernetes label keys cannot contain `:`). */
export function splitSource(key: string, cilium: boolean): { source: string; key: string } {
  if (!cilium) return { source: 'any', key };
  const i = key.indexOf(':');
  if (i < 0) return { source: 'any', key };
  return { source: key.slice(0, i), key: key.slice(i + 1) };
}

/**
 * A metav1.LabelSelector: matchLabels AND matchExpressions (In, NotIn, Exists,
 * DoesNotExist). Returns undefined when absent (null or missing) or invalid.
 * An empty selector `{}` matches everything.
 */
export function labelSelector(ctx: DocCtx, v: unknown, path: Path, opts: SelectorOptions = {}): Selector | undefined {
  const o = obj(ctx, v, path);
  if (!o) return undefined;
  const before = ctx.failed;
  ctx.failed = false;
  const reqs: Requirement[] = [];
  const ml = labelMap(ctx, o.matchLabels, [...path, 'matchLabels']);
  for (const [k, val] of Object.entries(ml)) {
    const s = splitSource(k, opts.cilium === true);
    reqs.push({ key: s.key, source: s.source, op: 'In', values: [val] });
  }
  const exprs = arr(ctx, o.matchExpressions, [...path, 'matchExpressions']) ?? [];
  exprs.forEach((e, i) => {
    const p = [...path, 'matchExpressions', i];
    const eo = obj(ctx, e, p);
    if (!eo) {
      if (e === null || e === undefined) ctx.error(p, 'must be an object');
      return;
    }
    const key = str(ctx, eo.key, [...p, 'key']);
    if (key === undefined || key === '') {
      if (eo.key === undefined || eo.key === '') ctx.error([...p, 'key'], 'is required');
      return;
    }
    const op = eo.operator;
    if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
      ctx.error([...p, 'operator'], `${JSON.stringify(op ?? null)} is not one of ${OPERATORS.join(', ')}`);
      return;
    }
    const rawValues = arr(ctx, eo.values, [...p, 'values']) ?? [];
    const values: string[] = [];
    rawValues.forEach((x, j) => {
      if (typeof x === 'string') values.push(x);
      else if (typeof x === 'number' || typeof x === 'boolean') values.push(String(x));
      else ctx.error([...p, 'values', j], `must be a string, not ${typeName(x)}`);
    });
    if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      ctx.error([...p, 'values'], `must be non-empty when operator is ${op}`);
      return;
    }
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      ctx.error([...p, 'values'], `must be empty when operator is ${op}`);
      return;
    }
    const s = splitSource(key, opts.cilium === true);
    reqs.push({ key: s.key, source: s.source, op: op as Operator, values: [...new Set(values)].sort() });
  });
  const failedHere = ctx.failed;
  ctx.failed = before || failedHere;
  if (failedHere) return undefined;
  return makeSelector(reqs);
}
