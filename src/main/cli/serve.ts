import { existsSync } from 'node:fs';
import { createLabService } from '../core/service';
import { startWebServer } from '../web/server';
import { rendererDir } from './paths';

export interface ServeOptions {
  port?: number;
  /** Printed before the URL, e.g. why Electron did not start. */
  reason?: string;
}

/** Starts browser mode and prints the URL to open; runs until SIGINT/SIGTERM. */
export async function serve(opts: ServeOptions): Promise<void> {
  const dir = rendererDir();
  if (!existsSync(`${dir}/index.html`)) {
    console.error(`The renderer is not built (${dir}/index.html is missing): run \`npm run build\` first.`);
    process.exitCode = 2;
    return;
  }
  const service = createLabService({ transport: 'browser' });
  let web;
  try {
    web = await startWebServer({ service, rendererDir: dir, port: opts.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE'
        ? `Port ${opts.port} on 127.0.0.1 is already in use: pick another with --port N, or omit --port for a free one.`
        : `Could not start browser mode: ${e.message}`,
    );
    process.exitCode = 2;
    return;
  }
  if (opts.reason) console.log(opts.reason);
  console.log('Datapath Lab is running in browser mode on 127.0.0.1 only. Open:');
  console.log(`  ${web.url}`);
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.dispose();
  await web.close();
}
