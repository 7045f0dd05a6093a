import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cgroupFromMounts,
  parseIpAddrJson,
  parseIpRouteJson,
  parseMounts,
  parseProcNetIpv6Route,
  parseProcNetRoute,
  readAddresses,
  readCgroup,
  readDefaultRoute,
  readDefaultRouteWithIp,
  readHostNodeFacts,
  readKernelConfig,
} from '../../../src/main/core/probes/host-kernel';
import { readKernelRelease } from '../../../src/main/core/probes/host';
import { NODE_FACT_KEYS } from '../../../src/main/core/facts/types';
import { known } from '../../../src/shared/facts';

const roots: string[] = [];
function root(files: Record<string, string | Buffer>): string {
  const r = mkdtempSync(join(tmpdir(), 'dlab-kernel-'));
  roots.push(r);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(r, p)), { recursive: true });
    writeFileSync(join(r, p), content);
  }
  return r;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const R = '6.1.0-18-amd64';
const rel = known(R, '/proc/sys/kernel/osrelease');
const CFG = '#\n# Linux/x86 6.1.76 Kernel Configuration\n#\nCONFIG_BPF=y\nCONFIG_NET_CLS_BPF=m\n# CONFIG_NETKIT is not set\nCONFIG_HZ=250\n';

describe('readKernelConfig (kubeadm search order) on temp roots', () => {
  it('prefers /proc/config.gz (gunzipped) over /boot/config-R', () => {
    const r = root({ 'proc/config.gz': gzipSync(CFG), [`boot/config-${R}`]: 'CONFIG_BPF=n\n' });
    const f = readKernelConfig(rel, { root: r });
    expect(f).toEqual(known({ path: '/proc/config.gz', searched: ['/proc/config.gz'], options: { BPF: 'y', NET_CLS_BPF: 'm', NETKIT: 'n' }, optionCount: 3 }, '/proc/config.gz'));
  });

  it('falls through to /boot/config-R, then to /lib/modules/R/build/.config', () => {
    const boot = readKernelConfig(rel, { root: root({ [`boot/config-${R}`]: CFG }) });
    expect(boot).toMatchObject({ state: 'known', value: { path: `/boot/config-${R}`, searched: ['/proc/config.gz', `/boot/config-${R}`] } });
    const build = readKernelConfig(rel, { root: root({ [`lib/modules/${R}/build/.config`]: CFG }) });
    expect(build).toMatchObject({ state: 'known', value: { path: `/lib/modules/${R}/build/.config` } });
    if (build.state === 'known') expect(build.value.searched).toHaveLength(9);
  });

  it('is not-found with every path when there is no config, and an error for an empty file', () => {
    const none = readKernelConfig(rel, { root: root({}) });
    expect(none).toMatchObject({ state: 'unknown', reason: 'not-found' });
    if (none.state === 'unknown') expect(none.detail).toContain(`/proc/config.gz, /boot/config-${R}, /usr/src/linux-${R}/.config`);
    expect(readKernelConfig(rel, { root: root({ [`boot/config-${R}`]: 'hello\n' }) })).toMatchObject({ state: 'unknown', reason: 'error' });
    expect(readKernelConfig({ state: 'unknown', reason: 'error', detail: 'x' }, { root: root({}) })).toMatchObject({ state: 'unknown', reason: 'not-applicable' });
  });

  it('reads a real distro config stored gzipped as /proc/config.gz', () => {
    const gz = readFileSync(join(__dirname, '../../fixtures/checks/kernel-configs/debian-13_6.12.43.config.gz'));
    const f = readKernelConfig(known('6.12.43+deb13-amd64', 'x'), { root: root({ 'proc/config.gz': gz }) });
    expect(f).toMatchObject({ state: 'known', value: { options: { NETKIT: 'y', BPF_JIT: 'y', VXLAN: 'm' } } });
  });
});

