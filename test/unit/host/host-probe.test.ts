import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { btfSearchPaths, parseIpLinkJson, readBtf, readHostFacts, readKernelRelease, readSysClassNet } from '../../../src/main/core/probes/host';
import { known } from '../../../src/shared/facts';

describe('host probe on this machine', () => {
  it('reads the real kernel release, BTF and interfaces (checked independently)', async () => {
    const facts = await readHostFacts();
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    expect(facts.kernelRelease).toMatchObject({ state: 'known', value: release });

    const firstBtf = btfSearchPaths(release).find((p) => existsSync(p)) ?? null;
    expect(facts.btf).toMatchObject({ state: 'known', value: { present: firstBtf !== null, path: firstBtf } });

    expect(facts.interfaces.state).toBe('known');
    if (facts.interfaces.state !== 'known') return;
    const names = readdirSync('/sys/class/net').sort();
    expect(facts.interfaces.value.map((i) => i.name).sort()).toEqual(names);
    for (const i of facts.interfaces.value) {
      expect(i.mtu, i.name).toBe(Number(readFileSync(`/sys/class/net/${i.name}/mtu`, 'utf8')));
    }
  });
});

describe('host probe parsing', () => {
  it('parses real `ip -j -d link` output with veth and vxlan devices', () => {
    const text = readFileSync(join(__dirname, '../../fixtures/host/ip-link-veth-vxlan.json'), 'utf8');
    const ifs = parseIpLinkJson(text);
    expect(ifs.map((i) => [i.name, i.kind, i.mtu])).toEqual([
      ['lo', 'loopback', 65536],
      ['veth1', 'veth', 1500],
      ['veth0', 'veth', 9000],
      ['vxlan42', 'vxlan', 1450],
    ]);
    expect(ifs.find((i) => i.name === 'veth0')?.parent).toBe('veth1');
  });

  it('falls back to /sys/class/net', () => {
    const root = mkdtempSync(join(tmpdir(), 'dlab-sys-'));
    for (const [name, mtu, type, uevent] of [['eth0', '1500', '1', 'INTERFACE=eth0'], ['cilium_vxlan', '1450', '1', 'DEVTYPE=vxlan'], ['lo', '65536', '772', '']]) {
      const d = join(root, 'sys/class/net', name!);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'mtu'), `${mtu}\n`);
      writeFileSync(join(d, 'type'), `${type}\n`);
      writeFileSync(join(d, 'uevent'), `${uevent}\n`);
      writeFileSync(join(d, 'operstate'), 'up\n');
    }
    expect(readSysClassNet({ root }).map((i) => [i.name, i.kind, i.mtu])).toEqual([
      ['cilium_vxlan', 'vxlan', 1450],
      ['eth0', 'ether', 1500],
      ['lo', 'loopback', 65536],
    ]);
  });

  it('finds BTF in cilium/ebpf order and says where it looked when absent', () => {
    const root = mkdtempSync(join(tmpdir(), 'dlab-btf-'));
    const r = '5.15.0-1052-azure';
    expect(readBtf(known(r, 'test'), { root })).toMatchObject({ state: 'known', value: { present: false, path: null } });
    mkdirSync(join(root, 'boot'), { recursive: true });
    writeFileSync(join(root, 'boot', `vmlinux-${r}`), '');
    expect(readBtf(known(r, 'test'), { root })).toMatchObject({ value: { present: true, path: `/boot/vmlinux-${r}` } });
    expect(readKernelRelease({ root })).toMatchObject({ state: 'unknown', reason: 'not-found' });
  });
});
