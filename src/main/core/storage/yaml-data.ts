import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';

/**
 * The lab's own data files (walkthroughs, pitfalls) are YAML checked by a zod schema, and a
 * file that is wrong is reported with every problem as a line, never thrown: one bad file
 * must not hide the others.
 */

interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
}

/**
 * zod issues as lines. A union that failed ("Invalid input") is explained by the branch that
 * came closest (fewest issues), so "tool: Invalid option" is shown rather than "Invalid input".
 */
export function describeIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((i) => {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && i.errors?.length) {
      const best = [...i.errors].sort((a, b) => a.length - b.length)[0]!;
      if (best.length) return describeIssues(best, path);
    }
    return [`${path.map(String).join('.') || '(file)'}: ${i.message}`];
  });
}

/** YAML text checked against a schema: the data, or the problems as lines. */
export function parseYamlWith<T>(schema: z.ZodType<T>, text: string): { data: T | null; problems: string[] } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { data: null, problems: [`not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  const r = schema.safeParse(raw);
  if (!r.success) return { data: null, problems: describeIssues(r.error.issues as Issue[]) };
  return { data: r.data, problems: [] };
}

/**
 * Every .yaml/.yml file of a folder, in name order, parsed by `parseFile`; ids must be unique.
 * A missing folder is an empty result.
 */
export function loadYamlDir<T>(
  dir: string,
  parseFile: (text: string, file: string) => { item: T | null; problems: string[] },
  idOf: (item: T) => string,
): { items: T[]; errors: { file: string; problems: string[] }[] } {
  const out: { items: T[]; errors: { file: string; problems: string[] }[] } = { items: [], errors: [] };
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch {
    return out;
  }
  const ids = new Set<string>();
  for (const name of names) {
    const file = join(dir, name);
    const { item, problems } = parseFile(readFileSync(file, 'utf8'), file);
    if (item && ids.has(idOf(item))) problems.push(`id ${idOf(item)} is used by another file`);
    if (!item || problems.length) {
      out.errors.push({ file, problems });
      continue;
    }
    ids.add(idOf(item));
    out.items.push(item);
  }
  return out;
}
