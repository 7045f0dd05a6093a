// What a change does: connections lost and gained between two connectivity lists.
import { ConnSet } from './connset';
import { compareConnections, type Connection } from './engine';
import { formatRange, parseRangeText, type IpRange } from './ipset';

export interface ConnChange {
  src: string;
  dst: string;
  /** Connections allowed before and not after (implicit denies the change introduces). */
  lost: ConnSet;
  /** Connections allowed after and not before. */
  gained: ConnSet;
  before: ConnSet;
  after: ConnSet;
}

export interface ConnDiff {
  lost: ConnChange[];
  gained: ConnChange[];
  /** Every changed pair (a pair can both lose and gain). */
  changed: ConnChange[];
}

const RANGE = /^[0-9a-fA-F.:]+-[0-9a-fA-F.:]+$/;

function asRange(peer: string): IpRange | undefined {
  return RANGE.test(peer) ? parseRangeText(peer) : undefined;
}

/** Splits external ranges at every boundary either side uses, so both lists name the same ranges. */
function refine(list: readonly Connection[], cuts: Map<4 | 6, bigint[]>): Connection[] {
  const out: Connection[] = [];
  const split = (r: IpRange): IpRange[] => {
    const cs = (cuts.get(r.family) ?? []).filter((c) => c > r.start && c <= r.end);
    const parts: IpRange[] = [];
    let start = r.start;
    for (const c of cs) {
      parts.push({ family: r.family, start, end: c - 1n });
      start = c;
    }
    parts.push({ family: r.family, start, end: r.end });
    return parts;
  };
  for (const c of list) {
    const sr = asRange(c.src);
    const dr = asRange(c.dst);
    if (sr) for (const p of split(sr)) out.push({ src: formatRange(p), dst: c.dst, conn: c.conn });
    else if (dr) for (const p of split(dr)) out.push({ src: c.src, dst: formatRange(p), conn: c.conn });
    else out.push(c);
  }
  return out;
}

export function diffConnectivity(before: readonly Connection[], after: readonly Connection[]): ConnDiff {
  const cuts = new Map<4 | 6, bigint[]>();
  for (const c of [...before, ...after]) {
    for (const peer of [c.src, c.dst]) {
      const r = asRange(peer);
      if (!r) continue;
      const list = cuts.get(r.family) ?? [];
      list.push(r.start, r.end + 1n);
      cuts.set(r.family, list);
    }
  }
  for (const [f, list] of cuts) cuts.set(f, [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const key = (c: { src: string; dst: string }) => `${c.src}\u0000${c.dst}`;
  const b = new Map<string, Connection>();
  for (const c of refine(before, cuts)) b.set(key(c), c);
  const a = new Map<string, Connection>();
  for (const c of refine(after, cuts)) a.set(key(c), c);
  const changed: ConnChange[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(k);
    const y = a.get(k);
    const bc = x?.conn ?? ConnSet.EMPTY;
    const ac = y?.conn ?? ConnSet.EMPTY;
    if (bc === ac) continue;
    const ref = (x ?? y) as Connection;
    changed.push({ src: ref.src, dst: ref.dst, lost: bc.subtract(ac), gained: ac.subtract(bc), before: bc, after: ac });
  }
  changed.sort(compareConnections);
  return { lost: changed.filter((c) => !c.lost.isEmpty()), gained: changed.filter((c) => !c.gained.isEmpty()), changed };
}
