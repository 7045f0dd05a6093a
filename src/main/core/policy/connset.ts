// Exact sets of connections: protocol -> set of port intervals in 1..65535.
//
// ConnSets are immutable and interned: two equal sets are the same object, so
// equality is identity and the results of union/intersection/difference are
// cached by the operands' ids. The analyzer combines the same few sets millions
// of times (one per pair of pod classes), which this makes O(1).

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Sorted, disjoint, non-adjacent closed intervals flattened as [s0, e0, s1, e1, ...]. */
export type Intervals = readonly number[];

export type ConnJSON = 'all' | Partial<Record<Protocol, string>>;

const FULL: Intervals = [MIN_PORT, MAX_PORT];

function normalize(list: Array<[number, number]>): number[] {
  const sorted = list.filter(([s, e]) => s <= e).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [s, e] of sorted) {
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as number) + 1) {
      if (e > (out[n - 1] as number)) out[n - 1] = e;
    } else {
      out.push(s, e);
    }
  }
  return out;
}

function unionIv(a: Intervals, b: Intervals): number[] {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i] as number, a[i + 1] as number]);
  for (let i = 0; i < b.length; i += 2) pairs.push([b[i] as number, b[i + 1] as number]);
  return normalize(pairs);
}

function intersectIv(a: Intervals, b: Intervals): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i] as number, b[j] as number);
    const e = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (s <= e) out.push(s, e);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return out;
}

function subtractIv(a: Intervals, b: Intervals): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i] as number;
    const e = a[i + 1] as number;
    while (j < b.length && (b[j + 1] as number) < s) j += 2;
    let k = j;
    while (k < b.length && (b[k] as number) <= e) {
      const bs = b[k] as number;
      const be = b[k + 1] as number;
      if (bs > s) out.push(s, bs - 1);
      s = Math.max(s, be + 1);
      if (s > e) break;
      k += 2;
    }
    if (s <= e) out.push(s, e);
  }
  return out;
}

function ivText(iv: Intervals): string {
  const parts: string[] = [];
  for (let i = 0; i < iv.length; i += 2) {
    const s = iv[i] as number;
    const e = iv[i + 1] as number;
    parts.push(s === e ? String(s) : `${s}-${e}`);
  }
  return parts.join(',');
}

function ivKey(iv: Intervals): string {
  return iv.join(',');
}

const interned = new Map<string, ConnSet>();
let nextId = 0;
const unionCache = new Map<number, ConnSet>();
const interCache = new Map<number, ConnSet>();
const diffCache = new Map<number, ConnSet>();
const CACHE_LIMIT = 2_000_000;

function pairKey(a: ConnSet, b: ConnSet): number {
  return a.id * 4_194_304 + b.id;
}

function cached(cache: Map<number, ConnSet>, key: number, compute: () => ConnSet): ConnSet {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = compute();
  if (cache.size > CACHE_LIMIT) cache.clear();
  cache.set(key, v);
  return v;
}

export class ConnSet {
  private constructor(
    readonly TCP: Intervals,
    readonly UDP: Intervals,
    readonly SCTP: Intervals,
    readonly key: string,
    readonly id: number,
  ) {}

  private static intern(tcp: Intervals, udp: Intervals, sctp: Intervals): ConnSet {
    const key = `${ivKey(tcp)}|${ivKey(udp)}|${ivKey(sctp)}`;
    let c = interned.get(key);
    if (c === undefined) {
      c = new ConnSet(tcp, udp, sctp, key, nextId++);
      interned.set(key, c);
    }
    return c;
  }

  static readonly EMPTY: ConnSet = ConnSet.intern([], [], []);
  static readonly ALL: ConnSet = ConnSet.intern(FULL, FULL, FULL);

