import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { known, unknown, type Fact } from '../../../shared/facts';
import type { BtfInfo, HostFacts, NetInterface } from '../../../shared/api';
import { execQuiet } from '../exec';
import { resolveTool } from '../runner/tools';

/** A root to read /proc, /sys and /boot under: '/' on the host, a folder in tests. */
export interface HostFs {
  root: string;
}
const at = (fs: HostFs, p: string) => (fs.root === '/' ? p : join(fs.root, p));

export function readKernelRelease(fs: HostFs = { root: '/' }): Fact<string> {
  const p = '/proc/sys/kernel/osrelease';
  try {
    return known(readFileSync(at(fs, p), 'utf8').trim(), p);
  } catch {
    if (fs.root === '/') return known(release(), 'uname(2)');
    return unknown('not-found', `${p} is not readable`, p);
  }
}

/** cilium/ebpf's search order for kernel BTF (btf/kernel_linux.go); R = uname -r. */
export function btfSearchPaths(r: string): string[] {
  return [
    '/sys/kernel/btf/vmlinux',
    `/boot/vmlinux-${r}`,
    `/lib/modules/${r}/vmlinux-${r}`,
    `/lib/modules/${r}/build/vmlinux`,
    `/usr/lib/modules/${r}/kernel/vmlinux`,
    `/usr/lib/debug/boot/vmlinux-${r}`,
    `/usr/lib/debug/boot/vmlinux-${r}.debug`,
    `/usr/lib/debug/lib/modules/${r}/vmlinux`,
  ];
}

export function readBtf(releaseFact: Fact<string>, fs: HostFs = { root: '/' }): Fact<BtfInfo> {
  if (releaseFact.state !== 'known') return unknown('not-applicable', 'the kernel release is unknown, so BTF paths cannot be built');
  const searched = btfSearchPaths(releaseFact.value);
  const found = searched.find((p) => existsSync(at(fs, p))) ?? null;
  return known({ present: found !== null, path: found, searched }, found ?? `searched ${searched.length} paths`);
}

interface IpLink {
  ifname: string;
  mtu: number;
  operstate?: string;
  link_type?: string;
  link?: string;
  linkinfo?: { info_kind?: string };
}

/** Parses `ip -j -d link show`. */
export function parseIpLinkJson(text: string): NetInterface[] {
  const links = JSON.parse(text) as IpLink[];
  return links.map((l) => ({
    name: l.ifname,
    mtu: l.mtu,
    kind: l.linkinfo?.info_kind ?? (l.link_type === 'loopback' ? 'loopback' : (l.link_type ?? 'unknown')),
    state: (l.operstate ?? 'UNKNOWN').toLowerCase(),
    parent: l.link ?? null,
  }));
}

/** /sys/class/net fallback when ip is missing. */
export function readSysClassNet(fs: HostFs = { root: '/' }): NetInterface[] {
  const base = at(fs, '/sys/class/net');
  return readdirSync(base).sort().map((name) => {
    const read = (f: string) => {
      try {
        return readFileSync(join(base, name, f), 'utf8').trim();
      } catch {
        return '';
      }
    };
    const devtype = /^DEVTYPE=(.+)$/m.exec(read('uevent'))?.[1];
    const type = read('type');
    return {
      name,
      mtu: Number(read('mtu')) || 0,
      kind: devtype ?? (type === '772' ? 'loopback' : type === '1' ? 'ether' : type ? `arphrd-${type}` : 'unknown'),
      state: read('operstate') || 'unknown',
      parent: null,
    };
  });
}

export async function readInterfaces(): Promise<Fact<NetInterface[]>> {
  const ip = resolveTool('ip');
  if (ip.path) {
    const r = await execQuiet(ip.path, ['-j', '-d', 'link', 'show'], { timeoutMs: 5000 });
    if (r.code === 0) {
      try {
        return known(parseIpLinkJson(r.stdout), 'ip -j -d link show');
      } catch {
        // fall through to /sys
      }
    }
  }
  try {
    return known(readSysClassNet(), '/sys/class/net');
  } catch (err) {
    return unknown('error', `neither ip nor /sys/class/net could be read: ${(err as Error).message}`);
  }
}

export async function readHostFacts(): Promise<HostFacts> {
  const kernelRelease = readKernelRelease();
  return {
    hostname: hostname(),
    kernelRelease,
    btf: readBtf(kernelRelease),
    interfaces: await readInterfaces(),
  };
}
