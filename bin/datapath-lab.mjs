#!/usr/bin/env node
// The `datapath-lab` command: runs the built CLI under plain Node (no Electron needed).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  // First run from a source checkout: build once.
  process.stderr.write('datapath-lab: not built yet; running `npm run build` once…\n');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(cli)) {
    process.stderr.write('datapath-lab: the build failed; run `npm run build` to see why.\n');
    process.exit(2);
  }
}
await import(pathToFileURL(cli).href);
