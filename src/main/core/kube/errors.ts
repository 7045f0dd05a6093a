import { LabError } from '../../../shared/errors';

/** The Kubernetes Status body of a failed request (only what we read). */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string };
  code?: number;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/**
 * A network or TLS error on the way to `server`, as a LabError that names the
 * cause and the fix.
 */
export function networkError(err: NodeJS.ErrnoException, server: string, context: string): LabError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new LabError('UNREACHABLE', `${context}: ${server} refused the connection (nothing listens there)`, 'Start the cluster (for kind: docker start the node containers), or check the server address in the kubeconfig.');
  }
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ERR_TIMEOUT') {
    return new LabError('UNREACHABLE', `${context}: ${server} did not answer in time`, 'Check the network path (VPN, firewall, proxy) to the API server, or whether the cluster is running.');
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new LabError('UNREACHABLE', `${context}: the host name in ${server} does not resolve`, 'Check DNS or the server address in the kubeconfig (offline? the lab works on snapshots too).');
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'EPIPE') {
    return new LabError('UNREACHABLE', `${context}: ${server} is unreachable (${code})`, 'Check the network path to the API server and that the cluster is running.');
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(err.message)) {
    const detail =
      code === 'CERT_HAS_EXPIRED'
        ? 'the API server’s certificate has expired'
        : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? `the API server’s certificate is not valid for this address (${err.message.replace(/^.*?: /, '')})`
          : code === 'ERR_SSL_WRONG_VERSION_NUMBER'
            ? 'the server did not speak TLS (is it an http:// endpoint or a proxy?)'
            : `the API server’s certificate is not trusted (${code || err.message})`;
    return new LabError('TLS', `${context}: ${detail}`, 'Check certificate-authority(-data) for this cluster in the kubeconfig; re-export it from the cluster (for kind: kind export kubeconfig).');
  }
  return new LabError('UNREACHABLE', `${context}: cannot reach ${server}: ${err.message}`, 'Check that the cluster is running and reachable from this machine.');
}

/**
 * An HTTP error answer from the API server as a LabError. A 403 names the
 * verb and the resource the user lacks, from the server's own message.
 */
export function httpError(status: number, body: KubeStatus | null, what: string, context: string, verb = 'get'): LabError {
  const message = body?.message ?? '';
  if (status === 401) {
    return new LabError('UNAUTHORIZED', `${context}: the API server did not accept these credentials (401 Unauthorized)`, 'The token or client certificate is wrong or expired: refresh the credentials (e.g. re-run your cloud CLI login) or re-export the kubeconfig.');
  }
  if (status === 403) {
    const m = /User "([^"]*)" cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: (?:in the namespace "([^"]+)"|at the cluster scope))?/.exec(message);
    const lacks = m
      ? `${m[1]} cannot ${m[2]} ${m[3]}${m[4] ? ` (API group ${m[4]})` : ''}${m[5] ? ` in namespace ${m[5]}` : m[0].includes('cluster scope') ? ' at cluster scope' : ''}`
      : message || `forbidden to ${verb} ${what}`;
    const [user, v, res] = m ? [m[1], m[2], m[3]] : [undefined, verb, what];
    return new LabError(
      'FORBIDDEN',
      `${context}: forbidden: ${lacks}`,
      `Ask a cluster admin for a Role or ClusterRole that allows "${v}" on "${res}"${user ? ` for ${user}` : ''}, or use a context with more rights.`,
    );
  }
  if (status === 404) return new LabError('NOT_FOUND', `${context}: ${what} was not found (404)${message ? `: ${message}` : ''}`);
  if (status === 429 || status === 503 || status === 500 || status === 502 || status === 504) {
    return new LabError('UNREACHABLE', `${context}: the API server answered ${status}${message ? `: ${message}` : ''}`, 'The API server is overloaded or starting: wait and retry.');
  }
  return new LabError('INTERNAL', `${context}: ${what} failed with HTTP ${status}${message ? `: ${message}` : ''}`);
}
