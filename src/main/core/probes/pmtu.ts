import { execQuiet } from '../exec';
import { resolveTool } from '../runner/tools';

/**
 * Active path-MTU probe: bisects the largest ICMP echo payload that crosses the path with
 * the don't-fragment bit set (`ping -M do -s SIZE -c 1 -W 1 DEST`). Path MTU = payload +
 * 28 (IPv4 20 + ICMP 8) or + 48 (IPv6 40 + ICMPv6 8). The ping function is injectable: tests
 * and other targets (a network namespace, a node container, a debug pod) bring their own.
 */

export interface PingOutcome {
  ok: boolean;
  /** What ping said (first meaningful line), for the transcript. */
  detail: string;
  /** An MTU the kernel or a router reported ("message too long, mtu=1400", "Frag needed … (mtu = 1400)"). */
  mtuHint?: number;
}

export type PingFn = (dest: string, payload: number) => Promise<PingOutcome>;

export const headerBytes = (family: 4 | 6): number => (family === 4 ? 28 : 48);

/** The ping arguments for one probe (argv, never a shell string). */
export function pingArgv(dest: string, payload: number, family: 4 | 6 = 4, waitSeconds = 1): string[] {
  return [...(family === 6 ? ['-6'] : ['-4']), '-M', 'do', '-s', String(payload), '-c', '1', '-W', String(waitSeconds), dest];
}

/** Reads an MTU hint out of ping's output (iputils). */
export function parsePingOutput(text: string): { mtuHint?: number; detail: string } {
  const m = /mtu\s*=\s*(\d+)/i.exec(text) ?? /Packet too big: mtu=(\d+)/i.exec(text);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const detail = lines.find((l) => /error|too long|frag|too big|unreachable|bytes from/i.test(l)) ?? lines.find((l) => /packet loss/.test(l)) ?? lines[0] ?? '';
  return m ? { mtuHint: Number(m[1]), detail } : { detail };
}

export interface ExecPingOptions {
  family?: 4 | 6;
  /** argv placed before ping, e.g. ['ip', 'netns', 'exec', 'ns-a'] or ['docker', 'exec', 'kind-worker']. */
  prefix?: string[];
  /** Path of ping; default: resolved on PATH (or plain "ping" inside a prefix). */
  ping?: string;
  waitSeconds?: number;
}

/** A PingFn that runs iputils ping, optionally behind a prefix. */
export function execPing(opts: ExecPingOptions = {}): PingFn {
  const family = opts.family ?? 4;
  const wait = opts.waitSeconds ?? 1;
  const pingPath = opts.ping ?? (opts.prefix?.length ? 'ping' : (resolveTool('ping').path ?? 'ping'));
  return async (dest, payload) => {
    const argv = [...(opts.prefix ?? []), pingPath, ...pingArgv(dest, payload, family, wait)];
    const r = await execQuiet(argv[0]!, argv.slice(1), { timeoutMs: (wait + 3) * 1000 });
    const parsed = parsePingOutput(`${r.stdout}\n${r.stderr}`);
    return { ok: r.code === 0, ...parsed, detail: r.timedOut ? 'timed out' : parsed.detail };
  };
}

export interface PmtuProbe {
  payload: number;
  ok: boolean;
  detail: string;
}

export interface PmtuResult {
  dest: string;
  family: 4 | 6;
  /** The largest payload that passed, null when even the smallest did not. */
  payload: number | null;
  /** payload + headers; with `atLeast`, the path carries at least this much (the ceiling passed). */
  pathMtu: number | null;
  atLeast: boolean;
  /** The last MTU a router or the kernel reported, if any. */
  reportedMtu: number | null;
  probes: PmtuProbe[];
  error?: string;
}

export interface PmtuOptions {
  dest: string;
  ping: PingFn;
  family?: 4 | 6;
  /** The largest MTU to try (default 1500; 9000 for jumbo paths). */
  maxMtu?: number;
  /** A payload that must pass before bisecting (default 16). */
  minPayload?: number;
  /** Extra tries for a probe that failed without a "too big" answer (lost packets), default 1. */
  retries?: number;
}

export async function probePathMtu(o: PmtuOptions): Promise<PmtuResult> {
  const family = o.family ?? 4;
  const hdr = headerBytes(family);
  const probes: PmtuProbe[] = [];
  let reportedMtu: number | null = null;
  const retries = o.retries ?? 1;

  const tryPayload = async (payload: number): Promise<PingOutcome> => {
    let out: PingOutcome = { ok: false, detail: '' };
    for (let i = 0; i <= retries; i++) {
      out = await o.ping(o.dest, payload);
      probes.push({ payload, ok: out.ok, detail: out.detail });
      if (out.mtuHint) reportedMtu = out.mtuHint;
      // A "too big" answer is deterministic; only silent loss is worth another try.
      if (out.ok || out.mtuHint) break;
    }
    return out;
  };

  const min = o.minPayload ?? 16;
  const max = (o.maxMtu ?? 1500) - hdr;
  const result = (payload: number | null, atLeast: boolean, error?: string): PmtuResult => ({
    dest: o.dest,
    family,
    payload,
    pathMtu: payload === null ? null : payload + hdr,
    atLeast,
    reportedMtu,
    probes,
    ...(error ? { error } : {}),
  });

  if (!(await tryPayload(min)).ok) return result(null, false, `even a ${min}-byte payload does not reach ${o.dest}: ${probes[probes.length - 1]?.detail ?? ''}`);
  if ((await tryPayload(max)).ok) return result(max, true);

  // Invariant: lo passes, hi fails.
  let lo = min;
  let hi = max;
  let hint: number | null = reportedMtu !== null ? reportedMtu - hdr : null;
  while (hi - lo > 1) {
    let next = Math.floor((lo + hi) / 2);
    // A reported MTU is a good guess: test it (and just above it) before halving.
    if (hint !== null && hint > lo && hint < hi) {
      next = hint;
      hint = hint + 1 < hi ? hint + 1 : null;
    } else hint = null;
    const r = await tryPayload(next);
    if (r.ok) lo = next;
    else {
      hi = next;
      if (r.mtuHint && r.mtuHint - hdr > lo && r.mtuHint - hdr < hi) hint = r.mtuHint - hdr;
    }
  }
  return result(lo, false);
}
