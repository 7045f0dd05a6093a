// Runs @doyensec/electronegativity (kept in tools/electronegativity, out of the
// app's dependencies) over src/ and fails on any HIGH or MEDIUM finding that is
// not a reviewed manual-review item. The tool's CLI exits 0 whatever it finds,
// and its CSV writer races (the header and the rows are two unordered async
// writes to one file, so a row can come back overwritten), so we call its
// runner in a child Node and read the findings as objects.
// Prints one line per finding; exit 1 on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { root } from './build-if-needed.mjs';

const toolDir = join(root, 'tools', 'electronegativity');
const runner = join(toolDir, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'runner.js');
if (!existsSync(runner)) {
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', toolDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(runner)) {
    console.error('electronegativity could not be installed (npm ci in tools/electronegativity failed)');
    process.exit(1);
  }
}

const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
// The same options its CLI passes for `-i src -r -e VERSION`, without an output file.
// `--input DIR` scans another folder (the test of this gate scans a bad window on purpose).
const inputAt = process.argv.indexOf('--input');
const input = inputAt > 0 ? resolve(process.argv[inputAt + 1] ?? '') : join(root, 'src');
const options = {
  input,
  isSarif: false,
  customScan: [],
  excludeFromScan: [],
  isRelative: true,
  isVerbose: false,
  electronUpgrade: undefined,
  electronVersionOverride: electronVersion,
  parserPlugins: [],
};
const child = `
const run = require(${JSON.stringify(runner)});
run(${JSON.stringify(options)}, false).then(
  (r) => process.stdout.write('\\n@@RESULT@@' + JSON.stringify({
    errors: r.errors.filter((e) => !e.tolerable).map((e) => e.file + ': ' + e.message),
    issues: r.issues.map((i) => ({ check: i.id, severity: i.severity && i.severity.name, file: i.file, location: i.location ? i.location.line + ':' + i.location.column : '', sample: i.sample, manualReview: !!i.manualReview })),
  })),
  (e) => { console.error(e && e.stack || String(e)); process.exit(1); },
);`;
const r = spawnSync(process.execPath, ['-e', child], { cwd: toolDir, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
const marker = r.stdout?.lastIndexOf('\n@@RESULT@@') ?? -1;
if (r.status !== 0 || marker < 0) {
  console.error(`electronegativity did not finish (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
  process.exit(1);
}
const result = JSON.parse(r.stdout.slice(marker + '\n@@RESULT@@'.length));
// A finding we cannot read must fail, never pass as "low".
const unreadable = result.issues.filter((f) => typeof f.check !== 'string' || !['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'].includes(f.severity));
if (unreadable.length) {
  console.error(`electronegativity returned ${unreadable.length} findings in an unexpected form: ${JSON.stringify(unreadable[0])}`);
  process.exit(1);
}
const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
if (inputAt < 0) writeFileSync(join(outDir, 'electronegativity.json'), `${JSON.stringify({ electronVersion, ...result }, null, 2)}\n`);

const reviewed = JSON.parse(readFileSync(join(toolDir, 'reviewed.json'), 'utf8')).reviewed;
let failures = 0;
for (const f of result.issues) {
  const serious = f.severity === 'HIGH' || f.severity === 'MEDIUM';
  const ok = reviewed.find((x) => x.check === f.check && x.file === f.file && x.sample === f.sample);
  const verdict = !serious ? 'ok (low)' : ok ? 'reviewed' : 'FAIL';
  if (verdict === 'FAIL') failures++;
  console.log(`${verdict.padEnd(9)} ${f.severity.padEnd(6)} ${f.check} ${f.file}:${f.location} ${(f.sample ?? '').slice(0, 90)}`);
}
// A file it could not parse was not scanned: that is a failure too.
for (const e of result.errors) console.log(`FAIL      not scanned: ${e}`);
failures += result.errors.length;
console.log(`electronegativity (Electron ${electronVersion}): ${result.issues.length} findings, ${failures} HIGH/MEDIUM not reviewed`);
process.exit(failures ? 1 : 0);
