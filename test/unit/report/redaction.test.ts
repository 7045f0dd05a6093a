import { createSign, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runOnTarget, snapshotGather } from '../../../src/main/core/checkrun/run';
import { factsFromObjects, mergeFactSets, setNodeFact, type RawObject } from '../../../src/main/core/facts';
import type { FactSet } from '../../../src/main/core/facts/types';
import { renderReport, REPORT_FORMATS, withReportFacts } from '../../../src/main/core/report';
import { findSecrets, redactText } from '../../../src/main/core/redact/redact';
import { makeSnapshot, readSnapshot, writeSnapshot } from '../../../src/main/core/snapshot/snapshot';
import { known } from '../../../src/shared/facts';
import { issueClientCert, makeCa } from '../../helpers/certs';

/**
 * The redaction test: a "cluster" full of real-shaped secrets goes through a snapshot
 * (makeSnapshot → file → readSnapshot) and a check run on it into the three report
 * formats; no secret value, and nothing shaped like a PEM block, base64 PEM or JWT, may
 * appear in any file written.
 *
 * Key material is made here by openssl (nothing is committed); the service-account JWT
 * is signed with it the way the API server signs one (RS256, kid, the usual claims).
 */

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

interface Material {
  dir: string;
  caPem: string;
  caKeyPem: string;
  clientCertData: string;
  clientKeyData: string;
  ecKeyPem: string;
  saJwt: string;
  oidcIdToken: string;
  jws: string;
}

function signJwt(keyPem: string, header: object, payload: object): string {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(payload));
  const sig = createSign('RSA-SHA256').update(`${h}.${p}`).sign(keyPem);
  return `${h}.${p}.${b64url(sig)}`;
}

function makeMaterial(): Material {
  const dir = mkdtempSync(join(tmpdir(), 'dlab-redact-'));
  const ca = makeCa(join(dir, 'ca'), 'kubernetes');
  const client = issueClientCert(ca, 'admin', { cn: 'kubernetes-admin', o: 'kubeadm:cluster-admins' });
  const ecKey = join(dir, 'ec.key');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ecKey]);
  const caKeyPem = readFileSync(ca.keyFile, 'utf8');
  const now = 1748856600;
  const saJwt = signJwt(
    caKeyPem,
    { alg: 'RS256', kid: 'Jq3n0xCk2vY8c5t1Zs4hB7mQeWfR9uLdA6pK0gTnVxE' },
    {
      aud: ['https://kubernetes.default.svc.cluster.local'],
      exp: now + 3607,
      iat: now,
      iss: 'https://kubernetes.default.svc.cluster.local',
      jti: '3c1c8a1e-6f0e-4f8e-9f55-2d4b7b9f1a10',
      'kubernetes.io': {
        namespace: 'kube-system',
        node: { name: 'lab-worker', uid: '6b7e0f0c-8d1c-4bb3-a0c4-1f9b7b0b2d11' },
        pod: { name: 'cilium-7xk2p', uid: '0d2c4b1e-7a53-4a0e-9a64-92f6c3f1e8a2' },
        serviceaccount: { name: 'cilium', uid: 'f2e5c7a9-1b3d-4f6e-8a0c-5d7b9e1f3a2c' },
        warnafter: now + 3600,
      },
      nbf: now,
      sub: 'system:serviceaccount:kube-system:cilium',
    },
  );
  const oidcIdToken = signJwt(caKeyPem, { alg: 'RS256', kid: 'oidc-1' }, { iss: 'https://accounts.example.com', sub: '1234567890', aud: 'kubernetes', email: 'alice@example.com', exp: now + 3600, iat: now });
  // cluster-info's detached JWS (header..signature), as kubeadm's bootstrap signer writes it
  const jws = `${b64url(JSON.stringify({ alg: 'HS256', kid: 'abcdef' }))}..${b64url(randomBytes(32))}`;
  return {
    dir,
    caPem: readFileSync(ca.certFile, 'utf8'),
    caKeyPem,
    clientCertData: client.certData,
    clientKeyData: client.keyData,
    ecKeyPem: readFileSync(ecKey, 'utf8'),
    saJwt,
    oidcIdToken,
    jws,
  };
}

