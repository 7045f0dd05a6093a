/**
 * Redaction: what leaves the lab (snapshots, reports, logs) never carries a
 * secret. Secrets are dropped whole; fields whose names say "secret" lose
 * their values; strings that look like keys, certificates or tokens are
 * replaced wherever they appear.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are credentials. */
const SECRET_FIELD = /(^|[-_.])(token|tokens|password|passwd|secret|secrets|credentials?|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?key(-data)?|client[-_]?certificate(-data)?|certificate[-_]authority[-_]data|bearer|kubeconfig|id[-_]token|refresh[-_]token|auth[-_]token)$/i;

const PATTERNS: [RegExp, string][] = [
  // PEM blocks (certificates, keys)
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, '[redacted PEM]'],
  // base64 of a PEM block ("-----BEGIN" → LS0tLS1CRUdJTi…), as in kubeconfig *-data fields
  [/LS0tLS1CRUdJT[A-Za-z0-9+/=]{20,}/g, '[redacted base64 PEM]'],
  // JSON Web Tokens (service-account tokens, OIDC id tokens)
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted token]'],
  // Authorization headers
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // AWS access key ids and GitHub tokens
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted AWS key]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[redacted token]'],
  // Bootstrap tokens (abcdef.0123456789abcdef)
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, '[redacted bootstrap token]'],
];

export function redactText(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Env values the checks read; all other env values are dropped (names kept). */
export const SAFE_ENV = new Set(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A deep copy of `value` with secrets removed. Kubernetes Secrets become null
 * (callers drop them); managedFields and last-applied annotations go.
 */
export function redactValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SECRET_FIELD.test(key) && value ? REDACTED : redactText(value);
  if (Array.isArray(value)) {
    if (key === 'env') {
      return value.map((e) =>
        isRecord(e) && typeof e.name === 'string' && 'value' in e && !SAFE_ENV.has(e.name) ? { ...(redactValue({ ...e, value: undefined }) as object), value: REDACTED } : redactValue(e),
      );
    }
    return value.map((v) => redactValue(v, key));
  }
  if (!isRecord(value)) return value;
  if (value.kind === 'Secret' && typeof value.apiVersion === 'string') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (k === 'managedFields') continue;
    if (k === 'annotations' && isRecord(v)) {
      const ann: Record<string, unknown> = {};
      for (const [ak, av] of Object.entries(v)) {
        if (ak === 'kubectl.kubernetes.io/last-applied-configuration') continue;
        ann[ak] = redactValue(av, ak);
      }
      out[k] = ann;
      continue;
    }
    if (SECRET_FIELD.test(k) && (typeof v === 'string' || isRecord(v) || Array.isArray(v))) {
      out[k] = REDACTED;
      continue;
    }
    out[k] = redactValue(v, k);
  }
  return out;
}

/** Redacts a list of API objects, dropping Secrets. */
export function redactObjects(objs: readonly unknown[]): unknown[] {
  return objs.map((o) => redactValue(o)).filter((o) => o !== null);
}
