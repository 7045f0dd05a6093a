import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');

// The real scanner (tools/electronegativity) on a real insecure window: the gate `npm test`
// relies on must fail on HIGH/MEDIUM findings, not only pass on our own code.
describe('the electronegativity gate', () => {
  it('fails on an insecure BrowserWindow and names each finding', { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'electronegativity.mjs'), '--input', join(ROOT, 'test', 'fixtures', 'electronegativity', 'insecure-window')], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status, r.stderr).toBe(1);
    const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(fails.join('\n')).toMatch(/HIGH +LIMIT_NAVIGATION_GLOBAL_CHECK/);
    expect(fails.join('\n')).toMatch(/MEDIUM +SANDBOX_JS_CHECK main.ts:6/);
    expect(fails.join('\n')).toMatch(/HIGH +CONTEXT_ISOLATION_JS_CHECK main.ts:6/);
    expect(r.stdout).toMatch(/HIGH\/MEDIUM not reviewed$/m);
  });
});
