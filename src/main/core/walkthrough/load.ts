import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WalkthroughSchema, type Action, type Step, type Walkthrough, type When, type WhenClause } from '../../../shared/api/walkthrough';
import { getCheck } from '../checks/index';
import { loadYamlDir, parseYamlWith } from '../storage/yaml-data';
import { ParamError, validateParam } from './params';
import { paramOf, parseTemplate, placeholderRef, refsInText, whenList } from './template';

/**
 * Loads resources/walkthroughs/*.yaml. The zod schema checks the shape; then the references
 * are checked: every placeholder names a declared parameter or a file of its step, every
 * check id exists in the checks engine, every default is a valid value, every guide exists.
 * A broken file is reported with all its problems and never hides the other walkthroughs.
 */

export interface LoadedWalkthrough {
  file: string;
  walkthrough: Walkthrough;
}

export interface LoadResult {
  walkthroughs: LoadedWalkthrough[];
  errors: { file: string; problems: string[] }[];
}

function actionRefs(a: Action): { refs: string[]; whens: (WhenClause | undefined)[] } {
  if ('tool' in a) return { refs: a.args.map(placeholderRef).filter((r): r is string => r !== null), whens: [a.when] };
  return { refs: Object.values(a.with ?? {}).map((v) => (typeof v === 'string' ? placeholderRef(v) : null)).filter((r): r is string => r !== null), whens: [a.when] };
}

/** Every placeholder reference in a step (argv, with, templates, expectations) and every `when`. */
export function stepRefs(step: Step): { refs: string[]; whens: When[] } {
  const refs: string[] = [];
  const whens: (WhenClause | undefined)[] = [];
  const add = (r: { refs: string[]; whens: (WhenClause | undefined)[] }) => {
    refs.push(...r.refs);
    whens.push(...r.whens);
  };
  for (const p of step.preconditions ?? []) whens.push(p.when);
  for (const f of step.files ?? []) {
    whens.push(f.when);
    if ('template' in f) refs.push(...refsInText(f.template));
    else for (const v of Object.values(f.with ?? {})) if (typeof v === 'string' && placeholderRef(v)) refs.push(placeholderRef(v)!);
  }
  for (const a of [...(step.preview ?? []), ...(step.actions ?? []), ...(step.cleanup ?? [])]) add(actionRefs(a));
  for (const v of step.verification) {
    whens.push(v.when);
    if ('command' in v) {
      add(actionRefs(v.command));
      const e = v.expect;
      for (const s of [...(e.contains ?? []), ...(e.notContains ?? []), ...(e.lines ?? [])]) if (placeholderRef(s)) refs.push(placeholderRef(s)!);
      for (const j of e.json ?? []) if (typeof j.equals === 'string' && placeholderRef(j.equals)) refs.push(placeholderRef(j.equals)!);
    }
    if ('wait' in v) for (const s of [v.wait.namespace, v.wait.name]) if (placeholderRef(s)) refs.push(placeholderRef(s)!);
  }
  return { refs, whens: whens.flatMap((w) => whenList(w)) };
}

/** Problems with the references of a walkthrough that passed the schema. */
export function checkReferences(w: Walkthrough, guideDir?: string): string[] {
  const problems: string[] = [];
  const params = new Map(w.parameters.map((p) => [p.name, p]));
  if (params.size !== w.parameters.length) problems.push('parameter names must be unique');
  for (const p of w.parameters) {
    const d = p.type === 'file' || p.type === 'cilium-values' ? undefined : p.default;
    if (d !== undefined) {
      try {
        validateParam(p, d);
      } catch (err) {
        problems.push(`parameter ${p.name}: default ${JSON.stringify(d)} is invalid: ${err instanceof ParamError ? err.message : String(err)}`);
      }
    }
    if (p.type === 'integer' && p.min > p.max) problems.push(`parameter ${p.name}: min ${p.min} is above max ${p.max}`);
    if (p.type === 'string' && p.pattern) {
      try {
        new RegExp(p.pattern);
      } catch {
        problems.push(`parameter ${p.name}: pattern is not a valid regular expression`);
      }
    }
    for (const wh of whenList(p.when)) if (!params.has(wh.param.split('.')[0]!)) problems.push(`parameter ${p.name}: when names unknown parameter ${wh.param}`);
  }
  const stepIds = new Set<string>();
  for (const s of w.steps) {
    const where = `step ${s.id}`;
    if (stepIds.has(s.id)) problems.push(`${where}: duplicate step id`);
    stepIds.add(s.id);
    const fileIds = new Set<string>();
    for (const f of s.files ?? []) {
      if (fileIds.has(f.id)) problems.push(`${where}: duplicate file id ${f.id}`);
      fileIds.add(f.id);
      if ('template' in f) {
        try {
          const docs = parseTemplate(f.template);
          if (!docs.length) problems.push(`${where}: file ${f.id}: the template has no document`);
        } catch (err) {
          problems.push(`${where}: file ${f.id}: ${(err as Error).message}`);
        }
      }
    }
    const { refs, whens } = stepRefs(s);
    for (const r of refs) {
      const root = paramOf(r);
      if (root === null) {
        const id = r.slice('files.'.length);
        if (!fileIds.has(id)) problems.push(`${where}: {{${r}}} names no file of this step`);
      } else if (!params.has(root)) problems.push(`${where}: {{${r}}} names no parameter`);
      else if (r.includes('.') && params.get(root)!.type !== 'cilium-values') problems.push(`${where}: {{${r}}}: ${root} is not an object parameter`);
    }
    for (const wh of whens) if (!params.has(wh.param.split('.')[0]!)) problems.push(`${where}: when names unknown parameter ${wh.param}`);
    for (const c of [...(s.preconditions ?? []).map((p) => p.check), ...s.verification.flatMap((v) => ('check' in v ? [v.check] : []))]) {
      if (!getCheck(c)) problems.push(`${where}: check ${c} does not exist`);
    }
    for (const v of s.verification) if ('readBack' in v && !fileIds.has(v.readBack)) problems.push(`${where}: readBack ${v.readBack} names no file of this step`);
    if (s.cleanupAfterVerify && !s.cleanup?.length) problems.push(`${where}: cleanupAfterVerify without cleanup actions`);
  }
  for (const g of w.guides ?? []) if (guideDir && !existsSync(join(guideDir, g.file))) problems.push(`guide ${g.file} does not exist`);
  return problems;
}

/** Parses and checks one walkthrough file's text. */
export function parseWalkthrough(text: string, guideDir?: string): { walkthrough: Walkthrough | null; problems: string[] } {
  const { data, problems } = parseYamlWith(WalkthroughSchema, text);
  if (!data) return { walkthrough: null, problems };
  const refProblems = checkReferences(data, guideDir);
  return { walkthrough: refProblems.length ? null : data, problems: refProblems };
}

export function loadWalkthroughs(dir: string): LoadResult {
  const { items, errors } = loadYamlDir(
    dir,
    (text, file) => {
      const { walkthrough, problems } = parseWalkthrough(text, dir);
      return { item: walkthrough && { file, walkthrough }, problems };
    },
    (w) => w.walkthrough.id,
  );
  return { walkthroughs: items, errors };
}