/** Literal secret values that must not appear anywhere (each checked as a substring). */
const PLAIN = {
  awsKeyId: 'AKIAZ7QW3XRT5NPLK4VE',
  awsSecret: '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',
  awsSession: 'IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQD1example1sessionTokenX9',
  ghToken: 'ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy',
  dbPassword: 'pa55-W0rd-Db!2025',
  appToken: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  webhookToken: 'whk_4c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f',
  basicPassword: 'Sup3rS3cretBasic',
  clientSecret: 'oidc-client-s3cr3t-Zx81',
  refreshToken: 'rt.1a2b3c4d5e6f7g8h9i0j',
  bootstrapToken: 'abcdef.0123456789abcdef',
  jksBytes: 'MIIKXgIBAzCCChcGCSqGSIb3DQEHAaCCCggEggoEMIIKADCCBb',
  slack: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
};

let M: Material;
let outDir: string;
let files: Record<string, string>;
let secrets: string[];

function kubeconfigs() {
  // As `kind create cluster` writes it: client certificate and key data.
  const kind = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'kind-lab',
    clusters: [{ name: 'kind-lab', cluster: { server: 'https://127.0.0.1:39847', 'certificate-authority-data': b64(M.caPem) } }],
    contexts: [{ name: 'kind-lab', context: { cluster: 'kind-lab', user: 'kind-lab' } }],
    users: [
      { name: 'kind-lab', user: { 'client-certificate-data': M.clientCertData, 'client-key-data': M.clientKeyData } },
      { name: 'sa', user: { token: M.saJwt } },
      { name: 'basic', user: { username: 'admin', password: PLAIN.basicPassword } },
      {
        name: 'oidc',
        user: { 'auth-provider': { name: 'oidc', config: { 'client-id': 'kubernetes', 'client-secret': PLAIN.clientSecret, 'id-token': M.oidcIdToken, 'refresh-token': PLAIN.refreshToken, 'idp-issuer-url': 'https://accounts.example.com' } } },
      },
    ],
  };
  // As `aws eks update-kubeconfig` writes it, with static credentials in the exec env.
  const eks = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-net', cluster: { server: 'https://6A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.eu-west-1.eks.amazonaws.com', 'certificate-authority-data': b64(M.caPem) } }],
    contexts: [{ name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-net', context: { cluster: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-net', user: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-net' } }],
    users: [
      {
        name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-net',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'prod-net', '--output', 'json'],
            env: [
              { name: 'AWS_ACCESS_KEY_ID', value: PLAIN.awsKeyId },
              { name: 'AWS_SECRET_ACCESS_KEY', value: PLAIN.awsSecret },
              { name: 'AWS_SESSION_TOKEN', value: PLAIN.awsSession },
              { name: 'AWS_PROFILE', value: 'prod' },
            ],
          },
        },
      },
    ],
  };
  return { kind, eks };
}

