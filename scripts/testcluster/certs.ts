// Throw-away PKI for one test cluster, made with openssl: a CA, the apiserver's
// serving certificate, client certificates per component, the service-account key pair.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './exec';

const OPENSSL = 'openssl';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  dir: string;
  ca: CertFiles;
  apiserver: CertFiles;
  admin: CertFiles;
  controllerManager: CertFiles;
  scheduler: CertFiles;
  kwok: CertFiles;
  /** service-account signing key (private) and its public half */
  saKey: string;
  saPub: string;
}

export interface SubjectSpec {
  /** CN: the Kubernetes user name of a client certificate */
  cn: string;
  /** O: the Kubernetes groups of a client certificate */
  orgs?: string[];
}

/** openssl -subj treats / + = and \ specially; escape them so any user or group name works. */
function subject(s: SubjectSpec): string {
  const esc = (v: string) => {
    if (!v || /[\n\r\0]/.test(v)) throw new Error(`invalid certificate subject value ${JSON.stringify(v)}`);
    return v.replace(/[\\/+=]/g, (c) => `\\${c}`);
  };
  return [...(s.orgs ?? []).map((o) => `/O=${esc(o)}`), `/CN=${esc(s.cn)}`].join('');
}

async function newKey(path: string): Promise<void> {
  await runOk(OPENSSL, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
}

export async function createCa(dir: string, cn: string): Promise<CertFiles> {
  mkdirSync(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await newKey(ca.key);
  await runOk(OPENSSL, [
    'req', '-x509', '-new', '-sha256', '-days', '3650', '-key', ca.key, '-subj', subject({ cn }),
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
    '-out', ca.cert,
  ]);
  return ca;
}

export interface IssueOptions extends SubjectSpec {
  usage: 'server' | 'client';
  /** DNS names and IP addresses (server certificates) */
  dnsNames?: string[];
  ips?: string[];
  days?: number;
}

/** Issues `<dir>/<name>.crt` and `<dir>/<name>.key` signed by `ca`. */
export async function issueCert(dir: string, name: string, ca: CertFiles, o: IssueOptions): Promise<CertFiles> {
  mkdirSync(dir, { recursive: true });
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await newKey(files.key);
  await runOk(OPENSSL, ['req', '-new', '-sha256', '-key', files.key, '-subj', subject(o), '-out', csr]);
  const lines = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${o.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
  ];
  const sans = [...(o.dnsNames ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((i) => `IP:${i}`)];
  if (sans.length) lines.push(`subjectAltName=${sans.join(',')}`);
  writeFileSync(ext, lines.join('\n') + '\n');
  await runOk(OPENSSL, [
    'x509', '-req', '-sha256', '-days', String(o.days ?? 365), '-in', csr, '-CA', ca.cert, '-CAkey', ca.key,
    '-set_serial', `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '1')}`, '-extfile', ext, '-out', files.cert,
  ]);
  rmSync(csr, { force: true });
  rmSync(ext, { force: true });
  return files;
}

export function pkiPaths(dir: string): ClusterPki {
  const f = (n: string) => ({ cert: join(dir, `${n}.crt`), key: join(dir, `${n}.key`) });
  return {
    dir,
    ca: f('ca'),
    apiserver: f('apiserver'),
    admin: f('admin'),
    controllerManager: f('kube-controller-manager'),
    scheduler: f('kube-scheduler'),
    kwok: f('kwok'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
}

export function pkiComplete(dir: string): boolean {
  const p = pkiPaths(dir);
  return [p.ca, p.apiserver, p.admin, p.controllerManager, p.scheduler, p.kwok].every((c) => existsSync(c.cert) && existsSync(c.key)) &&
    existsSync(p.saKey) && existsSync(p.saPub);
}

/**
 * A new CA and every certificate a cluster needs. The apiserver's SANs cover how
 * clients reach it here (localhost, 127.0.0.1) and in-cluster names (kubernetes.default.svc…,
 * the service CIDR's first address).
 */
export async function createClusterPki(dir: string, o: { clusterName: string; serviceIP: string; extraSans?: string[] }): Promise<ClusterPki> {
  rmSync(dir, { recursive: true, force: true });
  const p = pkiPaths(dir);
  const ca = await createCa(dir, `${o.clusterName}-ca`);
  await Promise.all([
    issueCert(dir, 'apiserver', ca, {
      usage: 'server',
      cn: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', `${o.clusterName}-control-plane`, ...(o.extraSans ?? [])],
      ips: ['127.0.0.1', o.serviceIP],
    }),
    issueCert(dir, 'admin', ca, { usage: 'client', cn: 'kubernetes-admin', orgs: ['system:masters'] }),
    // The identities kubeadm gives these components; RBAC's bootstrap policy knows them.
    issueCert(dir, 'kube-controller-manager', ca, { usage: 'client', cn: 'system:kube-controller-manager' }),
    issueCert(dir, 'kube-scheduler', ca, { usage: 'client', cn: 'system:kube-scheduler' }),
    // kwok plays every kubelet (nodes, leases, pod status): no bootstrap role covers that, so admin.
    issueCert(dir, 'kwok', ca, { usage: 'client', cn: 'kwok-controller', orgs: ['system:masters'] }),
    (async () => {
      await newKey(p.saKey);
      await runOk(OPENSSL, ['pkey', '-in', p.saKey, '-pubout', '-out', p.saPub]);
    })(),
  ]);
  return p;
}

export function readPem(path: string): string {
  return readFileSync(path, 'utf8');
}
