import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  certFile: string;
  keyFile: string;
}

const openssl = (args: string[], cwd?: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A throw-away CA made by openssl in `dir`. */
export function makeCa(dir: string, cn = 'datapath-lab-test-ca'): TestCa {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '3650', '-subj', `/CN=${cn}`]);
  return { dir, certFile, keyFile };
}

/**
 * A client certificate signed by the CA, valid from `start` to `end`
 * (YYYYMMDDHHMMSSZ), so a test can make one that has already expired.
 */
export function issueClientCert(ca: TestCa, name: string, opts: { cn: string; o?: string; start?: string; end?: string }) {
  const d = join(ca.dir, name);
  mkdirSync(join(d, 'newcerts'), { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), '1000\n');
  writeFileSync(
    join(d, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndir = ${d}\ndatabase = ${d}/index.txt\nnew_certs_dir = ${d}/newcerts\nserial = ${d}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\ncopy_extensions = none\n[any]\ncommonName = supplied\norganizationName = optional\n`,
  );
  const keyFile = join(d, 'client.key');
  const csr = join(d, 'client.csr');
  const certFile = join(d, 'client.crt');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${opts.cn}${opts.o ? `/O=${opts.o}` : ''}`]);
  openssl(['ca', '-batch', '-config', join(d, 'ca.cnf'), '-cert', ca.certFile, '-keyfile', ca.keyFile, '-in', csr, '-out', certFile, '-notext',
    '-startdate', opts.start ?? '20200101000000Z', '-enddate', opts.end ?? '20991231000000Z']);
  return { certFile, keyFile, certData: readFileSync(certFile).toString('base64'), keyData: readFileSync(keyFile).toString('base64') };
}