function cluster(): RawObject[] {
  const { kind } = kubeconfigs();
  const lastApplied = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', annotations: { token: PLAIN.appToken } }, spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'GITHUB_TOKEN', value: PLAIN.ghToken }] }] } } } });
  const node = (name: string, role: string | null) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(role ? { [`node-role.kubernetes.io/${role}`]: '' } : {}) }, annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock' } },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: {
      addresses: [{ type: 'InternalIP', address: role ? '172.18.0.3' : '172.18.0.2' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { kernelVersion: '6.8.0-1008-gke', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://2.1.1', kubeletVersion: 'v1.34.4', architecture: 'amd64' },
    },
  });
  const envAll = [
    { name: 'KUBERNETES_SERVICE_HOST', value: 'lab-control-plane' },
    { name: 'KUBERNETES_SERVICE_PORT', value: '6443' },
    { name: 'AWS_ACCESS_KEY_ID', value: PLAIN.awsKeyId },
    { name: 'AWS_SECRET_ACCESS_KEY', value: PLAIN.awsSecret },
    { name: 'DATABASE_URL', value: `postgres://app:${PLAIN.dbPassword}@db.shop:5432/app` },
    { name: 'SA_TOKEN', valueFrom: { secretKeyRef: { name: 'cilium-token', key: 'token' } } },
  ];
  const objs: unknown[] = [
    node('lab-control-plane', 'control-plane'),
    node('lab-worker', null),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'cilium', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, 'example.com/webhook-token': PLAIN.webhookToken } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.18.6', env: envAll, args: ['--config-dir=/tmp/cilium/config-map', '--token', PLAIN.appToken, `--api-key=${PLAIN.webhookToken}`] },
            ],
            initContainers: [{ name: 'config', image: 'quay.io/cilium/cilium:v1.18.6', command: ['sh', '-c', `export GITHUB_TOKEN=${PLAIN.ghToken} && cilium-dbg build-config`] }],
          },
        },
      },
      status: { desiredNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.1', env: [{ name: 'SLACK_WEBHOOK', value: PLAIN.slack }] }] } } },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config', namespace: 'kube-system' },
      data: { 'kube-proxy-replacement': 'true', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', ipam: 'kubernetes', 'cluster-name': 'lab' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'shop' },
      data: {
        token: PLAIN.appToken,
        'ca.crt': M.caPem,
        'tls.key': M.ecKeyPem,
        'application.properties': `spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=${PLAIN.dbPassword}\naws.secretAccessKey=${PLAIN.awsSecret}\n`,
        'config.json': JSON.stringify({ apiKey: PLAIN.webhookToken, clientSecret: PLAIN.clientSecret, auth: { bearer: M.saJwt } }),
        kubeconfig: stringify(kind),
        'join.sh': `kubeadm join 172.18.0.3:6443 --token ${PLAIN.bootstrapToken} --discovery-token-ca-cert-hash sha256:1f0e5b2a`,
      },
      binaryData: { 'keystore.jks': PLAIN.jksBytes },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-info', namespace: 'kube-public' },
      data: { kubeconfig: stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster: { server: 'https://172.18.0.3:6443', 'certificate-authority-data': b64(M.caPem) } }] }), 'jws-kubeconfig-abcdef': M.jws },
    },
    {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'cilium-token', namespace: 'kube-system', annotations: { 'kubernetes.io/service-account.name': 'cilium' } }, data: { token: b64(M.saJwt), 'ca.crt': b64(M.caPem), namespace: b64('kube-system') } },
        { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'hubble-server-certs', namespace: 'kube-system' }, data: { 'tls.crt': b64(M.caPem), 'tls.key': b64(M.caKeyPem) } },
        { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'regcred', namespace: 'shop' }, data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`bot:${PLAIN.ghToken}`) } } })) } },
        { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: PLAIN.dbPassword } },
      ],
    },
  ];
  return objs as RawObject[];
}

function nodeFacts(): FactSet {
  const set: FactSet = {};
  setNodeFact(set, 'node.kernel.release', 'lab-control-plane', known('6.8.0-1008-gke', '/proc/sys/kernel/osrelease'));
  setNodeFact(set, 'node.kernel.release', 'lab-worker', known('6.8.0-1008-gke', '/proc/sys/kernel/osrelease'));
  return set;
}

