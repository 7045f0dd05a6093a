// Lint: policies that select nothing, rules that match nothing, redundant and
// overlapping rules/policies, egress default-deny without DNS, plus the input's
// own parse problems.
import { ConnSet } from './connset';
import type { PodClass, PolicyAnalysis } from './engine';
import { groupsConn } from './matchers';
import type { NormRule, PodView, PolicyUnit, Severity } from './model';
import { ruleLabel } from './model';

export interface LintFinding {
  id: string;
  severity: Severity;
  message: string;
  policy?: string;
  rule?: string;
  file?: string;
  line?: number;
}

export interface LintOptions {
  /** Report overlaps between rules of different policies (info). Default true. */
  overlaps?: boolean;
  /** At most this many findings of one id (the rest are summarized). Default 200. */
  maxPerCheck?: number;
}

function where(u: PolicyUnit, r?: NormRule): Pick<LintFinding, 'file' | 'line'> {
  const out: Pick<LintFinding, 'file' | 'line'> = {};
  if (u.ref.file !== undefined) out.file = u.ref.file;
  const line = r?.line ?? u.ref.line;
  if (line !== undefined) out.line = line;
  return out;
}

function popcount(b: Uint32Array): number {
  let n = 0;
  for (const w of b) {
    let x = w >>> 0;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/** The rules of a class for one direction/action, and the classes sharing that profile. */
function profiles(a: PolicyAnalysis, dir: 'ingress' | 'egress'): Array<{ rules: NormRule[]; cls: number }> {
  const seen = new Map<string, { rules: NormRule[]; cls: number }>();
  const ids = new Map<NormRule, number>();
  let next = 0;
  const lists = dir === 'ingress' ? a.inAllow : a.outAllow;
  const iso = dir === 'ingress' ? a.inIsolated : a.outIsolated;
  lists.forEach((rules, c) => {
    if (!iso[c] || rules.length === 0) return;
    const key = rules
      .map((r) => {
        let id = ids.get(r);
        if (id === undefined) ids.set(r, (id = next++));
        return id;
      })
      .join(',');
    // Ingress rules' named ports resolve on the subject itself.
    const k = dir === 'ingress' ? `${key}|${(a.classes[c] as PodClass).portsKey}` : key;
    if (!seen.has(k)) seen.set(k, { rules, cls: c });
  });
  return [...seen.values()];
}

function bitHas(b: Uint32Array, i: number): boolean {
  return (((b[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
}

/** Is rule r (at a subject class) covered by the union of the other rules? */
function covered(a: PolicyAnalysis, r: NormRule, others: NormRule[], subject: number): boolean {
  const rb = a.ruleBits(r);
  const n = a.classes.length;
  // Rules whose connections include r's everywhere cover whole words at once.
  const full = new Uint32Array(rb.length);
  const partial: NormRule[] = [];
  for (const o of others) {
    const ob = a.ruleBits(o);
    if (r.fixedConn && o.fixedConn && o.fixedConn.covers(r.fixedConn)) for (let i = 0; i < full.length; i++) full[i] = (full[i] as number) | (ob[i] as number);
    else partial.push(o);
  }
  for (let w = 0; w < rb.length; w++) {
    let rest = ((rb[w] as number) & ~(full[w] as number)) >>> 0;
    while (rest !== 0) {
      const bit = 31 - Math.clz32(rest & -rest);
      rest &= rest - 1;
      const p = (w << 5) + bit;
      const dst = r.direction === 'ingress' ? subject : p < n ? p : -1;
      const need = a.ruleConn(r, dst);
      if (need.isEmpty()) continue;
      let have = ConnSet.EMPTY;
      for (const o of partial) if (bitHas(a.ruleBits(o), p)) have = have.union(a.ruleConn(o, dst));
      if (!have.covers(need)) return false;
    }
  }
  return true;
}

function dnsView(a: PolicyAnalysis): PodView {
  const nsLabels = a.model.namespaces.get('kube-system')?.labels ?? { 'kubernetes.io/metadata.name': 'kube-system' };
  const labels = { 'k8s-app': 'kube-dns' };
  return {
    namespace: 'kube-system',
    labels,
    nsLabels,
    identity: { ...labels, 'io.kubernetes.pod.namespace': 'kube-system', 'io.cilium.k8s.policy.serviceaccount': 'coredns', 'io.cilium.k8s.policy.cluster': 'default' },
  };
}

const DNS_PORTS = [
  { name: 'dns', port: 53, protocol: 'UDP' as const },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' as const },
];

/**
 * DNS a class can reach at kube-dns: `full` through both sides' policies (its real
 * pods if present), `egress` through the class's own egress policies only (toward a
 * typical CoreDNS pod when the input has none).
 */
function dnsAllowed(a: PolicyAnalysis, s: number, dnsClasses: number[]): { full: ConnSet; egress: ConnSet } {
  const want = ConnSet.ports('UDP', 53).union(ConnSet.ports('TCP', 53));
  if (dnsClasses.length > 0) {
    let c = ConnSet.EMPTY;
    let e = ConnSet.EMPTY;
    for (const d of dnsClasses) {
      c = c.union(a.pairConn(s, s, d, d));
      e = e.union(a.pairConn(s, s, d, d, true));
    }
    return { full: c.intersect(want), egress: e.intersect(want) };
  }
  const view = dnsView(a);
  let allow = ConnSet.EMPTY;
  let deny = ConnSet.EMPTY;
  const hit = (r: NormRule) => r.peer.any || r.peer.pods.some((m) => m.test(view));
  for (const r of a.outAllow[s] as NormRule[]) if (hit(r)) allow = allow.union(groupsConn(r.groups, DNS_PORTS));
  for (const r of a.outDeny[s] as NormRule[]) if (hit(r)) deny = deny.union(groupsConn(r.groups, DNS_PORTS));
  const e = allow.subtract(deny).intersect(want);
  return { full: e, egress: e };
}

export function lint(a: PolicyAnalysis, opts: LintOptions = {}): LintFinding[] {
  const out: LintFinding[] = [];
  for (const i of a.model.issues) {
    const f: LintFinding = { id: i.severity === 'error' ? 'parse-error' : 'parse-warning', severity: i.severity, message: [i.object, i.path ? `${i.path} ${i.message}` : i.message].filter(Boolean).join(': ') };
    if (i.object !== undefined) f.policy = i.object;
    if (i.file !== undefined) f.file = i.file;
    if (i.line !== undefined) f.line = i.line;
    out.push(f);
  }
  const ignored = Object.entries(a.model.ignored);
  if (ignored.length > 0) {
    out.push({ id: 'ignored-kinds', severity: 'info', message: `not used by the analyzer: ${ignored.map(([k, n]) => `${n} ${k}`).join(', ')}` });
  }
  const hasPods = a.classes.length > 0;

  const allowsNothing = new Set<NormRule>();
  // Policies that select no pod; rules that match no peer.
  for (const u of a.model.policies) {
    const sel = a.subjects.get(u) ?? [];
    if (hasPods && sel.length === 0) out.push({ id: 'policy-selects-no-pod', severity: 'warning', message: `${u.id} selects no pod (${u.subject.text})`, policy: u.id, ...where(u) });
    for (const r of u.rules) {
      if (r.peer.any) continue;
      const bits = a.ruleBits(r);
      if (popcount(bits) === 0) {
        out.push({ id: 'rule-matches-no-peer', severity: 'warning', message: `${ruleLabel(r)} matches no peer (${r.peer.text})`, policy: u.id, rule: ruleLabel(r), ...where(u, r) });
      }
    }
    // Named ports that resolve on no destination.
    for (const r of u.rules) {
      if (r.fixedConn || sel.length === 0) continue;
      let any = false;
      if (r.direction === 'ingress') any = sel.some((c) => !a.ruleConn(r, c).isEmpty());
      else {
        const bits = a.ruleBits(r);
        for (let c = 0; c < a.classes.length && !any; c++) if (bitHas(bits, c) && !a.ruleConn(r, c).isEmpty()) any = true;
      }
      if (!any) {
        allowsNothing.add(r);
        const names = r.groups.flatMap((g) => (g.ports === 'all' ? [] : g.ports.flatMap((p) => (p.named ? [`${p.named}/${p.protocols.join('|')}`] : []))));
        out.push({
          id: 'named-port-unresolved',
          severity: 'warning',
          message: `${ruleLabel(r)}: named port ${names.join(', ')} is not a container port of any ${r.direction === 'ingress' ? 'selected' : 'destination'} pod, so the rule allows nothing`,
          policy: u.id,
          rule: ruleLabel(r),
          ...where(u, r),
        });
      }
    }
  }

  // Redundant rules: everything the rule allows, at every pod it applies to, other rules allow too.
  const redundant = new Set<NormRule>();
  const notRedundant = new Set<NormRule>();
  const profilesByDir = { ingress: profiles(a, 'ingress'), egress: profiles(a, 'egress') };
  const order = a.model.policies.flatMap((u) => u.rules.filter((r) => r.action === 'allow' && !allowsNothing.has(r) && (r.peer.any || popcount(a.ruleBits(r)) > 0)));
  for (const r of order) {
    const profs = profilesByDir[r.direction].filter((p) => p.rules.includes(r));
    if (profs.length === 0) continue;
    const ok = profs.every((p) => covered(a, r, p.rules.filter((o) => o !== r && !redundant.has(o)), p.cls));
    if (ok) redundant.add(r);
    else notRedundant.add(r);
  }
  for (const r of redundant) {
    out.push({ id: 'redundant-rule', severity: 'warning', message: `${ruleLabel(r)} is redundant: every connection it allows is allowed by other rules for the same pods`, policy: r.unit.id, rule: ruleLabel(r), ...where(r.unit, r) });
  }
  // Redundant policies: all rules redundant and the isolation it brings is brought by others too.
  for (const u of a.model.policies) {
    const allows = u.rules.filter((r) => r.action === 'allow');
    const sel = a.subjects.get(u) ?? [];
    if (sel.length === 0 || allows.length === 0 || !allows.every((r) => redundant.has(r)) || u.rules.some((r) => r.action === 'deny')) continue;
    const isolationElsewhere = (['ingress', 'egress'] as const).every(
      (d) => !u.isolates[d] || sel.every((c) => [...a.subjects].some(([o, cls]) => o !== u && o.isolates[d] && cls.includes(c))),
    );
    if (isolationElsewhere) out.push({ id: 'redundant-policy', severity: 'warning', message: `${u.id} is redundant: removing it changes no connection`, policy: u.id, ...where(u) });
  }

  // Overlaps between rules of different policies applying to the same pods.
  if (opts.overlaps !== false) {
    const pairs = new Set<string>();
    for (const dir of ['ingress', 'egress'] as const) {
      for (const p of profilesByDir[dir]) {
        for (let i = 0; i < p.rules.length; i++) {
          for (let j = i + 1; j < p.rules.length; j++) {
            const x = p.rules[i] as NormRule;
            const y = p.rules[j] as NormRule;
            if (x.unit === y.unit || redundant.has(x) || redundant.has(y)) continue;
            const key = `${ruleLabel(x)}|${ruleLabel(y)}`;
            if (pairs.has(key)) continue;
            const xb = a.ruleBits(x);
            const yb = a.ruleBits(y);
            let common = -1;
            for (let w = 0; w < xb.length && common < 0; w++) {
              const both = ((xb[w] as number) & (yb[w] as number)) >>> 0;
              if (both) common = (w << 5) + (31 - Math.clz32(both & -both));
            }
            if (common < 0) continue;
            const dst = dir === 'ingress' ? p.cls : common < a.classes.length ? common : -1;
            if (a.ruleConn(x, dst).intersect(a.ruleConn(y, dst)).isEmpty()) continue;
            pairs.add(key);
            out.push({ id: 'overlapping-rules', severity: 'info', message: `${ruleLabel(x)} and ${ruleLabel(y)} both allow some of the same connections for the same pods`, policy: x.unit.id, rule: ruleLabel(x), ...where(x.unit, x) });
          }
        }
      }
    }
  }

  // Egress default-deny without DNS.
  const dnsClasses = a.classes.filter((c) => c.namespace === 'kube-system' && c.labels['k8s-app'] === 'kube-dns').map((c) => c.idx);
  const missing = new Map<string, { ns: string; text: string; atDns: boolean; workloads: Set<string>; policies: Set<string> }>();
  a.classes.forEach((c) => {
    if (!a.outIsolated[c.idx] || dnsClasses.includes(c.idx)) return;
    const got = dnsAllowed(a, c.idx, dnsClasses);
    const lack: string[] = [];
    if (!got.full.contains('UDP', 53)) lack.push('UDP 53');
    if (!got.full.contains('TCP', 53)) lack.push('TCP 53');
    if (lack.length === 0) return;
    // Blocked by the pod's own egress, or only by kube-dns's ingress policies?
    const atDns = lack.every((l) => got.egress.contains(l.startsWith('UDP') ? 'UDP' : 'TCP', 53));
    const key = `${c.namespace}|${lack.join(',')}|${atDns}`;
    let m = missing.get(key);
    if (!m) missing.set(key, (m = { ns: c.namespace, text: lack.join(' and '), atDns, workloads: new Set(), policies: new Set() }));
    for (const w of c.workloads) m.workloads.add(a.workloads[w]?.id ?? '');
    for (const [u, cls] of a.subjects) if (u.isolates.egress && cls.includes(c.idx)) m.policies.add(u.id);
  });
  for (const m of missing.values()) {
    const ws = [...m.workloads].sort();
    const ps = [...m.policies].sort();
    const onlyTcp = m.text === 'TCP 53';
    out.push({
      id: 'egress-without-dns',
      severity: onlyTcp ? 'info' : 'warning',
      message: `egress of ${ws.length} workload(s) in namespace ${m.ns} (${ws.slice(0, 5).join(', ')}${ws.length > 5 ? ', …' : ''}) is default-deny (${ps.slice(0, 3).join(', ')}${ps.length > 3 ? ', …' : ''}) but ${m.text} to kube-system/kube-dns is not allowed${m.atDns ? ' (its egress allows it; the kube-dns pods\' ingress policies block it)' : ''}${onlyTcp ? ': large DNS answers (TCP fallback) will fail' : ': name resolution will fail'}`,
      policy: ps[0],
    });
  }

  // Cap each check.
  const max = opts.maxPerCheck ?? 200;
  const counts = new Map<string, number>();
  const capped: LintFinding[] = [];
  for (const f of out) {
    const n = (counts.get(f.id) ?? 0) + 1;
    counts.set(f.id, n);
    if (n <= max) capped.push(f);
  }
  for (const [id, n] of counts) if (n > max) capped.push({ id, severity: 'info', message: `${n - max} more ${id} finding(s) not shown` });
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return capped.sort((x, y) => rank[x.severity] - rank[y.severity] || (x.file ?? '').localeCompare(y.file ?? '') || (x.line ?? 0) - (y.line ?? 0) || x.id.localeCompare(y.id));
}

export function formatFinding(f: LintFinding): string {
  const at = f.file !== undefined ? `${f.file}${f.line !== undefined ? `:${f.line}` : ''}: ` : '';
  return `${at}${f.severity} [${f.id}] ${f.message}`;
}
