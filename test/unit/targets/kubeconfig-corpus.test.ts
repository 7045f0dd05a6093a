import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TargetRegistry } from '../../../src/main/core/targets/registry';
import { kubeconfigPaths } from '../../../src/main/core/targets/kubeconfig';
import { LabError } from '../../../src/shared/errors';
import { issueClientCert, makeCa } from '../../helpers/certs';

const FIXTURES = join(__dirname, '../../fixtures/kubeconfig');
let certs: { CA_DATA: string; CERT_DATA: string; KEY_DATA: string; EXPIRED_CERT_DATA: string; certFile: string; keyFile: string; caFile: string };

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-ca-'));
  const ca = makeCa(dir);
  const good = issueClientCert(ca, 'good', { cn: 'kubernetes-admin', o: 'system:masters' });
  const expired = issueClientCert(ca, 'expired', { cn: 'old-admin', o: 'system:masters', start: '20200101000000Z', end: '20210101000000Z' });
  certs = { CA_DATA: readFileSync(ca.certFile).toString('base64'), CERT_DATA: good.certData, KEY_DATA: good.keyData, EXPIRED_CERT_DATA: expired.certData, certFile: good.certFile, keyFile: good.keyFile, caFile: ca.certFile };
});

const fill = (text: string) => text.replace(/\$\{(\w+)\}/g, (_, k: string) => (certs as unknown as Record<string, string>)[k] ?? '');
const fixture = (name: string) => fill(readFileSync(join(FIXTURES, name), 'utf8'));

/** Writes files into a fresh folder and loads them as KUBECONFIG (in the given order). */
/** PATH is empty: no exec plugin of this machine's can be found by accident. */
function load(files: Record<string, string>, order = Object.keys(files), extraPath = '/nonexistent-path-for-tests') {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-kc-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const reg = new TargetRegistry({ env: { KUBECONFIG: order.map((n) => join(dir, n)).join(':'), PATH: extraPath }, home: dir });
  return { reg, dir, list: reg.list() };
}

const contexts = (l: ReturnType<typeof load>) => l.list.targets.filter((t) => t.kind !== 'host');
const labErr = (fn: () => unknown): LabError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
  throw new Error('expected a LabError');
};

const minimal = (ctx: string, extra = '') => `apiVersion: v1
kind: Config
clusters:
- name: c-${ctx}
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${'${CA_DATA}'}
users:
- name: u-${ctx}
  user:
    token: not-a-real-token-${ctx}
contexts:
- name: ${ctx}
  context:
    cluster: c-${ctx}
    user: u-${ctx}
${extra}`;

