/**
 * Redaction: what leaves the lab (snapshots, reports, logs) never carries a
 * secret. Secrets are dropped whole; fields whose names say "secret" lose
 * their values; strings that look like keys, certificates or tokens are
 * replaced wherever they appear.
 *
 * Three layers:
 * - objects: Kubernetes Secrets are dropped; fields named like credentials
 *   (token, password, client-key-data, clientSecret, …) lose their values;
 *   env values other than SAFE_ENV go; managedFields, last-applied configs and
 *   ConfigMap binaryData go;
 * - argv: the value after a credential flag (`--token X`) goes;
 * - text: PEM blocks, base64 of PEM blocks (all three base64 alignments), JWTs
 *   (and detached JWS), Authorization headers, cloud and forge token formats,
 *   `user:password@` in URLs and `name=value` / `name: value` pairs whose name
 *   says credential are replaced.
 *
 * `findSecrets` is the last line of defence for output that must never carry a
 * secret (reports): it finds what slipped through, without changing anything.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are credentials (matched on the name as written and on its camelCase split into words). */
const SECRET_FIELD =
  /(^|[-_.])(token|tokens|password|passwd|passphrase|secret|secrets|credentials?|api[-_]?key|access[-_]?key|account[-_]?key|private[-_]?key(-data)?|client[-_]?key(-data)?|client[-_]?certificate(-data)?|certificate[-_]authority[-_]data|(signing|encryption|ssh|hmac|webhook)[-_]?(key|secret)|bearer|kubeconfig|id[-_]token|refresh[-_]token|auth[-_]token|connection[-_]?string|\.?dockerconfigjson|\.?dockercfg)$|^auth$|^jws-kubeconfig-/i;

/** True when a field (or env var, or annotation) of this name holds a credential. */
export function isSecretField(name: string): boolean {
  if (!name) return false;
  return SECRET_FIELD.test(name) || SECRET_FIELD.test(name.replace(/([a-z0-9])([A-Z])/g, '$1-$2'));
}

/** "-----BEGIN" in base64 at each of the three byte alignments (the stable middle of each encoding). */
export const BASE64_PEM_MARKERS = ['LS0tLS1CRUdJT', '0tLS0tQkVHSU4', 'tLS0tLUJFR0lO'] as const;

/** Credential-like names in free text (`password=…`, `"token": "…"`, `AWS_SECRET_ACCESS_KEY=…`). */
const SECRET_NAME_IN_TEXT = String.raw`[A-Za-z0-9_.-]{0,64}?(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|private[_-]?key|client[_-]?key(?:[_-]?data)?|credentials?|dockerconfigjson|dockercfg|auth)`;
const SECRET_FLAG_TEXT = String.raw`--(?:token|password|passwd|client-secret|api-key|access-key|secret-key|private-key|client-key|bootstrap-token|discovery-token|certificate-key)\b(?!-)`;
/** Credential flags whose value is the next argument (`--token X`). */
const SECRET_FLAG = /^--?(token|password|passwd|client-secret|secret|api-key|access-key|secret-key|private-key|client-key|bootstrap-token|discovery-token|certificate-key)$/i;

const BASE64_PEM_MARKER = new RegExp(BASE64_PEM_MARKERS.join('|'), 'g');
const HAS_BASE64_PEM_MARKER = new RegExp(BASE64_PEM_MARKERS.join('|'));
const isB64 = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;

/**
 * base64 of a PEM block ("-----BEGIN" → LS0tLS1CRUdJTi…), as in kubeconfig *-data fields, at
 * any alignment: the whole base64 run around a marker goes. Done by scanning out from each
 * marker (linear), not with a regex whose leading class would backtrack over long runs.
 */
function redactBase64Pem(text: string): string {
  if (!HAS_BASE64_PEM_MARKER.test(text)) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(BASE64_PEM_MARKER)) {
    if (m.index < last) continue;
    let start = m.index;
    while (start > last && isB64(text.charCodeAt(start - 1))) start--;
    let end = m.index + m[0].length;
    while (end < text.length && (isB64(text.charCodeAt(end)) || text.charCodeAt(end) === 61)) end++;
    out += `${text.slice(last, start)}[redacted base64 PEM]`;
    last = end;
  }
  return out + text.slice(last);
}

type Step = [RegExp, string] | ((text: string) => string);