beforeAll(async () => {
  M = makeMaterial();
  const { kind, eks } = kubeconfigs();
  secrets = [
    ...Object.values(PLAIN),
    M.saJwt,
    M.saJwt.split('.')[2]!,
    b64(M.saJwt),
    M.oidcIdToken,
    M.jws,
    M.clientKeyData,
    M.clientCertData,
    b64(M.caPem),
    // lines of the key bodies (any fragment of a key is a leak)
    ...[M.caKeyPem, M.ecKeyPem, M.caPem, Buffer.from(M.clientKeyData, 'base64').toString()].flatMap((pem) => pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))).slice(0, 40),
  ];

  const objs = cluster();
  const raw: Record<string, unknown[]> = {
    nodes: objs.filter((o) => o.kind === 'Node'),
    daemonsets: objs.filter((o) => o.kind === 'DaemonSet'),
    deployments: objs.filter((o) => o.kind === 'Deployment'),
    configmaps: objs.filter((o) => o.kind === 'ConfigMap'),
    secrets: objs.filter((o) => o.kind === 'List'),
    kubeconfig: [kind, eks],
  };
  const facts = mergeFactSets(factsFromObjects(objs, 'fake cluster'), nodeFacts());
  const target = { kind: 'cluster' as const, name: 'kind-lab', context: 'kind-lab', server: 'https://127.0.0.1:39847', serverVersion: 'v1.34.4' };

  outDir = mkdtempSync(join(tmpdir(), 'dlab-redact-out-'));
  const snapFile = join(outDir, 'cluster.json.gz');
  writeSnapshot(snapFile, makeSnapshot(target, facts, raw, { title: 'secrets everywhere', createdAt: '2025-06-02T09:00:00.000Z' }));
  const snap = readSnapshot(snapFile);

  const run = await runOnTarget({ ...snap.target, snapshot: snapFile }, withReportFacts(snapshotGather(snap.facts, snap.raw)));
  // What a walkthrough or a future check might capture: command output full of secrets.
  run.findings.push({
    checkId: 'debug.capture',
    title: 'Captured output',
    category: 'cni',
    status: 'warn',
    summary: `agent started with --token ${PLAIN.appToken} (Authorization: Bearer ${M.saJwt})`,
    evidence: [
      { label: 'token', value: PLAIN.appToken, source: 'kubectl get cm app-config -o jsonpath={.data.token}' },
      { label: 'client key data', value: M.clientKeyData, source: 'kubeconfig' },
      { label: 'kubectl config view --raw', value: stringify(kind), source: 'kubectl' },
    ],
    fix: { text: `Rotate the token ${M.saJwt}.`, commands: [['kubectl', '--token', PLAIN.appToken, 'get', 'pods'], ['kubectl', 'create', 'secret', 'generic', 'db', `--from-literal=password=${PLAIN.dbPassword}`]], yaml: `apiVersion: v1\nkind: Secret\nstringData:\n  token: ${PLAIN.appToken}\n  tls.key: |\n${M.ecKeyPem.replace(/^/gm, '    ')}` },
    reference: `https://user:${PLAIN.basicPassword}@internal.example.com/runbook`,
  });
  const walkthroughs = [
    {
      walkthroughId: 'secrets-in-env',
      title: 'Credentials in the agent environment',
      diagnosis: `The agent runs with AWS_SECRET_ACCESS_KEY=${PLAIN.awsSecret} and AWS_ACCESS_KEY_ID=${PLAIN.awsKeyId}.`,
      status: 'fail' as const,
      evidence: [
        { label: 'kubectl get ds cilium -o yaml', value: stringify(objs.find((o) => o.kind === 'DaemonSet')), source: 'kubectl' },
        { label: 'kubectl get secret -o yaml', value: stringify(objs.find((o) => o.kind === 'List')), source: 'kubectl' },
        { label: 'kubectl get ds cilium -o json', value: JSON.stringify(objs.find((o) => o.kind === 'DaemonSet')), source: 'kubectl' },
        { label: 'eks kubeconfig', value: stringify(eks), source: '~/.kube/config' },
        { label: 'curl', value: `curl -H "Authorization: Bearer ${M.oidcIdToken}" -u admin:${PLAIN.basicPassword} https://172.18.0.3:6443/api`, source: 'shell history' },
      ],
      fix: { text: 'Use IRSA or EKS Pod Identity instead of static keys.', commands: [['kubectl', '-n', 'kube-system', 'set', 'env', 'ds/cilium', `AWS_SECRET_ACCESS_KEY=${PLAIN.awsSecret}`]] },
    },
  ];
  const policyLint = [{ id: 'parse-warning', severity: 'warning' as const, message: `annotation example.com/webhook-token=${PLAIN.webhookToken} is not a policy field`, policy: 'NetworkPolicy shop/allow' }];

  files = { 'cluster.json.gz': gunzipSync(readFileSync(snapFile)).toString('utf8') };
  for (const format of REPORT_FORMATS) {
    const r = renderReport({ run, facts: run.facts, walkthroughs, policyLint, generatedAt: '2025-06-02T09:31:12.000Z', snapshot: { title: snap.title ?? null, file: snapFile } }, format);
    writeFileSync(join(outDir, r.name), r.content);
    files[r.name] = readFileSync(join(outDir, r.name), 'utf8');
  }
});

