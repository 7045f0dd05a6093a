// `npm start`: build when needed, then open the Electron window. When the
// Electron binary is missing and cannot be downloaded (air-gapped installs, CI
// machines) or there is no display, say so in one line and start browser mode.
// `npm run serve` (--serve) starts browser mode directly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfNeeded, root } from './build-if-needed.mjs';
import { electronBinary } from './electron-binary.mjs';

const args = process.argv.slice(2);
const serveOnly = args.includes('--serve');
const passThrough = args.filter((a) => a !== '--serve');

if (!buildIfNeeded()) {
  console.error('The build failed (see above); fix it and run `npm start` again.');
  process.exit(1);
}

/** Returns [binary, null] or [null, reason]. Tries the download once when missing. */
function findElectron() {
  if (!existsSync(join(root, 'node_modules', 'electron'))) return [null, 'the electron package is not installed (run `npm install`)'];
  let bin = electronBinary(root);
  if (!bin) {
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { encoding: 'utf8', timeout: 120_000 });
    bin = electronBinary(root);
    if (!bin) {
      const first = `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').find((l) => l.trim()) ?? 'no output';
      return [null, `the Electron binary is missing and could not be downloaded (${first.trim()})`];
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return [null, 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)'];
  }
  return [bin, null];
}

function serve(reason) {
  const cliArgs = [join(root, 'out', 'main', 'cli.js'), 'serve', ...passThrough];
  if (reason) cliArgs.push('--reason', reason);
  const child = spawn(process.execPath, cliArgs, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (serveOnly) {
  serve(null);
} else {
  const [bin, reason] = findElectron();
  if (!bin) {
    serve(`Electron cannot start: ${reason}; starting browser mode instead.`);
  } else {
    const child = spawn(bin, [root, ...passThrough], { stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
