// IPv4 and IPv6 address sets as sorted closed intervals of bigints, and the
// partition of the address space into the ranges every CIDR and except mention.
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/** A closed range of addresses of one family. */
export interface IpRange {
  family: Family;
  start: bigint;
  end: bigint;
}

type Iv = readonly bigint[];

function norm(pairs: Array<[bigint, bigint]>): bigint[] {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: bigint[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as bigint) + 1n) {
      if (e > (out[n - 1] as bigint)) out[n - 1] = e;
    } else out.push(s, e);
  }
  return out;
}

function toPairs(iv: Iv): Array<[bigint, bigint]> {
  const p: Array<[bigint, bigint]> = [];
  for (let i = 0; i < iv.length; i += 2) p.push([iv[i] as bigint, iv[i + 1] as bigint]);
  return p;
}

function subtract(a: Iv, b: Iv): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i] as bigint;
    const e = a[i + 1] as bigint;
    for (let k = 0; k < b.length && s <= e; k += 2) {
      const bs = b[k] as bigint;
      const be = b[k + 1] as bigint;
      if (be < s || bs > e) continue;
      if (bs > s) out.push(s, bs - 1n);
      s = be + 1n;
    }
    if (s <= e) out.push(s, e);
  }
  return out;
}

export class IpSet {
  private constructor(
    readonly v4: Iv,
    readonly v6: Iv,
  ) {}

  static readonly EMPTY = new IpSet([], []);
  static readonly ALL = new IpSet([0n, MAX[4]], [0n, MAX[6]]);

  static range(r: IpRange): IpSet {
    return r.family === 4 ? new IpSet([r.start, r.end], []) : new IpSet([], [r.start, r.end]);
  }

  static family(f: Family): IpSet {
    return IpSet.range({ family: f, start: 0n, end: MAX[f] });
  }

  of(f: Family): Iv {
    return f === 4 ? this.v4 : this.v6;
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  union(o: IpSet): IpSet {
    return new IpSet(norm([...toPairs(this.v4), ...toPairs(o.v4)]), norm([...toPairs(this.v6), ...toPairs(o.v6)]));
  }

  subtract(o: IpSet): IpSet {
    return new IpSet(subtract(this.v4, o.v4), subtract(this.v6, o.v6));
  }

  /** True when every address of `r` is in the set. */
  coversRange(r: IpRange): boolean {
    const iv = this.of(r.family);
    for (let i = 0; i < iv.length; i += 2) {
      if ((iv[i] as bigint) <= r.start && r.end <= (iv[i + 1] as bigint)) return true;
    }
    return false;
  }

  /** True when some address of `r` is in the set. */
  intersectsRange(r: IpRange): boolean {
    const iv = this.of(r.family);
    for (let i = 0; i < iv.length; i += 2) {
      if ((iv[i] as bigint) <= r.end && r.start <= (iv[i + 1] as bigint)) return true;
    }
    return false;
  }

  /** Every boundary (range starts and ends + 1) of this set, per family. */
  cuts(f: Family): bigint[] {
    const iv = this.of(f);
    const out: bigint[] = [];
    for (let i = 0; i < iv.length; i += 2) {
      out.push(iv[i] as bigint);
      if ((iv[i + 1] as bigint) < MAX[f]) out.push((iv[i + 1] as bigint) + 1n);
    }
    return out;
  }

  ranges(): IpRange[] {
    const out: IpRange[] = [];
    for (const f of [4, 6] as Family[]) {
      const iv = this.of(f);
      for (let i = 0; i < iv.length; i += 2) out.push({ family: f, start: iv[i] as bigint, end: iv[i + 1] as bigint });
    }
    return out;
  }
}

function bytesToBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bigToBytes(v: bigint, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Parses one address; IPv4 must be four-part decimal. Returns undefined when invalid. */
export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  const t = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return { family: 4, value: bytesToBig(ipaddr.IPv4.parse(t).toByteArray()) };
  if (t.includes(':') && ipaddr.IPv6.isValid(t)) return { family: 6, value: bytesToBig(ipaddr.IPv6.parse(t).toByteArray()) };
  return undefined;
}

/**
 * Parses `a.b.c.d/n` or an IPv6 CIDR (host bits are masked off, as the API
 * server's validation accepts them). With allowBare, a plain address is a /32 or /128
 * (Cilium's fromCIDR accepts that; Kubernetes' ipBlock.cidr does not).
 */
export function parseCidr(text: string, allowBare = false): IpRange | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) {
    if (!allowBare) return undefined;
    const ip = parseIp(t);
    return ip && { family: ip.family, start: ip.value, end: ip.value };
  }
  const ip = parseIp(t.slice(0, slash));
  const lenText = t.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const len = Number(lenText);
  if (len > bits) return undefined;
  const host = (1n << BigInt(bits - len)) - 1n;
  const start = ip.value & ~host & MAX[ip.family];
  return { family: ip.family, start, end: start | host };
}

export function formatIp(family: Family, v: bigint): string {
  if (family === 4) return bigToBytes(v, 4).join('.');
  return (ipaddr.fromByteArray(bigToBytes(v, 16)) as ipaddr.IPv6).toRFC5952String();
}

/** `A.B.C.D-E.F.G.H` (netpol-analyzer's form for external peers). */
export function formatRange(r: IpRange): string {
  return `${formatIp(r.family, r.start)}-${formatIp(r.family, r.end)}`;
}

/** Parses `A-B`, a CIDR, or a single address into a range. */
export function parseRangeText(text: string): IpRange | undefined {
  const t = text.trim();
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = parseIp(t.slice(0, dash));
    const b = parseIp(t.slice(dash + 1));
    if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
    return { family: a.family, start: a.value, end: b.value };
  }
  return parseCidr(t, true);
}

/**
 * Splits the address space into consecutive ranges at every boundary of the
 * given sets. Each family is included when `families` has it. Every returned
 * range is either fully inside or fully outside each of the given sets.
 */
export function partition(sets: readonly IpSet[], families: readonly Family[]): IpRange[] {
  const out: IpRange[] = [];
  for (const f of families) {
    const cuts = new Set<bigint>([0n]);
    for (const s of sets) for (const c of s.cuts(f)) cuts.add(c);
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      const start = sorted[i] as bigint;
      const end = i + 1 < sorted.length ? (sorted[i + 1] as bigint) - 1n : MAX[f];
      out.push({ family: f, start, end });
    }
  }
  return out;
}

export function compareRanges(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0;
}