describe('no secret leaves the lab (snapshot and reports of a cluster full of secrets)', () => {
  it('wrote the snapshot and the three reports', () => {
    expect(Object.keys(files).sort()).toEqual([
      'cluster.json.gz',
      'datapath-lab-report-kind-lab-20250602-093112.html',
      'datapath-lab-report-kind-lab-20250602-093112.json',
      'datapath-lab-report-kind-lab-20250602-093112.md',
    ]);
    expect(secrets.length).toBeGreaterThan(30);
  });

  it.each(['cluster.json.gz', 'datapath-lab-report-kind-lab-20250602-093112.md', 'datapath-lab-report-kind-lab-20250602-093112.html', 'datapath-lab-report-kind-lab-20250602-093112.json'])(
    '%s holds none of the secret values',
    (name) => {
      const text = files[name]!;
      const leaked = secrets.filter((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
      expect(leaked).toEqual([]);
    },
  );

  it.each(['cluster.json.gz', 'datapath-lab-report-kind-lab-20250602-093112.md', 'datapath-lab-report-kind-lab-20250602-093112.html', 'datapath-lab-report-kind-lab-20250602-093112.json'])(
    '%s has no PEM block, base64 PEM, JWT, bearer token or cloud key',
    (name) => {
      const text = files[name]!;
      expect(findSecrets(text)).toEqual([]);
      expect(text).not.toMatch(/-----BEGIN|-----END|LS0tLS1CRUdJT|0tLS0tQkVHSU4|tLS0tLUJFR0lO/);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/);
      expect(text).not.toMatch(/Bearer (?!\[redacted)[A-Za-z0-9]/);
    },
  );

  it('still says what is useful: the target, versions and findings', () => {
    const md = files['datapath-lab-report-kind-lab-20250602-093112.md']!;
    expect(md).toContain('| Cilium | 1.18.6 |');
    expect(md).toContain('`6.8.0-1008-gke` | 2:');
    expect(md).toContain('Credentials in the agent environment');
    expect(md).toContain('[redacted');
    // names and non-secret settings stay
    const snap = files['cluster.json.gz']!;
    expect(snap).toContain('lab-control-plane');
    expect(snap).toContain('secretKeyRef');
    expect(snap).toContain('AWS_PROFILE');
    expect(snap).not.toContain('"kind":"Secret"');
  });
});

describe('redaction of text, argv and objects', () => {
  it.each([
    ['env in YAML', 'env:\n- name: AWS_SECRET_ACCESS_KEY\n  value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI'],
    ['env in JSON', '{"name":"GITHUB_TOKEN","value":"abcd1234abcd"}', 'abcd1234abcd'],
    ['a password in a URL', 'postgres://app:pa55w0rd@db:5432/app', 'pa55w0rd'],
    ['a credential flag', 'kubectl --token abc123def456 get pods', 'abc123def456'],
    ['name=value', 'spring.datasource.password=hunter22', 'hunter22'],
    ['docker config auth', '{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNzd29yZA=="}}}', 'dXNlcjpwYXNzd29yZA'],
    ['a detached JWS', 'jws-kubeconfig-abcdef: eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..Zp8bWQ9Kw0pHSaTIB-8yB2OXYx', 'Zp8bWQ9Kw0pHSaTIB'],
    ['base64 PEM at offset 1', `data: ${b64('\n-----BEGIN CERTIFICATE-----\nMIIB')}`, b64('\n-----BEGIN CERTIFICATE-----\nMIIB').slice(0, 20)],
    ['base64 PEM at offset 2', `data: ${b64('x\n-----BEGIN CERTIFICATE-----\nMIIB')}`, b64('x\n-----BEGIN CERTIFICATE-----\nMIIB').slice(0, 20)],
    ['a PEM tail', 'Yq3a\n-----END RSA PRIVATE KEY-----', 'END RSA'],
    ['a Slack token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'AbCdEfGh'],
  ])('%s', (_n, text, secret) => {
    expect(redactText(text)).not.toContain(secret);
  });

  it.each([
    ['1 MB of base64', Buffer.alloc(750_000, 7).toString('base64')],
    ['1 MB of base64 with a PEM marker inside', `${Buffer.alloc(375_000, 7).toString('base64')}LS0tLS1CRUdJT${Buffer.alloc(375_000, 7).toString('base64')}`],
    ['200 KB of a.a.a.', 'a.'.repeat(100_000)],
    ['200 KB of eyJ without dots', 'eyJabcdefghij'.repeat(15_000)],
    ['200 KB of xtoken:a', 'xtoken:a'.repeat(25_000)],
  ])('stays linear on %s', (_n, text) => {
    const t0 = performance.now();
    redactText(text);
    findSecrets(text);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('keeps what is not secret', () => {
    const t = 'kube-proxy-replacement: true; https://127.0.0.1:6443; secretKeyRef: {name: x}; --token-ttl 24h; node lab-worker';
    expect(redactText(t)).toBe(t);
  });
});
