// Self-contained kubeconfig files (certificates embedded), one context each.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  /** name of the cluster, user and context entries unless overridden */
  context: string;
  cluster?: string;
  user?: string;
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const b64 = (file: string) => Buffer.from(readFileSync(file)).toString('base64');

export function renderKubeconfig(s: KubeconfigSpec): string {
  const cluster = s.cluster ?? s.context;
  const user = s.user ?? s.context;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': s.context,
    clusters: [{ name: cluster, cluster: { server: s.server, 'certificate-authority-data': b64(s.caFile) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(s.certFile), 'client-key-data': b64(s.keyFile) } }],
    contexts: [{ name: s.context, context: { cluster, user } }],
  });
}

/** Writes atomically with mode 0600 (it holds a private key). */
export function writeKubeconfig(path: string, s: KubeconfigSpec): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderKubeconfig(s), { mode: 0o600 });
  renameSync(tmp, path);
}
