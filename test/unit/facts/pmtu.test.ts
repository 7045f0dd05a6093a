import { describe, expect, it } from 'vitest';
import { parsePingOutput, pingArgv, probePathMtu, type PingFn } from '../../../src/main/core/probes/pmtu';

/** A path: the local link MTU, the narrowest hop, and what the narrow hop does with big DF packets. */
function path(local: number, narrow: number, mode: 'icmp' | 'blackhole', family: 4 | 6 = 4): PingFn & { calls: number[] } {
  const hdr = family === 4 ? 28 : 48;
  let learned: number | null = null; // the kernel caches a reported PMTU
  const calls: number[] = [];
  const fn = async (_dest: string, payload: number) => {
    calls.push(payload);
    const size = payload + hdr;
    const limit = learned ?? local;
    if (size > limit) return { ok: false, detail: `ping: local error: message too long, mtu=${limit}`, mtuHint: limit };
    if (size > narrow) {
      if (mode === 'blackhole') return { ok: false, detail: '1 packets transmitted, 0 received, 100% packet loss, time 0ms' };
      learned = narrow;
      return { ok: false, detail: `From 10.0.2.1 icmp_seq=1 Frag needed and DF set (mtu = ${narrow})`, mtuHint: narrow };
    }
    return { ok: true, detail: `${payload + 8} bytes from 10.0.3.2: icmp_seq=1 ttl=63 time=0.1 ms` };
  };
  return Object.assign(fn, { calls });
}

describe('probePathMtu', () => {
  it.each([
    ['1500 everywhere', 1500, 1500, 'icmp', 1472, true],
    ['1400 hop answering with ICMP', 1500, 1400, 'icmp', 1372, false],
    ['1400 hop that blackholes', 1500, 1400, 'blackhole', 1372, false],
    ['VXLAN inner path over a 1400 underlay', 1450, 1350, 'blackhole', 1322, false],
    ['jumbo local, 1500 path', 9000, 1500, 'icmp', 1472, false],
  ] as const)('%s -> payload %i', async (_n, local, narrow, mode, payload, atLeast) => {
    const ping = path(local, narrow, mode);
    const r = await probePathMtu({ dest: '10.0.3.2', ping, maxMtu: Math.max(local, 1500), retries: 0 });
    expect(r.payload).toBe(payload);
    expect(r.pathMtu).toBe(payload + 28);
    expect(r.atLeast).toBe(atLeast);
    expect(r.probes.length).toBeLessThan(16);
  });

  it('uses the reported MTU to finish in a few probes', async () => {
    const ping = path(1500, 1400, 'icmp');
    const r = await probePathMtu({ dest: '10.0.3.2', ping, retries: 0 });
    expect(r.reportedMtu).toBe(1400);
    expect(ping.calls).toEqual([16, 1472, 1372, 1373]);
  });

  it('retries silent losses once, not "too big" answers', async () => {
    const ping = path(1500, 1400, 'blackhole');
    const r = await probePathMtu({ dest: '10.0.3.2', ping, retries: 1 });
    expect(r.payload).toBe(1372);
    const failures = r.probes.filter((p) => !p.ok).map((p) => p.payload);
    for (const p of new Set(failures)) expect(failures.filter((x) => x === p)).toHaveLength(2);
  });

  it('handles IPv6 headers (48 bytes)', async () => {
    const r = await probePathMtu({ dest: 'fd00::2', family: 6, ping: path(1500, 1280, 'icmp', 6), retries: 0 });
    expect(r).toMatchObject({ payload: 1232, pathMtu: 1280 });
  });

  it('reports an unreachable destination instead of a size', async () => {
    const r = await probePathMtu({ dest: '10.9.9.9', ping: async () => ({ ok: false, detail: 'connect: Network is unreachable' }), retries: 0 });
    expect(r).toMatchObject({ payload: null, pathMtu: null });
    expect(r.error).toContain('does not reach 10.9.9.9: connect: Network is unreachable');
  });
});

describe('ping argv and output', () => {
  it('builds argv, never a shell string', () => {
    expect(pingArgv('10.0.3.2', 1372)).toEqual(['-4', '-M', 'do', '-s', '1372', '-c', '1', '-W', '1', '10.0.3.2']);
    expect(pingArgv('fd00::2', 1232, 6, 2)).toEqual(['-6', '-M', 'do', '-s', '1232', '-c', '1', '-W', '2', 'fd00::2']);
  });

  it('reads MTU hints from iputils output', () => {
    expect(parsePingOutput('PING 10.0.3.2 (10.0.3.2) 1472(1500) bytes of data.\nping: local error: message too long, mtu=1400\n\n--- 10.0.3.2 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n')).toEqual({ mtuHint: 1400, detail: 'ping: local error: message too long, mtu=1400' });
    expect(parsePingOutput('PING 10.0.3.2 (10.0.3.2) 1472(1500) bytes of data.\nFrom 10.0.2.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n')).toMatchObject({ mtuHint: 1400 });
    expect(parsePingOutput('PING fd00::2(fd00::2) 1452 data bytes\nFrom fd00:1::1 icmp_seq=1 Packet too big: mtu=1280\n')).toMatchObject({ mtuHint: 1280 });
    expect(parsePingOutput('PING 10.0.3.2 (10.0.3.2) 56(84) bytes of data.\n64 bytes from 10.0.3.2: icmp_seq=1 ttl=63 time=0.061 ms\n')).toEqual({ detail: '64 bytes from 10.0.3.2: icmp_seq=1 ttl=63 time=0.061 ms' });
  });
});