describe('kubeconfig corpus: every file yields a clear message, nothing crashes', () => {
  it('1. not YAML at all', () => {
    const l = load({ config: 'clusters: [oops\n  - : :' });
    expect(l.list.files[0]).toMatchObject({ state: 'error' });
    expect(l.list.files[0]!.error).toMatch(/^not valid YAML/);
    expect(contexts(l)).toEqual([]);
  });

  it('2. YAML that is not a kubeconfig (a Deployment)', () => {
    const l = load({ config: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n' });
    expect(l.list.files[0]!.error).toBe('not a kubeconfig: kind is "Deployment", not "Config"');
  });

  it('3. an empty file is a valid, empty kubeconfig', () => {
    const l = load({ config: '' });
    expect(l.list.files[0]).toEqual({ path: expect.stringMatching(/config$/), state: 'loaded' });
    expect(contexts(l)).toEqual([]);
  });

  it('4. no current-context: contexts are still listed, none is current', () => {
    const l = load({ config: fill(minimal('a')) });
    expect(contexts(l).map((t) => [t.name, t.isCurrentContext, t.problems])).toEqual([['a', false, []]]);
  });

  it('5. current-context naming a context that does not exist', () => {
    const l = load({ config: fill(minimal('a', 'current-context: gone\n')) });
    expect(l.list.notes.join('\n')).toContain('current-context "gone" is not defined');
  });

  it('6. a context naming a missing cluster', () => {
    const l = load({ config: fill(minimal('a')).replace('cluster: c-a', 'cluster: nowhere') });
    const t = contexts(l)[0]!;
    expect(t.problems[0]).toContain('names cluster "nowhere", which no kubeconfig file defines');
    expect(labErr(() => l.reg.kubeTarget(t.id)).code).toBe('KUBECONFIG_INVALID');
  });

  it('7. a context naming a missing user', () => {
    const l = load({ config: fill(minimal('a')).replace('user: u-a', 'user: nobody') });
    expect(contexts(l)[0]!.problems[0]).toContain('names user "nobody", which no kubeconfig file defines');
  });

  it('8. a missing exec plugin (EKS): named before connecting, with how to install it', async () => {
    const l = load({ config: fixture('eks-exec.yaml') });
    const t = contexts(l)[0]!;
    expect(t).toMatchObject({ authKind: 'exec', execCommand: 'aws-not-installed-here', execCommandFound: false, kind: 'cluster' });
    const conn = await l.reg.connect(t.id);
    expect(conn.state).toBe('error');
    expect(conn.error).toMatchObject({ code: 'EXEC_PLUGIN_MISSING' });
    expect(conn.error!.message).toContain('the exec credential plugin "aws-not-installed-here" is not on PATH');
    expect(conn.elapsedMs).toBeLessThan(500);
  });

  it('9. GKE exec plugin missing: the kubeconfig’s own installHint is the fix', () => {
    const l = load({ config: fixture('gke-exec.yaml') });
    const t = contexts(l)[0]!;
    expect(t.execCommand).toBe('gke-gcloud-auth-plugin');
    expect(t.problems[0]).toContain('Install gke-gcloud-auth-plugin for use with kubectl');
  });

  it('10. duplicate names across merged files: the first file wins, the later one is noted', () => {
    const first = fill(minimal('dup'));
    const second = fill(minimal('dup')).replace('https://127.0.0.1:6443', 'https://10.9.9.9:6443');
    const l = load({ 'a/config': first, 'b/config': second });
    expect(contexts(l)).toHaveLength(1);
    expect(contexts(l)[0]!.server).toBe('https://127.0.0.1:6443');
    expect(l.list.notes.filter((n) => n.includes('is ignored'))).toHaveLength(3);
  });

  it('11. relative certificate paths resolve against the file that holds them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-rel-'));
    mkdirSync(join(dir, 'kube', 'pki'), { recursive: true });
    writeFileSync(join(dir, 'kube', 'pki', 'ca.crt'), readFileSync(certs.caFile));
    writeFileSync(join(dir, 'kube', 'pki', 'admin.crt'), readFileSync(certs.certFile));
    writeFileSync(join(dir, 'kube', 'pki', 'admin.key'), readFileSync(certs.keyFile));
    writeFileSync(
      join(dir, 'kube', 'config'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n    certificate-authority: pki/ca.crt\nusers:\n- name: u\n  user:\n    client-certificate: pki/admin.crt\n    client-key: ./pki/admin.key\ncontexts:\n- name: rel\n  context: {cluster: c, user: u}\n`,
    );
    const reg = new TargetRegistry({ env: { KUBECONFIG: join(dir, 'kube', 'config') }, home: dir });
    const t = reg.list().targets.find((x) => x.name === 'rel')!;
    expect(t.problems).toEqual([]);
    expect(t.authKind).toBe('client-certificate');
    const kc = reg.kubeConfig(t.id);
    expect(kc.getCurrentCluster()!.caFile).toBe(join(dir, 'kube', 'pki', 'ca.crt'));
    expect(kc.getCurrentUser()!.keyFile).toBe(join(dir, 'kube', 'pki', 'admin.key'));
  });

  it('12. an expired client certificate is caught before connecting', async () => {
    const l = load({ config: fixture('kind.yaml').replace(certs.CERT_DATA, certs.EXPIRED_CERT_DATA) });
    const t = contexts(l)[0]!;
    expect(t.kind).toBe('kind');
    expect(t.problems[0]).toMatch(/client certificate \(CN=old-admin.*\) expired on 2021-01-01/);
    const conn = await l.reg.connect(t.id);
    expect(conn.error).toMatchObject({ code: 'CERT_EXPIRED' });
  });

  it('13. a cluster without a server, and a server that is not a URL', () => {
    const l = load({
      a: fill(minimal('a')).replace('    server: https://127.0.0.1:6443\n', ''),
      b: fill(minimal('b')).replace('https://127.0.0.1:6443', 'localhost:6443'),
    });
    const [a, b] = contexts(l);
    expect(a!.problems[0]).toContain('the cluster entry has no server');
    expect(b!.problems[0]).toContain('the server "localhost:6443" is not an http(s) URL');
  });

  it('14. clusters given as a map instead of a list', () => {
    const l = load({ config: 'apiVersion: v1\nkind: Config\nclusters:\n  kind-lab:\n    server: https://127.0.0.1:1\n' });
    expect(l.list.files[0]!.error).toBe('clusters must be a list');
  });

  it('15. an entry without a name', () => {
    const l = load({ config: 'apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: x\n' });
    expect(l.list.files[0]!.error).toBe('users[0] has no name');
  });

  it('16. a missing file in the KUBECONFIG list is skipped, as kubectl does', () => {
    const l = load({ present: fill(minimal('p')) }, ['absent', 'present']);
    expect(l.list.files.map((f) => f.state)).toEqual(['missing', 'loaded']);
    expect(contexts(l).map((t) => t.name)).toEqual(['p']);
  });

  it('17. KUBECONFIG with empty and repeated entries', () => {
    expect(kubeconfigPaths({ KUBECONFIG: '/a::/b:/a:' })).toEqual(['/a', '/b']);
    expect(kubeconfigPaths({}, '/home/u')).toEqual(['/home/u/.kube/config']);
    expect(kubeconfigPaths({ KUBECONFIG: '' }, '/home/u')).toEqual(['/home/u/.kube/config']);
  });

  it('18. basic authentication (removed in Kubernetes 1.19)', () => {
    const l = load({ config: fill(minimal('a')).replace('token: not-a-real-token-a', 'username: admin\n    password: hunter2') });
    const t = contexts(l)[0]!;
    expect(t.authKind).toBe('basic');
    expect(t.problems[0]).toContain('basic authentication (username/password) was removed in Kubernetes 1.19');
    expect(JSON.stringify(l.list)).not.toContain('hunter2');
  });

  it('19. legacy gcp auth-provider, AKS kubelogin with a namespace, and kind are told apart', () => {
    const l = load({ gcp: fixture('gcp-auth-provider.yaml'), aks: fixture('aks-kubelogin.yaml'), kind: fixture('kind.yaml') });
    const byName = Object.fromEntries(contexts(l).map((t) => [t.name, t]));
    expect(byName['gke_old-project_us-central1-a_legacy']).toMatchObject({ authKind: 'auth-provider', authProvider: 'gcp' });
    expect(byName['aks-lab']).toMatchObject({ authKind: 'exec', execCommand: 'kubelogin', namespace: 'netops' });
    expect(byName['aks-lab']!.problems[0]).toContain('azure.github.io/kubelogin');
    expect(byName['kind-lab']).toMatchObject({ kind: 'kind', kindCluster: 'lab', authKind: 'client-certificate', isCurrentContext: false });
    // gcp's current-context came first in the list, but gcp has none: aks' wins.
    expect(byName['aks-lab']!.isCurrentContext).toBe(true);
  });

  it('20. a folder where a file should be', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-kc-'));
    const reg = new TargetRegistry({ env: { KUBECONFIG: dir }, home: dir });
    expect(reg.list().files[0]).toMatchObject({ state: 'error', error: 'is a folder, not a file' });
  });

  it('21. a YAML alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const l = load({ config: bomb });
    expect(l.list.files[0]!.state).toBe('error');
  });

  it('22. a client certificate file that does not exist', () => {
    const l = load({ config: fill(minimal('a')).replace('token: not-a-real-token-a', 'client-certificate: certs/missing.crt\n    client-key: certs/missing.key') });
    expect(contexts(l)[0]!.problems[0]).toMatch(/client certificate file .*certs\/missing\.crt does not exist/);
  });

  it('no secret from any kubeconfig reaches the target list', () => {
    const l = load({ kind: fixture('kind.yaml'), tok: fill(minimal('t')) });
    const json = JSON.stringify(l.list);
    expect(json).not.toContain(certs.KEY_DATA.slice(0, 40));
    expect(json).not.toContain(certs.CERT_DATA.slice(0, 40));
    expect(json).not.toContain('not-a-real-token-t');
  });
});
