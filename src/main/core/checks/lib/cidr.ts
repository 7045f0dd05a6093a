import ipaddr from 'ipaddr.js';

/** CIDR math on BigInt, IPv4 and IPv6. Parsing with ipaddr.js; all other math is ours. */

export interface Ip {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
  /** As written. */
  text: string;
}

const bits = (f: 4 | 6) => (f === 4 ? 32 : 128);

function bytesToBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bigToBytes(v: bigint, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function parseIp(text: string): Ip | null {
  const t = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return { family: 4, value: bytesToBig(ipaddr.IPv4.parse(t).toByteArray()) };
  if (t.includes(':') && ipaddr.IPv6.isValid(t)) {
    const a = ipaddr.IPv6.parse(t);
    if (a.isIPv4MappedAddress()) return { family: 4, value: bytesToBig(a.toIPv4Address().toByteArray()) };
    return { family: 6, value: bytesToBig(a.toByteArray()) };
  }
  return null;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return bigToBytes(ip.value, 4).join('.');
  return (ipaddr.fromByteArray(bigToBytes(ip.value, 16)) as ipaddr.IPv6).toRFC5952String();
}

export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(t.slice(0, slash));
  const p = t.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(p)) return null;
  const prefix = Number(p);
  if (prefix > bits(ip.family)) return null;
  const hostBits = BigInt(bits(ip.family) - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, text: t };
}

export const cidrSize = (c: Cidr): bigint => 1n << BigInt(bits(c.family) - c.prefix);

export function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.family !== ip.family) return false;
  const hostBits = BigInt(bits(c.family) - c.prefix);
  return ip.value >> hostBits === c.base >> hostBits;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return cidrContains(a, { family: b.family, value: b.base }) || cidrContains(b, { family: a.family, value: a.base });
}

/** The n-th address of a CIDR (0 = the network address). */
export function nthAddress(c: Cidr, n: number | bigint): Ip | null {
  const i = BigInt(n);
  if (i < 0n || i >= cidrSize(c)) return null;
  return { family: c.family, value: c.base + i };
}

/** The canonical text of a CIDR (host bits cleared), e.g. 10.100.0.0/12 -> 10.96.0.0/12. */
export const formatCidr = (c: Cidr): string => `${formatIp({ family: c.family, value: c.base })}/${c.prefix}`;

/**
 * Addresses a pod CIDR gives Cilium's allocator (pkg/ipam/service/ipallocator/allocator.go,
 * NewCIDRRange and RangeSize): the network and broadcast addresses are skipped for any range
 * larger than 2 (a /24 gives 254), and IPv6 ranges are capped at 65,536.
 */
export function allocatableAddresses(c: Cidr): number {
  const hostBits = bits(c.family) - c.prefix;
  let size = c.family === 6 && hostBits >= 16 ? 65536 : 2 ** Math.min(hostBits, 52);
  if (size > 2) size -= 2;
  return size;
}

/**
 * Answers "which of these CIDRs contains this address" in O(log n): the CIDRs are merged
 * into sorted, non-overlapping ranges per family (5,000 node pod CIDRs × 5,000 node
 * addresses stays linear-ish).
 */
export class CidrIndex {
  private readonly ranges: Record<4 | 6, { start: bigint; end: bigint; label: string }[]> = { 4: [], 6: [] };

  constructor(cidrs: readonly Cidr[]) {
    for (const fam of [4, 6] as const) {
      const sorted = cidrs
        .filter((c) => c.family === fam)
        .map((c) => ({ start: c.base, end: c.base + cidrSize(c) - 1n, texts: [c.text] }))
        .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      const merged: { start: bigint; end: bigint; texts: string[] }[] = [];
      for (const r of sorted) {
        const last = merged[merged.length - 1];
        if (last && r.start <= last.end) {
          if (r.end > last.end) last.end = r.end;
          last.texts.push(...r.texts);
        } else merged.push({ ...r, texts: [...r.texts] });
      }
      this.ranges[fam] = merged.map((m) => ({ start: m.start, end: m.end, label: m.texts.length > 1 ? `${m.texts[0]} (+${m.texts.length - 1} more)` : (m.texts[0] ?? '') }));
    }
  }

  /** The label of the range holding ip, or null. */
  find(ip: Ip): string | null {
    const rs = this.ranges[ip.family];
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid]!;
      if (ip.value < r.start) hi = mid - 1;
      else if (ip.value > r.end) lo = mid + 1;
      else return r.label;
    }
    return null;
  }
}
