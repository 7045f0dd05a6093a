// The path-MTU probe against real network namespaces:
//
//   ns A --veth (mtu 1500)-- ns R (router) --veth (mtu 1400)-- ns B
//   plus a VXLAN overlay A <-> B across R (vx0, VNI 42, port 4789)
//
// Needs root and iproute2 + iputils-ping; skips with a message otherwise. Every name lives
// inside namespaces this file creates (suffixed with the pid) and is deleted afterwards.
// No test cluster is needed: run with DATAPATH_LAB_TESTCLUSTERS= to skip starting them.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execPing, probePathMtu } from '../../src/main/core/probes/pmtu';

const has = (tool: string) => {
  try {
    execFileSync(tool, ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canRun = isRoot && has('ip') && has('ping');
const why = !isRoot ? 'needs root to create network namespaces' : 'needs iproute2 (ip) and iputils-ping (ping) on PATH';

const tag = `dlp${process.pid}`;
const NS = { a: `${tag}-a`, r: `${tag}-r`, b: `${tag}-b` } as const;

const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const inNs = (ns: string, argv: string[]) => run(['ip', 'netns', 'exec', ns, ...argv]);

function build(vxlanDf: 'set' | 'unset') {
  for (const ns of Object.values(NS)) run(['ip', 'netns', 'add', ns]);
  // Links: A a0 <-> R r0 at 1500, R r1 <-> B b0 at 1400.
  run(['ip', 'link', 'add', 'a0', 'netns', NS.a, 'mtu', '1500', 'type', 'veth', 'peer', 'name', 'r0', 'netns', NS.r, 'mtu', '1500']);
  run(['ip', 'link', 'add', 'r1', 'netns', NS.r, 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'b0', 'netns', NS.b, 'mtu', '1400']);
  inNs(NS.a, ['ip', 'addr', 'add', '10.231.1.2/24', 'dev', 'a0']);
  inNs(NS.r, ['ip', 'addr', 'add', '10.231.1.1/24', 'dev', 'r0']);
  inNs(NS.r, ['ip', 'addr', 'add', '10.231.2.1/24', 'dev', 'r1']);
  inNs(NS.b, ['ip', 'addr', 'add', '10.231.2.2/24', 'dev', 'b0']);
  for (const [ns, devs] of [[NS.a, ['lo', 'a0']], [NS.r, ['lo', 'r0', 'r1']], [NS.b, ['lo', 'b0']]] as const) for (const d of devs) inNs(ns, ['ip', 'link', 'set', d, 'up']);
  inNs(NS.a, ['ip', 'route', 'add', 'default', 'via', '10.231.1.1']);
  inNs(NS.b, ['ip', 'route', 'add', 'default', 'via', '10.231.2.1']);
  inNs(NS.r, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  // The overlay: the kernel sizes vx0 at the lower device's MTU minus 50 (1450 in A, 1350 in B).
  inNs(NS.a, ['ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'local', '10.231.1.2', 'remote', '10.231.2.2', 'dstport', '4789', 'dev', 'a0', 'df', vxlanDf]);
  inNs(NS.b, ['ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'local', '10.231.2.2', 'remote', '10.231.1.2', 'dstport', '4789', 'dev', 'b0', 'df', vxlanDf]);
  inNs(NS.a, ['ip', 'addr', 'add', '192.168.77.1/24', 'dev', 'vx0']);
  inNs(NS.b, ['ip', 'addr', 'add', '192.168.77.2/24', 'dev', 'vx0']);
  inNs(NS.a, ['ip', 'link', 'set', 'vx0', 'up']);
  inNs(NS.b, ['ip', 'link', 'set', 'vx0', 'up']);
}

function teardown() {
  for (const ns of Object.values(NS)) {
    try {
      run(['ip', 'netns', 'del', ns]);
    } catch {
      // not created
    }
  }
}

const mtuOf = (ns: string, dev: string) => (JSON.parse(inNs(ns, ['ip', '-j', 'link', 'show', dev])) as { mtu: number }[])[0]!.mtu;

describe.skipIf(!canRun)(`path-MTU probe in network namespaces${canRun ? '' : ` (skipped: ${why})`}`, () => {
  beforeAll(() => {
    teardown();
    build('set');
  });
  afterAll(teardown);

  it('built the topology the test describes', () => {
    expect([mtuOf(NS.a, 'a0'), mtuOf(NS.r, 'r1'), mtuOf(NS.a, 'vx0'), mtuOf(NS.b, 'vx0')]).toEqual([1500, 1400, 1450, 1350]);
  });

  it('finds the 1400 hop from A to B: payload 1372 (+ 28 IPv4/ICMP headers)', async () => {
    const r = await probePathMtu({ dest: '10.231.2.2', ping: execPing({ prefix: ['ip', 'netns', 'exec', NS.a] }) });
    expect(r.error).toBeUndefined();
    expect(r.payload).toBe(1372);
    expect(r.pathMtu).toBe(1400);
    expect(r.atLeast).toBe(false);
    // R answered "fragmentation needed" with the next-hop MTU.
    expect(r.reportedMtu).toBe(1400);
  });

  it('finds 1500 (the ceiling) from R to A, as "at least"', async () => {
    const r = await probePathMtu({ dest: '10.231.1.2', ping: execPing({ prefix: ['ip', 'netns', 'exec', NS.r] }) });
    expect(r).toMatchObject({ payload: 1472, pathMtu: 1500, atLeast: true });
  });

  it('finds 1350 across the VXLAN overlay (1400 underlay - 50), below vx0\'s own 1450', async () => {
    const r = await probePathMtu({ dest: '192.168.77.2', ping: execPing({ prefix: ['ip', 'netns', 'exec', NS.a] }) });
    expect(r.error).toBeUndefined();
    expect(r.payload).toBe(1322);
    expect(r.pathMtu).toBe(1350);
  });

  it('reports an unreachable destination', async () => {
    const r = await probePathMtu({ dest: '10.231.9.9', ping: execPing({ prefix: ['ip', 'netns', 'exec', NS.b] }), retries: 0 });
    expect(r.payload).toBeNull();
    expect(r.error).toContain('does not reach 10.231.9.9');
  });
});

// Only where the namespaces cannot be made: one skipped test that says why (nothing is skipped where they can).
if (!canRun) {
  describe('path-MTU probe (environment)', () => {
    it.skip(`cannot run here: ${why}`, () => {});
  });
}
