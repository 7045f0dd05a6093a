// `npm test`: typecheck, lint, the Electron security scan, unit and integration
// tests (vitest, integration against a real local control plane), and
// end-to-end tests (Playwright driving Debian's Chromium against browser
// mode). Every step runs even when an earlier one fails; the last line counts
// every test that ran: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfNeeded, root } from './build-if-needed.mjs';

const results = [];
const bin = (name) => join(root, 'node_modules', '.bin', name);
mkdirSync(join(root, 'test-results'), { recursive: true });

function step(name, cmd, args, opts = {}) {
  process.stdout.write(`\n=== ${name}: ${[cmd, ...args].join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs} s\n`);
  return r.status === 0;
}

/** A step that is one check: counts as one test. */
function check(name, cmd, args, opts) {
  const ok = step(name, cmd, args, opts);
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
}

function ensureChromium() {
  const chromium = process.env.DATAPATH_LAB_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return true;
  const debian = existsSync('/etc/debian_version');
  if (debian && process.getuid?.() === 0) {
    process.stdout.write('Chromium is missing: installing Debian\'s chromium package…\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    if (existsSync(chromium)) return true;
  }
  console.error(
    debian
      ? `Chromium is not installed at ${chromium}: run \`sudo apt-get install chromium\` and re-run npm test.`
      : `Chromium is not at ${chromium}: install Chromium and set DATAPATH_LAB_CHROMIUM to its binary.`,
  );
  return false;
}

// 1. Build (the e2e tests and the CLI tests use the built app).
if (!buildIfNeeded()) results.push({ name: 'build', passed: 0, failed: 1, skipped: 0 });

// 2. Static checks.
check('typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (web)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
check('lint', bin('eslint'), ['.']);
check('electronegativity', process.execPath, [join(root, 'scripts', 'electronegativity.mjs')]);

// 3. Unit and integration tests.
const vitestJson = join(root, 'test-results', 'vitest.json');
rmSync(vitestJson, { force: true });
step('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  // A file that failed to load counts as a failure too.
  const brokenFiles = v.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  results.push({ name: 'vitest', passed: v.numPassedTests, failed: v.numFailedTests + brokenFiles, skipped: v.numPendingTests + v.numTodoTests });
} else {
  results.push({ name: 'vitest', passed: 0, failed: 1, skipped: 0 });
}

// 4. End-to-end tests in Chromium.
const e2eJson = join(root, 'test-results', 'e2e.json');
rmSync(e2eJson, { force: true });
if (ensureChromium()) {
  step('playwright', bin('playwright'), ['test']);
  if (existsSync(e2eJson)) {
    const s = JSON.parse(readFileSync(e2eJson, 'utf8')).stats;
    results.push({ name: 'playwright', passed: s.expected + s.flaky, failed: s.unexpected + (s.expected + s.unexpected + s.flaky === 0 ? 1 : 0), skipped: s.skipped });
  } else {
    results.push({ name: 'playwright', passed: 0, failed: 1, skipped: 0 });
  }
} else {
  results.push({ name: 'playwright (no Chromium)', passed: 0, failed: 1, skipped: 0 });
}

const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
process.stdout.write('\nSummary\n');
for (const r of results) process.stdout.write(`  ${r.name.padEnd(24)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}\n`);
if (total.skipped) process.stdout.write(`${total.skipped} skipped (each says why in the output above)\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`);
process.exit(total.failed ? 1 : 0);
