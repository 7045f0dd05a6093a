import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The app's folder (the one with package.json "name": "datapath-lab"), found
 * by walking up from this module: works from src/ (tests, tsx) and from out/
 * (the built app and CLI).
 */
export function appRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'datapath-lab') return (root = dir);
      } catch {
        /* keep looking */
      }
    }
    dir = dirname(dir);
  }
  return (root = process.cwd());
}

/** resources/: walkthroughs, baseline policies, demo snapshots. */
export function resourcesDir(): string {
  return process.env.DATAPATH_LAB_RESOURCES ?? join(appRoot(), 'resources');
}
