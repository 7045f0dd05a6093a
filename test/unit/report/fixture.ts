import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFactSet } from '../../../src/main/core/facts/types';
import type { ReportInput } from '../../../src/main/core/report';

/** test/fixtures/report: the fixed run (run.json) and the golden files rendered from it. */
export const DIR = join(__dirname, '../../fixtures/report');

/** The fixed run as a ReportInput (a fresh copy each call). */
export function fixedInput(): ReportInput {
  const j = JSON.parse(readFileSync(join(DIR, 'run.json'), 'utf8')) as ReportInput & { facts: unknown };
  return { run: j.run, facts: parseFactSet(j.facts), walkthroughs: j.walkthroughs, policyLint: j.policyLint, generatedAt: j.generatedAt, labVersion: j.labVersion };
}