describe('cgroup detection', () => {
  const V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n';
  const HYBRID = 'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n';
  const V1 = 'tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0\ncgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0\ncgroup /sys/fs/cgroup/net_cls,net_prio cgroup rw,nosuid,nodev,noexec,relatime,net_cls,net_prio 0 0\n';

  it.each([
    ['v2 (systemd unified)', V2, 'v2', '/sys/fs/cgroup'],
    ['hybrid (v1 controllers, cgroup2 at unified)', HYBRID, 'hybrid', '/sys/fs/cgroup/unified'],
    ['v1', V1, 'v1', null],
    ['none', 'proc /proc proc rw 0 0\n', 'none', null],
  ])('%s', (_n, mounts, mode, v2Mount) => {
    expect(cgroupFromMounts(parseMounts(mounts))).toEqual({ mode, v2Mount, controllers: [] });
  });

  it('reads controllers from the cgroup2 root', () => {
    const r = root({ 'proc/mounts': V2, 'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n' });
    expect(readCgroup({ root: r })).toEqual(known({ mode: 'v2', v2Mount: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'] }, '/proc/mounts, /sys/fs/cgroup/cgroup.controllers'));
  });

  it('decodes escaped mount points', () => {
    expect(parseMounts('cgroup2 /run/my\\040cg cgroup2 rw 0 0')[0]!.target).toBe('/run/my cg');
  });
});

describe('default route and addresses', () => {
  it('parses /proc/net/route (gateway is little-endian hex) and picks the lowest metric', () => {
    const text = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\nwlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(parseProcNetRoute(text)).toEqual({ device: 'eth0', gateway: '192.0.2.1' });
    expect(parseProcNetRoute('Iface\tDestination\n')).toBeNull();
  });

  it('parses /proc/net/ipv6_route, skipping the unreachable default on lo', () => {
    const text = [
      'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
    ].join('\n');
    expect(parseProcNetIpv6Route(text)).toEqual({ device: 'eth0', gateway: 'fd00::1' });
  });

  it('parses `ip -j route` and `ip -j addr` output', () => {
    expect(parseIpRouteJson('[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]}]')).toEqual({ device: 'eth0', gateway: '192.0.2.1' });
    expect(parseIpRouteJson('[{"dst":"fd00::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"default","gateway":"fd00::1","dev":"eth0","metric":1024,"flags":[],"pref":"medium"}]')).toEqual({ device: 'eth0', gateway: 'fd00::1' });
    expect(
      parseIpAddrJson('[{"ifindex":1,"ifname":"lo","mtu":65536,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo"},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},{"ifindex":2,"ifname":"ifb0","mtu":1500,"addr_info":[]}]'),
    ).toEqual([
      { device: 'lo', address: '127.0.0.1', prefixLength: 8, family: 'ipv4' },
      { device: 'lo', address: '::1', prefixLength: 128, family: 'ipv6' },
    ]);
  });
});

describe('on this machine (read independently)', () => {
  const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();

  it('reads the kernel config the way zcat/cat would', () => {
    const f = readKernelConfig(readKernelRelease());
    let text: string | null;
    try {
      text = execFileSync('gzip', ['-dc', '/proc/config.gz'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    } catch {
      try {
        text = readFileSync(`/boot/config-${release}`, 'utf8');
      } catch {
        text = null;
      }
    }
    if (text === null) {
      expect(f).toMatchObject({ state: 'unknown', reason: 'not-found' });
      return;
    }
    expect(f.state).toBe('known');
    if (f.state !== 'known') return;
    for (const opt of ['BPF', 'BPF_SYSCALL', 'BPF_JIT', 'VXLAN', 'NETKIT', 'CGROUP_BPF']) {
      const m = new RegExp(`^CONFIG_${opt}=([ymn])$`, 'm').exec(text)?.[1] ?? (new RegExp(`^# CONFIG_${opt} is not set$`, 'm').test(text) ? 'n' : undefined);
      expect(f.value.options[opt], opt).toBe(m);
    }
    expect(f.value.optionCount).toBe(text.split('\n').filter((l) => /^CONFIG_[A-Z0-9_]+=[ymn]$/.test(l) || /^# CONFIG_[A-Z0-9_]+ is not set$/.test(l)).length);
  });

  it('reads cgroups as /proc/mounts says', () => {
    const f = readCgroup();
    const mounts = readFileSync('/proc/mounts', 'utf8');
    const v2 = mounts.split('\n').filter((l) => l.split(' ')[2] === 'cgroup2').map((l) => l.split(' ')[1]);
    const v1 = mounts.split('\n').some((l) => l.split(' ')[2] === 'cgroup');
    expect(f.state).toBe('known');
    if (f.state !== 'known') return;
    expect(f.value.v2Mount === null ? [] : [f.value.v2Mount]).toEqual(v2.includes('/sys/fs/cgroup') ? ['/sys/fs/cgroup'] : v2.slice(0, 1));
    expect(f.value.mode).toBe(v2.length === 0 ? (v1 ? 'v1' : 'none') : v1 ? 'hybrid' : 'v2');
  });

  it('finds the default route device `ip route` shows', async () => {
    const ipv4 = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show'], { encoding: 'utf8' })) as { dst: string; dev: string; metric?: number }[];
    const want = ipv4.filter((r) => r.dst === 'default').sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0]?.dev ?? null;
    const fromProc = readDefaultRoute();
    const fromIp = await readDefaultRouteWithIp();
    expect(fromProc.state === 'known' ? (fromProc.value.ipv4?.device ?? null) : 'unknown').toBe(want);
    expect(fromIp.state === 'known' ? (fromIp.value.ipv4?.device ?? null) : 'unknown').toBe(want);
    if (fromProc.state === 'known' && fromIp.state === 'known') expect(fromProc.value.ipv6?.device ?? null).toBe(fromIp.value.ipv6?.device ?? null);
  });

  it('reads every address `ip addr` shows', async () => {
    const raw = JSON.parse(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8' })) as { addr_info?: { family: string }[] }[];
    const n = raw.flatMap((l) => l.addr_info ?? []).filter((a) => a.family === 'inet' || a.family === 'inet6').length;
    const f = await readAddresses();
    expect(f.state === 'known' ? f.value.length : -1).toBe(n);
  });

  it('gathers every node fact for this host under its name', async () => {
    const set = await readHostNodeFacts(hostname());
    for (const k of NODE_FACT_KEYS) {
      const f = set[k];
      expect(f?.state, k).toBe('known');
      if (f?.state === 'known') expect(Object.keys(f.value)).toEqual([hostname()]);
    }
    expect(set['node.kernel.release']).toMatchObject({ value: { [hostname()]: { state: 'known', value: release } } });
  });
});
