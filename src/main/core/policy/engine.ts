// The analyzer: pods grouped into equivalence classes (namespace + labels +
// named ports + service account), every rule's peers as a bitset over classes
// and external ranges, and the allowed connections of any pair computed as
//   (egress allowed at the source ∩ ingress allowed at the destination)
//   − (egress denied at the source ∪ ingress denied at the destination).
// A direction that no policy isolates allows everything (Kubernetes: a pod is
// isolated for a direction once a policy selecting it has that policy type;
// Cilium: once a policy selecting it has rules in that direction, see
// enableDefaultDeny). Allow rules of both kinds add up; deny rules win.
import { ConnSet } from './connset';
import { compareRanges, formatRange, IpSet, partition, type Family, type IpRange } from './ipset';
import { CILIUM_CLUSTER_LABEL, CILIUM_NS_LABEL, CILIUM_NS_LABELS_PREFIX, CILIUM_SA_LABEL, groupsConn } from './matchers';
import type { ContainerPort, Direction, FqdnSelector, Labels, NormRule, PeerSpec, PodMatcher, PodView, PolicyModel, PolicyUnit, Workload } from './model';

export interface PodClass extends PodView {
  idx: number;
  ports: readonly ContainerPort[];
  portsKey: string;
  serviceAccount: string;
  ips: string[];
  /** Indexes into PolicyAnalysis.workloads. */
  workloads: number[];
}

/** An FQDN named by a toFQDNs selector: its addresses are unknown offline, so it is a peer of its own. */
export interface FqdnPeer {
  /** `fqdn:<name or pattern>` */
  id: string;
  name: string;
  pattern: boolean;
}

/** The other side of a rule, as the trace sees it. */
export type Remote = { kind: 'class'; idx: number } | { kind: 'ext'; range: IpRange } | { kind: 'fqdn'; peer: FqdnPeer };

export interface Connection {
  src: string;
  dst: string;
  conn: ConnSet;
}

function bitHas(b: Uint32Array, i: number): boolean {
  return ((b[i >>> 5] as number) >>> (i & 31)) & 1 ? true : false;
}

function bitSet(b: Uint32Array, i: number): void {
  b[i >>> 5] = (b[i >>> 5] as number) | (1 << (i & 31));
}

function bitOr(a: Uint32Array, b: Uint32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) | (b[i] as number);
}

function fillBits(b: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) bitSet(b, i);
}

/** Cilium's FQDN match pattern (docs.cilium.io "DNS based"): `*` = any DNS characters except `.`, a leading `**.` = any subdomains. */
export function fqdnPatternRegex(pattern: string): RegExp {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p === '*') return /^.*$/;
  let prefix = '';
  let rest = p;
  if (p.startsWith('**.')) {
    prefix = '(?:[-a-z0-9_]+\\.)+';
    rest = p.slice(3);
  }
  const body = rest
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[-a-z0-9_]*');
  return new RegExp(`^${prefix}${body}$`);
}

export function fqdnSelectorMatches(sel: FqdnSelector, peer: FqdnPeer): boolean {
  if (sel.matchName !== undefined) return !peer.pattern && sel.matchName === peer.name;
  if (sel.matchPattern === undefined) return false;
  if (peer.pattern) return sel.matchPattern === peer.name || sel.matchPattern === '*';
  return fqdnPatternRegex(sel.matchPattern).test(peer.name);
}

const ALL_V4: IpRange = { family: 4, start: 0n, end: (1n << 32n) - 1n };

function identityLabels(ns: string, labels: Labels, nsLabels: Labels, sa: string): Labels {
  const id: Record<string, string> = { ...labels };
  id[CILIUM_NS_LABEL] = ns;
  id[CILIUM_SA_LABEL] = sa;
  id[CILIUM_CLUSTER_LABEL] = 'default';
  for (const [k, v] of Object.entries(nsLabels)) id[CILIUM_NS_LABELS_PREFIX + k] = v;
  return id;
}

export class PolicyAnalysis {
  readonly classes: PodClass[] = [];
  readonly workloads: Workload[];
  /** External source ranges: the address space split at every CIDR and except of ingress rules. */
  readonly extIn: IpRange[];
  /** External destination ranges: split at every CIDR and except of egress rules. */
  readonly extOut: IpRange[];
  readonly fqdns: FqdnPeer[] = [];
  readonly families: Family[];
  readonly inIsolated: Uint8Array;
  readonly outIsolated: Uint8Array;
  readonly inAllow: NormRule[][];
  readonly inDeny: NormRule[][];
  readonly outAllow: NormRule[][];
  readonly outDeny: NormRule[][];
  /** Classes each policy unit selects. */
  readonly subjects = new Map<PolicyUnit, number[]>();
  private readonly classesByNs = new Map<string, number[]>();
  private readonly podBitsCache = new Map<string, Uint32Array>();
  private readonly ruleBitsCache = new Map<NormRule, Uint32Array>();
  private readonly namedConnCache = new Map<NormRule, Map<string, ConnSet>>();
  private readonly inSize: number;
  private readonly outSize: number;

