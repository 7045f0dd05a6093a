// Runs @doyensec/electronegativity (kept in tools/electronegativity, out of the
// app's dependencies) over src/ and fails on any HIGH or MEDIUM finding that is
// not a reviewed manual-review item. The tool exits 0 whatever it finds, so we
// read its CSV report. Prints one line per finding; exit 1 on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build-if-needed.mjs';

const toolDir = join(root, 'tools', 'electronegativity');
const bin = join(toolDir, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
if (!existsSync(bin)) {
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', toolDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(bin)) {
    console.error('electronegativity could not be installed (npm ci in tools/electronegativity failed)');
    process.exit(1);
  }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field.trim());
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const report = join(outDir, 'electronegativity.csv');
// The tool overwrites without truncating: start from no file.
rmSync(report, { force: true });
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const r = spawnSync(process.execPath, [bin, '-i', join(root, 'src'), '-o', report, '-r', '-e', electronVersion], { encoding: 'utf8', timeout: 300_000 });
if (r.status !== 0 || !existsSync(report)) {
  console.error(`electronegativity did not produce a report (exit ${r.status}): ${r.stderr}`);
  process.exit(1);
}
const [header, ...rows] = parseCsv(readFileSync(report, 'utf8')).filter((x) => x.length > 1);
const col = (name) => header.indexOf(name);
// A report we cannot read must fail, never pass with fewer findings.
const bad = rows.filter((row) => row.length !== header.length);
if (col('issue') < 0 || col('severity') < 0 || col('sample') < 0 || bad.length) {
  console.error(`electronegativity's report ${report} is not in the expected form (${bad.length} malformed rows)`);
  process.exit(1);
}
const reviewed = JSON.parse(readFileSync(join(toolDir, 'reviewed.json'), 'utf8')).reviewed;
let failures = 0;
for (const row of rows) {
  const f = { check: row[col('issue')], severity: row[col('severity')] ?? '', file: row[col('filename')], location: row[col('location')], sample: row[col('sample')] };
  const serious = f.severity === 'HIGH' || f.severity === 'MEDIUM';
  const ok = reviewed.find((x) => x.check === f.check && x.file === f.file && x.sample === f.sample);
  const verdict = !serious ? 'ok (low)' : ok ? 'reviewed' : 'FAIL';
  if (verdict === 'FAIL') failures++;
  console.log(`${verdict.padEnd(9)} ${f.severity.padEnd(6)} ${f.check} ${f.file}:${f.location} ${(f.sample ?? '').slice(0, 90)}`);
}
console.log(`electronegativity (Electron ${electronVersion}): ${rows.length} findings, ${failures} HIGH/MEDIUM not reviewed`);
process.exit(failures ? 1 : 0);
