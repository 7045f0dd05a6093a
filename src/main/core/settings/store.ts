import { readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SettingsSchema, type Settings } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { TOOLS, resolveTool } from '../runner/tools';
import { writeFileAtomic } from '../storage/files';

export const DEFAULT_SETTINGS: Settings = { toolPaths: {}, selectedTargetId: null };

/** The config folder: DATAPATH_LAB_CONFIG_DIR, else $XDG_CONFIG_HOME/datapath-lab, else ~/.config/datapath-lab. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATAPATH_LAB_CONFIG_DIR) return env.DATAPATH_LAB_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'datapath-lab');
}

/**
 * Settings in one JSON file, validated on load and on update. A corrupt file
 * is kept aside (settings.json.corrupt-<time>) and defaults are used: nothing
 * crashes and nothing the user wrote is lost.
 */
export class SettingsStore {
  private current: Settings;
  readonly file: string;
  readonly warning: string | null = null;

  constructor(dir: string = defaultConfigDir()) {
    this.file = join(dir, 'settings.json');
    let loaded: Settings = structuredClone(DEFAULT_SETTINGS);
    try {
      const raw = readFileSync(this.file, 'utf8');
      const parsed = SettingsSchema.partial().safeParse(JSON.parse(raw));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      loaded = { ...loaded, ...parsed.data };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${this.file}.corrupt-${Date.now()}`;
        try {
          renameSync(this.file, aside);
        } catch {
          /* keep going with defaults */
        }
        this.warning = `Settings file ${this.file} could not be read (${(err as Error).message}); it was kept as ${aside} and defaults are in use.`;
      }
    }
    this.current = loaded;
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  update(patch: Partial<Settings>): Settings {
    if (patch.toolPaths) {
      for (const [tool, p] of Object.entries(patch.toolPaths)) {
        if (!TOOLS[tool]) throw new LabError('INVALID_REQUEST', `${tool} is not a tool the lab runs`);
        if (p === '') continue;
        if (!isAbsolute(p)) throw new LabError('INVALID_REQUEST', `the path for ${tool} must be absolute: ${p}`);
        const status = resolveTool(tool, { toolPaths: { [tool]: p }, pathEnv: '' });
        if (status.source !== 'settings') throw new LabError('INVALID_REQUEST', `${p} is not an executable file`, `Point it at the ${tool} binary itself.`);
      }
      patch = { ...patch, toolPaths: Object.fromEntries(Object.entries({ ...this.current.toolPaths, ...patch.toolPaths }).filter(([, p]) => p !== '')) };
    }
    const next = SettingsSchema.parse({ ...this.current, ...patch });
    writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, 0o600);
    this.current = next;
    return this.get();
  }
}