  constructor(readonly model: PolicyModel) {
    this.workloads = model.workloads;
    const byKey = new Map<string, PodClass>();
    model.workloads.forEach((w, wi) => {
      const ns = model.namespaces.get(w.namespace);
      const nsLabels = ns?.labels ?? {};
      for (const v of w.variants) {
        const portsKey = v.ports
          .map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`)
          .sort()
          .join(',');
        const labelsKey = Object.keys(v.labels)
          .sort()
          .map((k) => `${k}=${v.labels[k]}`)
          .join(',');
        const key = `${w.namespace}|${labelsKey}|${portsKey}|${v.serviceAccount}`;
        let c = byKey.get(key);
        if (!c) {
          c = {
            idx: this.classes.length,
            namespace: w.namespace,
            labels: v.labels,
            nsLabels,
            identity: identityLabels(w.namespace, v.labels, nsLabels, v.serviceAccount),
            ports: v.ports,
            portsKey,
            serviceAccount: v.serviceAccount,
            ips: [...v.ips],
            workloads: [],
          };
          byKey.set(key, c);
          this.classes.push(c);
          const list = this.classesByNs.get(w.namespace) ?? [];
          list.push(c.idx);
          this.classesByNs.set(w.namespace, list);
        } else c.ips.push(...v.ips);
        if (!c.workloads.includes(wi)) c.workloads.push(wi);
      }
    });
    const n = this.classes.length;

    // External ranges. IPv6 is included once any rule names an IPv6 range narrower than the whole space.
    const rules = model.policies.flatMap((u) => u.rules);
    const v6 = rules.some((r) => r.peer.ips.v6.length > 0 && !(r.peer.ips.v6.length === 2 && r.peer.ips.v6[0] === 0n && r.peer.ips.v6[1] === (1n << 128n) - 1n));
    this.families = v6 ? [4, 6] : [4];
    // Like netpol-analyzer, each ipBlock cuts the space on its own: adjacent blocks stay separate ranges.
    const sets = (d: Direction) => rules.filter((r) => r.direction === d).flatMap((r) => [r.peer.ips, ...r.peer.blocks]);
    this.extIn = partition(sets('ingress'), this.families);
    this.extOut = partition(sets('egress'), this.families);

    // FQDN peers: every distinct toFQDNs name or pattern of an allow rule.
    const seen = new Set<string>();
    for (const r of rules) {
      if (r.direction !== 'egress') continue;
      for (const f of r.peer.fqdns) {
        const name = f.matchName ?? f.matchPattern ?? '';
        const id = `fqdn:${name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        this.fqdns.push({ id, name, pattern: f.matchName === undefined });
      }
    }
    this.fqdns.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.inSize = n + this.extIn.length;
    this.outSize = n + this.extOut.length + this.fqdns.length;

    this.inIsolated = new Uint8Array(n);
    this.outIsolated = new Uint8Array(n);
    this.inAllow = Array.from({ length: n }, () => []);
    this.inDeny = Array.from({ length: n }, () => []);
    this.outAllow = Array.from({ length: n }, () => []);
    this.outDeny = Array.from({ length: n }, () => []);
    for (const u of model.policies) {
      const selected = this.matchClasses(u.subject);
      this.subjects.set(u, selected);
      for (const c of selected) {
        if (u.isolates.ingress) this.inIsolated[c] = 1;
        if (u.isolates.egress) this.outIsolated[c] = 1;
        for (const r of u.rules) {
          const list = r.direction === 'ingress' ? (r.action === 'allow' ? this.inAllow : this.inDeny) : r.action === 'allow' ? this.outAllow : this.outDeny;
          (list[c] as NormRule[]).push(r);
        }
      }
    }
  }

  /** Classes a pod matcher selects. */
  matchClasses(m: PodMatcher): number[] {
    const cand = m.ns !== undefined ? (this.classesByNs.get(m.ns) ?? []) : this.classes.map((c) => c.idx);
    return cand.filter((i) => m.test(this.classes[i] as PodClass));
  }

  private podBits(m: PodMatcher, size: number): Uint32Array {
    const key = `${size}|${m.key}`;
    let b = this.podBitsCache.get(key);
    if (!b) {
      b = new Uint32Array((size + 31) >>> 5);
      if (m.key === '*') fillBits(b, this.classes.length);
      else for (const i of this.matchClasses(m)) bitSet(b, i);
      this.podBitsCache.set(key, b);
    }
    return b;
  }

  /** Does a rule's peer part match an FQDN peer? World-wide CIDRs and the world entity cover every name. */
  fqdnMatches(peer: PeerSpec, f: FqdnPeer): boolean {
    return peer.any || peer.ips.coversRange(ALL_V4) || peer.fqdns.some((s) => fqdnSelectorMatches(s, f));
  }

  /** The peers a rule matches, as bits over [classes, external ranges of its direction, FQDN peers (egress)]. */
  ruleBits(r: NormRule): Uint32Array {
    let b = this.ruleBitsCache.get(r);
    if (b) return b;
    const n = this.classes.length;
    const size = r.direction === 'ingress' ? this.inSize : this.outSize;
    b = new Uint32Array((size + 31) >>> 5);
    if (r.peer.any) fillBits(b, size);
    else {
      for (const m of r.peer.pods) bitOr(b, this.podBits(m, size));
      const ext = r.direction === 'ingress' ? this.extIn : this.extOut;
      if (!r.peer.ips.isEmpty()) ext.forEach((seg, i) => r.peer.ips.coversRange(seg) && bitSet(b as Uint32Array, n + i));
      if (r.direction === 'egress') this.fqdns.forEach((f, i) => this.fqdnMatches(r.peer, f) && bitSet(b as Uint32Array, n + this.extOut.length + i));
    }
    this.ruleBitsCache.set(r, b);
    return b;
  }

  /** Does a rule match a remote peer (trace form)? */
  ruleMatches(r: NormRule, remote: Remote): boolean {
    if (r.peer.any) return true;
    switch (remote.kind) {
      case 'class':
        return bitHas(this.ruleBits(r), remote.idx);
      case 'ext':
        return r.peer.ips.coversRange(remote.range);
      case 'fqdn':
        return r.direction === 'egress' && this.fqdnMatches(r.peer, remote.peer);
    }
  }

  /** The connections a rule allows (or denies) toward a destination class, or an external destination (-1). */
  ruleConn(r: NormRule, dstClass: number): ConnSet {
    if (r.fixedConn) return r.fixedConn;
    if (dstClass < 0) return groupsConn(r.groups, undefined);
    const c = this.classes[dstClass] as PodClass;
    let m = this.namedConnCache.get(r);
    if (!m) {
      m = new Map();
      this.namedConnCache.set(r, m);
    }
    let v = m.get(c.portsKey);
    if (!v) {
      v = groupsConn(r.groups, c.ports);
      m.set(c.portsKey, v);
    }
    return v;
  }

  /**
   * Allowed connections from a source to a destination. srcCls/dstCls are class
   * indexes or -1 for an external peer; srcIn/dstOut are the indexes in the
   * ingress (source) and egress (destination) peer spaces. egressOnly skips the
   * destination's ingress policies.
   */
  pairConn(srcCls: number, srcIn: number, dstCls: number, dstOut: number, egressOnly = false): ConnSet {
    let egress = ConnSet.ALL;
    let denied = ConnSet.EMPTY;
    if (srcCls >= 0) {
      if (this.outIsolated[srcCls]) {
        egress = ConnSet.EMPTY;
        for (const r of this.outAllow[srcCls] as NormRule[]) if (bitHas(this.ruleBits(r), dstOut)) egress = egress.union(this.ruleConn(r, dstCls));
        if (egress.isEmpty()) return egress;
      }
      for (const r of this.outDeny[srcCls] as NormRule[]) if (bitHas(this.ruleBits(r), dstOut)) denied = denied.union(this.ruleConn(r, dstCls));
    }
    let ingress = ConnSet.ALL;
    if (dstCls >= 0 && !egressOnly) {
      if (this.inIsolated[dstCls]) {
        ingress = ConnSet.EMPTY;
        for (const r of this.inAllow[dstCls] as NormRule[]) if (bitHas(this.ruleBits(r), srcIn)) ingress = ingress.union(this.ruleConn(r, dstCls));
        if (ingress.isEmpty()) return ingress;
      }
      for (const r of this.inDeny[dstCls] as NormRule[]) if (bitHas(this.ruleBits(r), srcIn)) denied = denied.union(this.ruleConn(r, dstCls));
    }
    return egress.intersect(ingress).subtract(denied);
  }

  /** Union of the peer bits of a class's rules for one direction, or every peer when the direction is not isolated. */
  private candidates(cls: number, dir: Direction): Uint32Array {
    const size = dir === 'ingress' ? this.inSize : this.outSize;
    const b = new Uint32Array((size + 31) >>> 5);
    const isolated = dir === 'ingress' ? this.inIsolated[cls] : this.outIsolated[cls];
    if (!isolated) {
      fillBits(b, size);
      return b;
    }
    for (const r of (dir === 'ingress' ? this.inAllow[cls] : this.outAllow[cls]) as NormRule[]) bitOr(b, this.ruleBits(r));
    return b;
  }

  extName(r: IpRange): string {
    return formatRange(r);
  }

  /**
   * Every allowed connection between workloads and between workloads and
   * external ranges / FQDN peers, collapsed to workloads, sorted by source then
   * destination. A workload's connections to itself are left out.
   */
  connections(): Connection[] {
    const n = this.classes.length;
    const W = this.workloads.length;
    const acc = new Map<number, ConnSet>();
    const add = (key: number, c: ConnSet) => {
      const prev = acc.get(key);
      acc.set(key, prev ? prev.union(c) : c);
    };
    const inCand = Array.from({ length: n }, (_, d) => this.candidates(d, 'ingress'));
    for (let s = 0; s < n; s++) {
      const out = this.candidates(s, 'egress');
      const sc = this.classes[s] as PodClass;
      for (let w = 0; w < (n + 31) >>> 5; w++) {
        let word = out[w] as number;
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          word &= word - 1;
          const d = (w << 5) + bit;
          if (d >= n) break;
          if (!bitHas(inCand[d] as Uint32Array, s)) continue;
          const c = this.pairConn(s, s, d, d);
          if (c.isEmpty()) continue;
          const dc = this.classes[d] as PodClass;
          for (const ws of sc.workloads) for (const wd of dc.workloads) if (ws !== wd) add(ws * W + wd, c);
        }
      }
    }
    const res: Connection[] = [];
    for (const [key, conn] of acc) {
      res.push({ src: (this.workloads[Math.floor(key / W)] as Workload).id, dst: (this.workloads[key % W] as Workload).id, conn });
    }
    // External sources toward workloads.
    this.extIn.forEach((seg, i) => {
      const name = formatRange(seg);
      const per = new Map<number, ConnSet>();
      for (let d = 0; d < n; d++) {
        const c = this.pairConn(-1, n + i, d, d);
        if (c.isEmpty()) continue;
        for (const wd of (this.classes[d] as PodClass).workloads) per.set(wd, per.get(wd)?.union(c) ?? c);
      }
      for (const [wd, conn] of per) res.push({ src: name, dst: (this.workloads[wd] as Workload).id, conn });
    });
    // Workloads toward external ranges and FQDN peers.
    const outs: Array<{ name: string; idx: number }> = [
      ...this.extOut.map((seg, i) => ({ name: formatRange(seg), idx: n + i })),
      ...this.fqdns.map((f, i) => ({ name: f.id, idx: n + this.extOut.length + i })),
    ];
    for (const o of outs) {
      const per = new Map<number, ConnSet>();
      for (let s = 0; s < n; s++) {
        const c = this.pairConn(s, s, -1, o.idx);
        if (c.isEmpty()) continue;
        for (const ws of (this.classes[s] as PodClass).workloads) per.set(ws, per.get(ws)?.union(c) ?? c);
      }
      for (const [ws, conn] of per) res.push({ src: (this.workloads[ws] as Workload).id, dst: o.name, conn });
    }
    res.sort(compareConnections);
    return res;
  }

  /** Classes of a workload. */
  classesOf(workloadIdx: number): number[] {
    return this.classes.filter((c) => c.workloads.includes(workloadIdx)).map((c) => c.idx);
  }

  /** The external range (of the given direction's partition) that contains an address range, if one does. */
  segmentOf(range: IpRange, dir: Direction): number {
    const ext = dir === 'ingress' ? this.extIn : this.extOut;
    return ext.findIndex((s) => s.family === range.family && s.start <= range.start && range.end <= s.end);
  }

  static readonly sortRanges = compareRanges;
  static readonly allIps = IpSet.ALL;
}

export function compareConnections(a: { src: string; dst: string }, b: { src: string; dst: string }): number {
  return a.src < b.src ? -1 : a.src > b.src ? 1 : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;
}