const PATTERNS: Step[] = [
  // PEM blocks (certificates, keys)
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, '[redacted PEM]'],
  // the tail of a PEM block cut off before its BEGIN line, and PuTTY key files
  [/-----END [A-Z0-9 ]+-----/g, '[redacted PEM]'],
  [/PuTTY-User-Key-File-\d+:[\s\S]*?(Private-MAC: *[0-9a-fA-F]+|$)/g, '[redacted key]'],
  // base64 of a PEM block, any alignment
  redactBase64Pem,
  // JSON Web Tokens (service-account tokens, OIDC id tokens) and detached JWS (cluster-info signatures)
  // (a JOSE header is short: bounding it keeps a long base64 run with many "eyJ" linear)
  [/eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted token]'],
  [/eyJ[A-Za-z0-9_-]{8,2048}\.\.[A-Za-z0-9_-]{8,}/g, '[redacted token]'],
  // Authorization headers
  [/\b(Bearer|Basic)\s+(?!\[redacted)[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // AWS access key ids, GitHub, GitLab, Slack, Google API and Stripe tokens
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted AWS key]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[redacted token]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, '[redacted token]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[redacted token]'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '[redacted token]'],
  [/\b[sr]k_live_[A-Za-z0-9]{16,}\b/g, '[redacted token]'],
  // Bootstrap tokens (abcdef.0123456789abcdef)
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, '[redacted bootstrap token]'],
  // user:password@ in URLs
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{1,256}:)(?!\[redacted)[^\s@/]{1,256}@/gi, `$1${REDACTED}@`],
  // credential flags followed by their value: in a command line, a YAML list (`- --token` / `- X`) or a JSON array
  [new RegExp(`(${SECRET_FLAG_TEXT})\\s+(?!\\[redacted)(?!-)\\S+`, 'gi'), `$1 ${REDACTED}`],
  [new RegExp(`(${SECRET_FLAG_TEXT})(["']?[ \\t]*\\r?\\n\\s*-[ \\t]+["']?|"\\s*,\\s*")(?!\\[redacted)[^\\s"']+`, 'gi'), `$1$2${REDACTED}`],
  // curl -u user:password
  [/((?:^|\s)(?:-u|--user)\s+["']?[^\s:"']+:)(?!\[redacted)[^\s"']+/g, `$1${REDACTED}`],
  // env entries in YAML and JSON text (kubectl get -o yaml|json, kubectl config view --raw): name on one line, value on the next
  [new RegExp(`(\\bname:\\s*["']?${SECRET_NAME_IN_TEXT}["']?[ \\t]*\\r?\\n\\s*value:\\s*["']?)(?!\\[redacted)[^\\s"']+`, 'gi'), `$1${REDACTED}`],
  [new RegExp(`("name"\\s*:\\s*"${SECRET_NAME_IN_TEXT}"\\s*,\\s*"value"\\s*:\\s*")(?!\\[redacted)[^"]*`, 'gi'), `$1${REDACTED}`],
  // name=value, name: value, "name": "value" where the name says credential
  // (also JSON inside JSON: \"token\":\"…\")
  [new RegExp(`\\b(${SECRET_NAME_IN_TEXT})(\\s*\\\\?["']?\\s*[:=]\\s*\\\\?["']?)(?!\\[redacted)([^\\s"'\\\\,;{}\\[\\]]{4,})`, 'gi'), `$1$2${REDACTED}`],
];

export function redactText(text: string): string {
  // nothing any pattern matches is shorter than 8 characters ("auth:xxxx" is 9)
  if (text.length < 8) return text;
  let out = text;
  for (const step of PATTERNS) out = typeof step === 'function' ? step(out) : out.replace(step[0], step[1]);
  return out;
}

/** An argv with credentials removed: the value after a credential flag, and anything redactText finds. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((a, i) => (i > 0 && SECRET_FLAG.test(argv[i - 1]!) ? REDACTED : redactText(a)));
}

/** Env values the checks read; all other env values are dropped (names kept). */
export const SAFE_ENV = new Set(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSecretObject = (v: unknown): boolean => isRecord(v) && v.kind === 'Secret' && typeof v.apiVersion === 'string';

/**
 * A deep copy of `value` with secrets removed. Kubernetes Secrets become null
 * (callers drop them; inside arrays they are dropped here); managedFields,
 * last-applied annotations and ConfigMap binaryData go.
 */
export function redactValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return isSecretField(key) && value ? REDACTED : redactText(value);
  if (Array.isArray(value)) {
    if (key === 'env') {
      return value.map((e) =>
        isRecord(e) && typeof e.name === 'string' && 'value' in e && !SAFE_ENV.has(e.name) ? { ...(redactValue({ ...e, value: undefined }) as object), value: REDACTED } : redactValue(e),
      );
    }
    if (value.length > 0 && value.every((v) => typeof v === 'string')) return isSecretField(key) ? value.map(() => REDACTED) : redactArgv(value as string[]);
    return value.filter((v) => !isSecretObject(v)).map((v) => redactValue(v, key));
  }
  if (!isRecord(value)) return value;
  if (isSecretObject(value)) return null;
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
    if (k === 'binaryData' && isRecord(v)) {
      out[k] = Object.fromEntries(Object.keys(v).map((bk) => [bk, REDACTED]));
      continue;
    }
    if (isSecretField(k) && (typeof v === 'string' || isRecord(v) || Array.isArray(v))) {
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

/** What findSecrets looks for: every pattern is something no report, snapshot or log may carry. */
const LEAKS: { what: string; re: RegExp }[] = [
  { what: 'a PEM block', re: /-----(BEGIN|END) [A-Z0-9 ]*-----/ },
  { what: 'a base64-encoded PEM block', re: new RegExp(BASE64_PEM_MARKERS.join('|')) },
  { what: 'a JSON Web Token', re: /eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/ },
  { what: 'an Authorization header', re: /\b(Bearer|Basic)\s+(?!\\?\[redacted)[A-Za-z0-9._~+/=-]{8,}/i },
  { what: 'an AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub, GitLab, Slack, Google or Stripe token', re: /\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}\b|\b[sr]k_live_[A-Za-z0-9]{16,}\b/ },
  { what: 'a bootstrap token', re: /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/ },
  { what: 'a password in a URL', re: /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@<>"']{1,256}:(?!\\?\[redacted)[^\s@/<>"']{1,256}@/i },
  { what: 'a PuTTY private key', re: /PuTTY-User-Key-File-\d+:/ },
];

/** Secret-looking things in `text` (nothing when it is clean), with where they start. */
export function findSecrets(text: string): { what: string; index: number }[] {
  const out: { what: string; index: number }[] = [];
  for (const { what, re } of LEAKS) {
    const m = re.exec(text);
    if (m) out.push({ what, index: m.index });
  }
  return out.sort((a, b) => a.index - b.index);
}
