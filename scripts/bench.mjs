// `npm run bench [-- SUITE ...]`: runs benchmarks (default: all) and prints
// their figures with references side by side. Suites: terminal, checks, policy.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfNeeded, root } from './build-if-needed.mjs';

const SUITES = ['terminal', 'checks', 'policy'];
const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (choose from ${SUITES.join(', ')})`);
  process.exit(2);
}
if (!buildIfNeeded({ quiet: true })) process.exit(1);
let failed = 0;
for (const suite of asked.length ? asked : SUITES) {
  const file = join(root, 'test', 'bench', `${suite}.ts`);
  if (!existsSync(file)) {
    console.log(`\n${suite}: not built yet`);
    continue;
  }
  const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
