/**
 * Recognises eBPF verifier rejections in agent log tails (termination messages) and Event
 * messages. The patterns are the kernel verifier's and the loaders' own words:
 *
 * - cilium/ebpf (Cilium ≥ 1.12's loader, pkg/bpf/collection.go prints "Verifier error: %s"):
 *   `program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is
 *   too large. Processed 1000001 insn` and the log's last line `processed 1000001 insns (limit
 *   1000000) max_states_per_insn …` (cilium/cilium#30093, PR #30384, kernel 6.1).
 * - iproute2's tc loader (Cilium ≤ 1.11): `Prog section 'connect6' rejected: Invalid argument
 *   (22)!`, ` - Instructions: 2559 (0 over limit)`, and the verifier's `back-edge from insn 624
 *   to 570` (cilium/cilium#11731: loops before kernel 5.3).
 * - invalid accesses: `R9 invalid mem access 'inv'` (cilium/cilium PR #40427).
 */

export type VerifierKind = 'back-edge' | 'complexity' | 'invalid-memory-access' | 'permission' | 'invalid-argument' | 'other';

/** Most specific first: what a hit is called when several patterns match one text. */
export const VERIFIER_KIND_ORDER: readonly VerifierKind[] = ['back-edge', 'complexity', 'invalid-memory-access', 'permission', 'invalid-argument', 'other'];

export interface VerifierHit {
  kind: VerifierKind;
  /** The program or ELF section the kernel rejected, when named. */
  program: string | null;
  /** Instructions processed and the limit, for complexity rejections. */
  processed: number | null;
  limit: number | null;
  /** One line for people: what was rejected and why. */
  summary: string;
  /** The line of the log or message the hit was found in (trimmed, at most 300 characters). */
  line: string;
}

const RE = {
  cilium: /program ([A-Za-z0-9_]+): load program: ([a-z ]+?):/,
  tooLarge: /BPF program is too large\. Processed (\d+) insn/,
  processed: /processed (\d+) insns \(limit (\d+)\)/,
  section: /Prog section '([^']+)' rejected: ([^(!]+?) \((\d+)\)!/,
  instructions: /Instructions: (\d+) \((\d+) over limit\)/,
  backEdge: /back-edge from insn (\d+) to (\d+)/,
  invalidAccess: /(R\d+) invalid mem access '([^']*)'/,
  verifierError: /Verifier error: (.+)/,
  loading: /(?:error )?loading eBPF collection into the kernel: (.+)/,
};

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The verifier rejections in one text (a log tail or an Event message). One text usually holds
 * one rejection told over several lines: the lines are combined into one hit per program.
 */
export function findVerifierErrors(text: string): VerifierHit[] {
  if (!text) return [];
  const lines = text.split(/\r?\n/);
  const hits = new Map<string, VerifierHit>();
  let current: string | null = null;
  const hit = (program: string | null, line: string): VerifierHit => {
    const key = program ?? current ?? '(unnamed)';
    let h = hits.get(key);
    if (!h) {
      h = { kind: 'other', program: program ?? current, processed: null, limit: null, summary: '', line: clip(line.trim()) };
      hits.set(key, h);
    }
    return h;
  };
  const raise = (h: VerifierHit, k: VerifierKind) => {
    if (VERIFIER_KIND_ORDER.indexOf(k) < VERIFIER_KIND_ORDER.indexOf(h.kind)) h.kind = k;
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(RE.cilium))) {
      current = m[1]!;
      const h = hit(current, line);
      const errno = m[2]!;
      if (errno === 'argument list too long') raise(h, 'complexity');
      else if (errno === 'permission denied') raise(h, 'permission');
      else if (errno === 'invalid argument') raise(h, 'invalid-argument');
    }
    if ((m = line.match(RE.section))) {
      current = m[1]!;
      const h = hit(current, line);
      const errno = Number(m[3]);
      if (errno === 7) raise(h, 'complexity'); // E2BIG: Argument list too long
      else if (errno === 13 || errno === 1) raise(h, 'permission');
      else if (errno === 22) raise(h, 'invalid-argument');
    }
    if ((m = line.match(RE.tooLarge))) {
      const h = hit(null, line);
      raise(h, 'complexity');
      h.processed ??= Number(m[1]);
    }
    if ((m = line.match(RE.processed))) {
      const h = hit(null, line);
      h.processed = Number(m[1]);
      h.limit = Number(m[2]);
      if (h.processed > h.limit) raise(h, 'complexity');
    }
    if (RE.backEdge.test(line)) raise(hit(null, line), 'back-edge');
    if (RE.invalidAccess.test(line)) raise(hit(null, line), 'invalid-memory-access');
    if (!current && (RE.verifierError.test(line) || RE.loading.test(line))) hit(null, line);
  }
  for (const h of hits.values()) h.summary = describe(h, text);
  return [...hits.values()];
}

function describe(h: VerifierHit, text: string): string {
  const who = h.program ? `program ${h.program}` : 'a BPF program';
  switch (h.kind) {
    case 'back-edge': {
      const m = text.match(RE.backEdge);
      return `${who} rejected: back-edge from insn ${m?.[1] ?? '?'} to ${m?.[2] ?? '?'} (a loop: kernels before 5.3 reject every loop)`;
    }
    case 'complexity':
      return `${who} rejected: BPF program is too large for the verifier${h.processed !== null ? ` (processed ${h.processed} instructions${h.limit !== null ? `, limit ${h.limit}` : ''})` : ''}`;
    case 'invalid-memory-access': {
      const m = text.match(RE.invalidAccess);
      return `${who} rejected: invalid memory access (${m?.[1] ?? 'a register'} holds '${m?.[2] ?? '?'}')`;
    }
    case 'permission':
      return `${who} rejected: permission denied by the verifier`;
    case 'invalid-argument':
      return `${who} rejected: invalid argument`;
    default:
      return `${who}: verifier error`;
  }
}
