import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../../fixtures/dataplane');

export function fixture(dir: string, name: string): string {
  return readFileSync(join(FIXTURES, dir, name), 'utf8');
}

export function fixtureNames(dir: string, ext?: string): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => (ext ? f.endsWith(ext) : true))
    .sort();
}

/** Every fixture file, by folder. */
export function allFixtures(): { dir: string; name: string; text: string }[] {
  return ['cilium-status', 'agent-status', 'service-list', 'hubble'].flatMap((dir) =>
    fixtureNames(dir).map((name) => ({ dir, name, text: fixture(dir, name) })),
  );
}
