import { X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { RawCluster, RawUser } from './kubeconfig';

/** Where an exec plugin's command is, or null: a bare name is looked up on PATH, as client-go does. */
export function findExecCommand(command: string, pathEnv = process.env.PATH ?? ''): string | null {
  const ok = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return isAbsolute(command) && ok(command) ? command : null;
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    const p = join(dir, command);
    if (ok(p)) return p;
  }
  return null;
}

/** Install hints for the exec plugins people meet most. */
export function execPluginHint(command: string): string {
  const base = command.split('/').pop() ?? command;
  const hints: Record<string, string> = {
    aws: 'Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and run `aws sso login` or configure credentials.',
    'aws-iam-authenticator': 'Install aws-iam-authenticator (https://github.com/kubernetes-sigs/aws-iam-authenticator).',
    'gke-gcloud-auth-plugin': 'Install it with `gcloud components install gke-gcloud-auth-plugin` (or apt-get install google-cloud-cli-gke-gcloud-auth-plugin).',
    kubelogin: 'Install kubelogin (https://azure.github.io/kubelogin/install.html), e.g. `az aks install-cli`.',
    'kubectl-oidc_login': 'Install the oidc-login kubectl plugin: `kubectl krew install oidc-login`.',
    kubectl: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/).',
  };
  return hints[base] ?? `Install ${base} or put it on PATH; the kubeconfig's exec section runs it to get credentials.`;
}

/** A problem with a user entry that we can tell without connecting. */
export interface CredentialProblem {
  code: 'EXEC_PLUGIN_MISSING' | 'CERT_EXPIRED' | 'KUBECONFIG_INVALID';
  message: string;
  fix: string;
}

function readPem(file: string | undefined, data: string | undefined, what: string, problems: CredentialProblem[]): string | null {
  if (data) {
    try {
      return Buffer.from(data, 'base64').toString('utf8');
    } catch {
      problems.push({ code: 'KUBECONFIG_INVALID', message: `${what} data is not base64`, fix: 'Re-export the kubeconfig.' });
      return null;
    }
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ code: 'KUBECONFIG_INVALID', message: `${what} file ${file} ${code === 'ENOENT' ? 'does not exist' : 'cannot be read'}`, fix: 'Fix the path in the kubeconfig (relative paths are relative to the kubeconfig file), or re-export the kubeconfig.' });
    }
  }
  return null;
}

export function checkUser(user: RawUser, now = new Date(), pathEnv?: string): { problems: CredentialProblem[]; execCommandFound: boolean | null } {
  const problems: CredentialProblem[] = [];
  let execCommandFound: boolean | null = null;
  if (user.exec) {
    const cmd = user.exec.command;
    if (!cmd) {
      problems.push({ code: 'KUBECONFIG_INVALID', message: 'the exec section has no command', fix: 'Re-create the kubeconfig with your cloud CLI.' });
    } else {
      execCommandFound = findExecCommand(cmd, pathEnv) !== null;
      if (!execCommandFound) {
        problems.push({
          code: 'EXEC_PLUGIN_MISSING',
          message: `the exec credential plugin "${cmd}" is not ${cmd.includes('/') ? 'an executable file' : 'on PATH'}`,
          fix: user.exec.installHint?.trim() || execPluginHint(cmd),
        });
      }
    }
  }
  const certPem = readPem(user['client-certificate'], user['client-certificate-data'], 'client certificate', problems);
  if (certPem) {
    try {
      const cert = new X509Certificate(certPem);
      const notAfter = new Date(cert.validTo);
      if (notAfter < now) {
        problems.push({ code: 'CERT_EXPIRED', message: `the client certificate (${cert.subject.replace(/\n/g, ', ')}) expired on ${notAfter.toISOString()}`, fix: 'Get a new client certificate (kubeadm: `kubeadm kubeconfig user` or `kubeadm certs renew`; kind: `kind export kubeconfig`).' });
      }
    } catch {
      problems.push({ code: 'KUBECONFIG_INVALID', message: 'the client certificate is not a valid PEM certificate', fix: 'Re-export the kubeconfig.' });
    }
  }
  if ((user['client-certificate'] || user['client-certificate-data']) && !user['client-key'] && !user['client-key-data']) {
    problems.push({ code: 'KUBECONFIG_INVALID', message: 'a client certificate is set but no client key', fix: 'Add client-key or client-key-data to the user entry.' });
  }
  if (user['client-key']) readPem(user['client-key'], undefined, 'client key', problems);
  if (user.tokenFile) readPem(user.tokenFile, undefined, 'token', problems);
  return { problems, execCommandFound };
}

export function checkCluster(cluster: RawCluster): CredentialProblem[] {
  const problems: CredentialProblem[] = [];
  if (!cluster.server) problems.push({ code: 'KUBECONFIG_INVALID', message: 'the cluster entry has no server', fix: 'Add the API server URL (server: https://…) to the cluster entry.' });
  else {
    try {
      const u = new URL(cluster.server);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
    } catch {
      problems.push({ code: 'KUBECONFIG_INVALID', message: `the server "${cluster.server}" is not an http(s) URL`, fix: 'Use a URL such as https://127.0.0.1:6443.' });
    }
  }
  if (cluster['certificate-authority']) readPem(cluster['certificate-authority'], undefined, 'certificate authority', problems);
  return problems;
}
