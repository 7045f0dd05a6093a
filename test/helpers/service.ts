import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, type LabServiceOptions } from '../../src/main/core/service';
import { startWebServer } from '../../src/main/web/server';

/** A lab service with a throw-away config folder. */
export function testService(opts: Partial<LabServiceOptions> = {}) {
  const configDir = mkdtempSync(join(tmpdir(), 'dlab-config-'));
  // Never the developer's own ~/.kube/config: an empty KUBECONFIG unless the test gives one.
  const env = { ...process.env, KUBECONFIG: join(configDir, 'no-kubeconfig') };
  return createLabService({ transport: 'browser', configDir, env, watchKubeconfigs: false, ...opts });
}

/** Browser mode over a minimal renderer folder, for transport tests. */
export async function testWebServer(opts: Partial<LabServiceOptions> = {}) {
  const service = testService(opts);
  const rendererDir = mkdtempSync(join(tmpdir(), 'dlab-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Datapath Lab</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  const web = await startWebServer({ service, rendererDir });
  return { service, web, rendererDir };
}