  /** Ports start..end (inclusive) of one protocol; out-of-range parts are clipped. */
  static ports(protocol: Protocol, start: number = MIN_PORT, end: number = start): ConnSet {
    const iv = normalize([[Math.max(MIN_PORT, start), Math.min(MAX_PORT, end)]]);
    return ConnSet.intern(protocol === 'TCP' ? iv : [], protocol === 'UDP' ? iv : [], protocol === 'SCTP' ? iv : []);
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): ConnSet {
    return ConnSet.ports(protocol, MIN_PORT, MAX_PORT);
  }

  /** Builds a set from a JSON/text form: 'all', or { TCP: '80,8000-8080', UDP: '53' }. */
  static parse(v: ConnJSON): ConnSet {
    if (v === 'all') return ConnSet.ALL;
    let out = ConnSet.EMPTY;
    for (const p of PROTOCOLS) {
      const text = v[p];
      if (text === undefined || text === '') continue;
      for (const part of text.split(',')) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!m) throw new Error(`bad port range "${part}"`);
        out = out.union(ConnSet.ports(p, Number(m[1]), Number(m[2] ?? m[1])));
      }
    }
    return out;
  }

  get(p: Protocol): Intervals {
    return this[p];
  }

  isEmpty(): boolean {
    return this === ConnSet.EMPTY;
  }

  isAll(): boolean {
    return this === ConnSet.ALL;
  }

  contains(protocol: Protocol, port: number): boolean {
    const iv = this[protocol];
    for (let i = 0; i < iv.length; i += 2) {
      if (port >= (iv[i] as number) && port <= (iv[i + 1] as number)) return true;
    }
    return false;
  }

  union(o: ConnSet): ConnSet {
    if (this === o || o.isEmpty() || this.isAll()) return this;
    if (this.isEmpty() || o.isAll()) return o;
    const [a, b] = this.id < o.id ? [this, o] : [o, this];
    return cached(unionCache, pairKey(a, b), () => ConnSet.intern(unionIv(a.TCP, b.TCP), unionIv(a.UDP, b.UDP), unionIv(a.SCTP, b.SCTP)));
  }

  intersect(o: ConnSet): ConnSet {
    if (this === o || o.isAll()) return this;
    if (this.isAll()) return o;
    if (this.isEmpty() || o.isEmpty()) return ConnSet.EMPTY;
    const [a, b] = this.id < o.id ? [this, o] : [o, this];
    return cached(interCache, pairKey(a, b), () =>
      ConnSet.intern(intersectIv(a.TCP, b.TCP), intersectIv(a.UDP, b.UDP), intersectIv(a.SCTP, b.SCTP)),
    );
  }

  subtract(o: ConnSet): ConnSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    if (this === o || o.isAll()) return ConnSet.EMPTY;
    return cached(diffCache, pairKey(this, o), () =>
      ConnSet.intern(subtractIv(this.TCP, o.TCP), subtractIv(this.UDP, o.UDP), subtractIv(this.SCTP, o.SCTP)),
    );
  }

  /** True when every connection of `o` is in this set. */
  covers(o: ConnSet): boolean {
    return o.subtract(this).isEmpty();
  }

  /** `'all'`, or an object with one entry per protocol that has ports, e.g. `{ TCP: '80,8000-8080' }`. */
  toJSON(): ConnJSON {
    if (this.isAll()) return 'all';
    const out: Partial<Record<Protocol, string>> = {};
    for (const p of PROTOCOLS) {
      const iv = this[p];
      if (iv.length > 0) out[p] = ivText(iv);
    }
    return out;
  }

  /** Text form: `All Connections`, `No Connections`, or `TCP 80,8000-8080,UDP 53` (netpol-analyzer's style: protocols in alphabetical order). */
  toText(): string {
    if (this.isAll()) return 'All Connections';
    if (this.isEmpty()) return 'No Connections';
    const parts: string[] = [];
    for (const p of ['SCTP', 'TCP', 'UDP'] as const) {
      const iv = this[p];
      if (iv.length > 0) parts.push(`${p} ${ivText(iv)}`);
    }
    return parts.join(',');
  }
}
