// Trace: is one connection allowed, and which policy rule decides?
import type { Protocol } from './connset';
import type { FqdnPeer, PodClass, PolicyAnalysis, Remote } from './engine';
import { formatRange, parseIp, parseRangeText, type IpRange } from './ipset';
import type { Direction, HttpRule, L7Spec, NormRule, RuleList, Workload } from './model';
import { ruleLabel } from './model';
import { groupsConn } from './matchers';

export interface TraceRequest {
  src: string;
  dst: string;
  protocol: Protocol;
  port: number;
  method?: string;
  path?: string;
}

export type ResolvedPeer =
  | { kind: 'workload'; name: string; workload: Workload; classes: number[] }
  | { kind: 'ip'; name: string; range: IpRange }
  | { kind: 'fqdn'; name: string; peer: FqdnPeer };

export interface RuleRef {
  /** e.g. `NetworkPolicy default/web ingress rule 2` */
  text: string;
  policy: string;
  list: RuleList;
  index: number;
  file?: string;
  line?: number;
  /** What the rule allows (or denies) toward this destination, e.g. `TCP 80`. */
  conn: string;
}

export type DirectionVerdict = 'allowed' | 'denied' | 'not-selected' | 'no-rule-matches' | 'external';

export interface DirectionTrace {
  direction: Direction;
  /** The peer whose policies apply: the source for egress, the destination for ingress. */
  of: string;
  verdict: DirectionVerdict;
  reason: string;
  isolated: boolean;
  /** Policies selecting the peer that isolate this direction. */
  isolatedBy: string[];
  allowedBy: RuleRef[];
  deniedBy: RuleRef[];
  /** Rules that match the other peer but not this protocol/port. */
  otherPorts: RuleRef[];
}

export interface L7Trace {
  /** Only some requests are allowed on this port. */
  restricted: boolean;
  /** Set when a method or path was given and the port is restricted. */
  matched?: boolean;
  rules: string[];
  reason: string;
}

export interface TraceResult {
  src: string;
  dst: string;
  protocol: Protocol;
  port: number;
  method?: string;
  path?: string;
  allowed: boolean;
  reason: string;
  egress: DirectionTrace;
  ingress: DirectionTrace;
  l7?: L7Trace;
  notes: string[];
}

export class PeerError extends Error {}

/** Resolves `ns/name[Kind]`, `ns/name`, an address, a range/CIDR, or `fqdn:name`. */
export function resolvePeer(a: PolicyAnalysis, text: string): ResolvedPeer {
  const t = text.trim();
  if (t.startsWith('fqdn:')) {
    const name = t.slice(5).toLowerCase().replace(/\.$/, '');
    const peer = a.fqdns.find((f) => f.name === name) ?? { id: `fqdn:${name}`, name, pattern: name.includes('*') };
    return { kind: 'fqdn', name: peer.id, peer };
  }
  const wIdx = a.workloads.findIndex((w) => w.id === t);
  const byName = wIdx >= 0 ? [wIdx] : a.workloads.flatMap((w, i) => (`${w.namespace}/${w.name}` === t ? [i] : []));
  if (byName.length > 1) throw new PeerError(`"${t}" is ambiguous: ${byName.map((i) => (a.workloads[i] as Workload).id).join(', ')}`);
  if (byName.length === 1) {
    const i = byName[0] as number;
    const w = a.workloads[i] as Workload;
    return { kind: 'workload', name: w.id, workload: w, classes: a.classesOf(i) };
  }
  const ip = parseIp(t);
  if (ip) {
    // A known pod IP is that pod, not an external address.
    const cls = a.classes.find((c) => c.ips.some((x) => parseIp(x)?.value === ip.value && parseIp(x)?.family === ip.family));
    if (cls) {
      const wi = cls.workloads[0] as number;
      const w = a.workloads[wi] as Workload;
      return { kind: 'workload', name: w.id, workload: w, classes: [cls.idx] };
    }
  }
  const range = parseRangeText(t);
  if (range) return { kind: 'ip', name: formatRange(range), range };
  const near = a.workloads.filter((w) => w.name === t || w.id.includes(t)).map((w) => w.id);
  throw new PeerError(`no workload or address "${t}"${near.length > 0 ? ` (did you mean ${near.slice(0, 5).join(', ')}?)` : ''}`);
}

function ref(a: PolicyAnalysis, r: NormRule, dstCls: number): RuleRef {
  const out: RuleRef = { text: ruleLabel(r), policy: r.unit.id, list: r.list, index: r.index, conn: a.ruleConn(r, dstCls).toText() };
  if (r.unit.ref.file !== undefined) out.file = r.unit.ref.file;
  const line = r.line ?? r.unit.ref.line;
  if (line !== undefined) out.line = line;
  return out;
}

