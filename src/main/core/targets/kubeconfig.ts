import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The raw shapes we read from a kubeconfig (only what we use). */
export interface RawCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}
export interface RawExec {
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}
export interface RawUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: RawExec;
  'auth-provider'?: { name?: string; config?: Record<string, string> };
  as?: string;
}
export interface RawContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** A named entry and the file it came from (first file wins, as in kubectl). */
export interface Entry<T> {
  name: string;
  value: T;
  file: string;
}

export interface FileStatus {
  path: string;
  state: 'loaded' | 'missing' | 'error';
  error?: string;
}

export interface MergedKubeconfig {
  files: FileStatus[];
  clusters: Map<string, Entry<RawCluster>>;
  users: Map<string, Entry<RawUser>>;
  contexts: Map<string, Entry<RawContext>>;
  currentContext: string | null;
  /** Name clashes resolved by "first file wins", so users can see which entry was ignored. */
  shadowed: string[];
}

/**
 * Which files kubectl reads: every entry of KUBECONFIG (in order, empty and
 * repeated entries dropped), else ~/.kube/config.
 */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const list = env.KUBECONFIG;
  if (list !== undefined && list.trim() !== '') {
    const seen = new Set<string>();
    return list
      .split(delimiter)
      .map((p) => p.trim())
      .filter((p) => p && !seen.has(p) && seen.add(p))
      .map((p) => resolve(p));
  }
  return [join(home, '.kube', 'config')];
}

/** Relative paths in a kubeconfig are relative to the file that holds them (clientcmd ResolvePaths). */
function resolveIn(file: string, p: string | undefined): string | undefined {
  if (!p || isAbsolute(p)) return p;
  return resolve(dirname(file), p);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one kubeconfig file's text; throws an Error naming what is wrong. */
export function parseKubeconfigText(text: string, file: string) {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [], currentContext: null as string | null };
  if (!isRecord(doc)) throw new Error('not a kubeconfig: the top level is not a mapping');
  if (doc.kind !== undefined && doc.kind !== 'Config') throw new Error(`not a kubeconfig: kind is ${JSON.stringify(doc.kind)}, not "Config"`);
  const list = <T>(key: string, inner: string): Entry<T>[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new Error(`${key} must be a list`);
    return v.map((item, i) => {
      if (!isRecord(item)) throw new Error(`${key}[${i}] must be a mapping`);
      if (typeof item.name !== 'string' || !item.name) throw new Error(`${key}[${i}] has no name`);
      const value = item[inner];
      if (value !== undefined && value !== null && !isRecord(value)) throw new Error(`${key}[${i}] (${item.name}): ${inner} must be a mapping`);
      return { name: item.name, value: (value ?? {}) as T, file };
    });
  };
  const clusters = list<RawCluster>('clusters', 'cluster').map((c) => ({
    ...c,
    value: { ...c.value, 'certificate-authority': resolveIn(file, c.value['certificate-authority']) },
  }));
  const users = list<RawUser>('users', 'user').map((u) => {
    const v = { ...u.value };
    v['client-certificate'] = resolveIn(file, v['client-certificate']);
    v['client-key'] = resolveIn(file, v['client-key']);
    v.tokenFile = resolveIn(file, v.tokenFile);
    // An exec command with a path separator is relative to the file; a bare name is looked up on PATH.
    if (v.exec?.command && v.exec.command.includes('/')) v.exec = { ...v.exec, command: resolveIn(file, v.exec.command) };
    return { ...u, value: v };
  });
  const contexts = list<RawContext>('contexts', 'context');
  const cc = doc['current-context'];
  if (cc !== undefined && cc !== null && typeof cc !== 'string') throw new Error('current-context must be a string');
  return { clusters, users, contexts, currentContext: cc ? cc : null };
}

/** Loads and merges kubeconfig files the way kubectl does: first file wins for every name. */
export function loadKubeconfigs(paths: string[]): MergedKubeconfig {
  const merged: MergedKubeconfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: null, shadowed: [] };
  for (const path of paths) {
    let text: string;
    try {
      if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder, not a file'), { code: 'EISDIR' });
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      merged.files.push(
        e.code === 'ENOENT'
          ? { path, state: 'missing' }
          : { path, state: 'error', error: e.code === 'EACCES' ? 'cannot be read (permission denied)' : e.message },
      );
      continue;
    }
    try {
      const doc = parseKubeconfigText(text, path);
      for (const [kind, entries, map] of [
        ['cluster', doc.clusters, merged.clusters],
        ['user', doc.users, merged.users],
        ['context', doc.contexts, merged.contexts],
      ] as const) {
        for (const e of entries as Entry<unknown>[]) {
          if ((map as Map<string, Entry<unknown>>).has(e.name)) {
            merged.shadowed.push(`${kind} "${e.name}" in ${path} is ignored: ${(map as Map<string, Entry<unknown>>).get(e.name)!.file} defines it first`);
          } else (map as Map<string, Entry<unknown>>).set(e.name, e);
        }
      }
      if (!merged.currentContext && doc.currentContext) merged.currentContext = doc.currentContext;
      merged.files.push({ path, state: 'loaded' });
    } catch (err) {
      merged.files.push({ path, state: 'error', error: (err as Error).message });
    }
  }
  return merged;
}

export type AuthKind = 'token' | 'client-certificate' | 'exec' | 'auth-provider' | 'basic' | 'none';

/** How a user authenticates, without the secret. */
export function authKind(user: RawUser | undefined): AuthKind {
  if (!user) return 'none';
  if (user.exec) return 'exec';
  if (user['auth-provider']) return 'auth-provider';
  if (user['client-certificate'] || user['client-certificate-data']) return 'client-certificate';
  if (user.token || user.tokenFile) return 'token';
  if (user.username || user.password) return 'basic';
  return 'none';
}