function list(names: string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function traceDirection(a: PolicyAnalysis, dir: Direction, self: ResolvedPeer, selfCls: number, other: Remote, otherName: string, dstCls: number, req: TraceRequest): DirectionTrace {
  const base: DirectionTrace = { direction: dir, of: self.name, verdict: 'external', reason: '', isolated: false, isolatedBy: [], allowedBy: [], deniedBy: [], otherPorts: [] };
  if (selfCls < 0) {
    base.reason = `${self.name} is outside the cluster: no ${dir} policy applies there`;
    return base;
  }
  const allow = (dir === 'ingress' ? a.inAllow : a.outAllow)[selfCls] as NormRule[];
  const deny = (dir === 'ingress' ? a.inDeny : a.outDeny)[selfCls] as NormRule[];
  base.isolated = (dir === 'ingress' ? a.inIsolated : a.outIsolated)[selfCls] === 1;
  for (const [u, cls] of a.subjects) if (u.isolates[dir] && cls.includes(selfCls)) base.isolatedBy.push(u.id);
  const fits = (r: NormRule) => a.ruleConn(r, dstCls).contains(req.protocol, req.port);
  for (const r of deny) if (a.ruleMatches(r, other) && fits(r)) base.deniedBy.push(ref(a, r, dstCls));
  for (const r of allow) {
    if (!a.ruleMatches(r, other)) continue;
    if (fits(r)) base.allowedBy.push(ref(a, r, dstCls));
    else base.otherPorts.push(ref(a, r, dstCls));
  }
  const what = `${req.protocol}/${req.port}`;
  if (base.deniedBy.length > 0) {
    base.verdict = 'denied';
    base.reason = `denied by ${base.deniedBy.map((r) => r.text).join(', ')}`;
  } else if (!base.isolated) {
    base.verdict = 'not-selected';
    base.reason = `not selected: no policy isolates ${dir} of ${self.name}, so it is allowed by default`;
  } else if (base.allowedBy.length > 0) {
    base.verdict = 'allowed';
    base.reason = `allowed by ${base.allowedBy.map((r) => r.text).join(', ')}`;
  } else {
    base.verdict = 'no-rule-matches';
    const near = base.otherPorts.length > 0 ? `; ${base.otherPorts.map((r) => `${r.text} matches ${otherName} but allows ${r.conn}`).join('; ')}` : '';
    base.reason = `no rule matches: ${dir} of ${self.name} is isolated by ${list(base.isolatedBy)} and no ${dir} rule allows ${what} ${dir === 'ingress' ? 'from' : 'to'} ${otherName}${near}`;
  }
  return base;
}

function fullMatch(re: string | undefined, value: string): boolean {
  if (re === undefined || re === '') return true;
  try {
    return new RegExp(`^(?:${re})$`).test(value);
  } catch {
    return false;
  }
}

function httpText(h: HttpRule): string {
  const parts = [h.method ?? '*', h.path ?? '*'];
  if (h.host) parts.push(`host ${h.host}`);
  if (h.headers?.length) parts.push(`headers ${h.headers.join(',')}`);
  return parts.join(' ');
}

/** L7 of one direction: restricted when every allowing rule's matching port group carries L7 rules (docs.cilium.io "Layer 7"). */
function l7Of(a: PolicyAnalysis, rules: NormRule[], dstCls: number, req: TraceRequest): L7Spec[] | undefined {
  const specs: L7Spec[] = [];
  for (const r of rules) {
    for (const g of r.groups) {
      if (g.ports === 'all' ? false : !g.ports.length) continue;
      const conn = groupsConn([g], dstCls >= 0 ? (a.classes[dstCls] as PodClass).ports : undefined);
      if (!conn.contains(req.protocol, req.port)) continue;
      if (!g.l7) return undefined; // an L4-only allow on this port lets every request through
      specs.push(g.l7);
    }
  }
  return specs.length > 0 ? specs : undefined;
}

export function trace(a: PolicyAnalysis, req: TraceRequest): TraceResult {
  const src = resolvePeer(a, req.src);
  const dst = resolvePeer(a, req.dst);
  const notes: string[] = [];
  if (src.kind === 'fqdn') throw new PeerError('an FQDN peer can only be a destination (toFQDNs is egress-only)');
  const srcClasses = src.kind === 'workload' ? src.classes : [-1];
  const dstClasses = dst.kind === 'workload' ? dst.classes : [-1];
  if (srcClasses.length > 1 || dstClasses.length > 1) notes.push('the workload has pods with different labels or ports; the first pod shape is traced');
  const sc = srcClasses[0] as number;
  const dc = dstClasses[0] as number;
  if (dst.kind === 'fqdn' && a.fqdns.every((f) => f.id !== dst.peer.id)) notes.push(`${dst.name} is not named by any toFQDNs rule`);
  if (dst.kind === 'fqdn') notes.push('FQDN addresses cannot be resolved offline: the FQDN is modelled as an external peer of its own');
  if (src.kind === 'ip' && dst.kind === 'ip') throw new PeerError('at least one side must be a workload');

  const dstRemote: Remote = dst.kind === 'workload' ? { kind: 'class', idx: dc } : dst.kind === 'ip' ? { kind: 'ext', range: dst.range } : { kind: 'fqdn', peer: dst.peer };
  const srcRemote: Remote = src.kind === 'workload' ? { kind: 'class', idx: sc } : { kind: 'ext', range: src.range };
  const egress = traceDirection(a, 'egress', src, sc, dstRemote, dst.name, dc, req);
  const ingress = traceDirection(a, 'ingress', dst, dst.kind === 'workload' ? dc : -1, srcRemote, src.name, dc, req);
  const okEgress = egress.verdict === 'allowed' || egress.verdict === 'not-selected' || egress.verdict === 'external';
  const okIngress = ingress.verdict === 'allowed' || ingress.verdict === 'not-selected' || ingress.verdict === 'external';
  let allowed = okEgress && okIngress;
  const result: TraceResult = { src: src.name, dst: dst.name, protocol: req.protocol, port: req.port, allowed, reason: '', egress, ingress, notes };
  if (req.method !== undefined) result.method = req.method;
  if (req.path !== undefined) result.path = req.path;

  if (allowed) {
    const specs: L7Spec[] = [];
    const egressRules = sc >= 0 && egress.verdict === 'allowed' ? (a.outAllow[sc] as NormRule[]).filter((r) => a.ruleMatches(r, dstRemote)) : [];
    const ingressRules = dc >= 0 && ingress.verdict === 'allowed' ? (a.inAllow[dc] as NormRule[]).filter((r) => a.ruleMatches(r, srcRemote)) : [];
    for (const rs of [egressRules, ingressRules]) {
      const s = rs.length > 0 ? l7Of(a, rs, dc, req) : undefined;
      if (s) specs.push(...s);
    }
    if (specs.length > 0) {
      const http = specs.flatMap((s) => s.http ?? []);
      const dns = specs.flatMap((s) => s.dns ?? []);
      const others = specs.flatMap((s) => (s.other ? [s.other] : []));
      const rules = [...http.map(httpText), ...dns.map((d) => `dns ${d.matchName ?? d.matchPattern}`), ...others];
      const l7: L7Trace = { restricted: true, rules, reason: '' };
      if ((req.method !== undefined || req.path !== undefined) && http.length > 0) {
        const hit = http.find((h) => fullMatch(h.method, req.method ?? 'GET') && fullMatch(h.path, req.path ?? '/'));
        l7.matched = hit !== undefined;
        if (hit && (hit.host || hit.headers?.length)) notes.push(`the matching HTTP rule also requires ${hit.host ? `host ${hit.host}` : ''}${hit.headers?.length ? ` headers ${hit.headers.join(',')}` : ''}; not checked`);
        l7.reason = hit ? `HTTP ${req.method ?? 'GET'} ${req.path ?? '/'} matches L7 rule ${httpText(hit)}` : `HTTP ${req.method ?? 'GET'} ${req.path ?? '/'} matches none of the L7 rules (${rules.join('; ')}): the proxy rejects it (403)`;
        allowed = hit !== undefined;
      } else {
        l7.reason = `L4 allowed, but only these requests pass the L7 proxy: ${rules.join('; ')}`;
      }
      result.l7 = l7;
    }
  }
  result.allowed = allowed;
  const what = `${req.protocol}/${req.port}${req.method || req.path ? ` ${req.method ?? 'GET'} ${req.path ?? '/'}` : ''}`;
  if (allowed) {
    result.reason = `allowed: ${src.name} -> ${dst.name} ${what}; egress: ${egress.reason}; ingress: ${ingress.reason}${result.l7 ? `; L7: ${result.l7.reason}` : ''}`;
  } else {
    const why = !okEgress ? `egress: ${egress.reason}` : !okIngress ? `ingress: ${ingress.reason}` : `L7: ${result.l7?.reason ?? ''}`;
    const both = !okEgress && !okIngress ? `; ingress: ${ingress.reason}` : '';
    result.reason = `denied: ${src.name} -> ${dst.name} ${what}; ${why}${both}`;
  }
  return result;
}

export function formatTrace(t: TraceResult): string {
  const lines: string[] = [];
  const what = `${t.protocol}/${t.port}${t.method || t.path ? ` ${t.method ?? 'GET'} ${t.path ?? '/'}` : ''}`;
  lines.push(`${t.allowed ? 'ALLOWED' : 'DENIED'}: ${t.src} -> ${t.dst} ${what}`);
  for (const d of [t.egress, t.ingress]) {
    lines.push(`  ${d.direction} (${d.of}): ${d.verdict} — ${d.reason}`);
    for (const r of [...d.deniedBy, ...d.allowedBy]) lines.push(`    ${r.text}${r.file ? ` (${r.file}${r.line !== undefined ? `:${r.line}` : ''})` : ''}: ${r.conn}`);
  }
  if (t.l7) lines.push(`  L7: ${t.l7.reason}`);
  for (const n of t.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

export type { PodClass };
