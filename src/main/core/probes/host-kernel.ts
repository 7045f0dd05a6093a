import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { gunzipSync } from 'node:zlib';
import { known, unknown, type Fact } from '../../../shared/facts';
import { execQuiet } from '../exec';
import { KERNEL_OPTIONS_OF_INTEREST, kernelConfigSearchPaths, parseKernelConfig } from '../facts/kernel-config';
import { setNodeFact } from '../facts/factset';
import type { CgroupInfo, DefaultRoute, FactSet, InterfaceAddress, KernelConfig } from '../facts/types';
import { resolveTool } from '../runner/tools';
import { readBtf, readInterfaces, readKernelRelease, type HostFs } from './host';

/**
 * The pure part of the host probe for kernel and network facts: every reader takes a root
 * folder ('/' on the host, a temp folder in tests, a node container's root via its
 * /proc/<pid>/root) and never writes. Commands (ip) are optional extras with file fallbacks.
 */

const at = (fs: HostFs, p: string) => (fs.root === '/' ? p : join(fs.root, p));

// ---------------------------------------------------------------------------------------
// Kernel config

/**
 * Reads the kernel config in kubeadm's order (first existing file wins), gunzipping
 * /proc/config.gz. Keeps `only` options (default: the ones the checks know). Unlike kubeadm
 * it never runs `modprobe configs`: a probe does not change the host.
 */
export function readKernelConfig(release: Fact<string>, fs: HostFs = { root: '/' }, only: readonly string[] = KERNEL_OPTIONS_OF_INTEREST): Fact<KernelConfig> {
  if (release.state !== 'known') return unknown('not-applicable', 'the kernel release is unknown, so the config paths cannot be built');
  const paths = kernelConfigSearchPaths(release.value);
  const searched: string[] = [];
  for (const p of paths) {
    searched.push(p);
    const file = at(fs, p);
    if (!existsSync(file)) continue;
    try {
      const raw = readFileSync(file);
      const text = p.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const parsed = parseKernelConfig(text, only);
      if (parsed.optionCount === 0) return unknown('error', `${p} has no CONFIG_ lines`, p);
      return known({ path: p, searched, options: parsed.options, optionCount: parsed.optionCount }, p);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return unknown(e.code === 'EACCES' || e.code === 'EPERM' ? 'forbidden' : 'error', `cannot read ${p}: ${e.message}`, p);
    }
  }
  return unknown('not-found', `no kernel config in any of ${paths.join(', ')} (the configs module would provide /proc/config.gz: modprobe configs)`, 'kubeadm kernel config search order');
}

// ---------------------------------------------------------------------------------------
// cgroups

interface Mount {
  source: string;
  target: string;
  type: string;
}

/** Parses /proc/mounts (or /proc/self/mounts); octal escapes like \040 are decoded. */
export function parseMounts(text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3)
    .map((f) => ({ source: unescape(f[0]!), target: unescape(f[1]!), type: f[2]! }));
}

/** cgroup v2 when /sys/fs/cgroup is cgroup2; hybrid with v1 controllers and cgroup2 elsewhere; v1; none. */
export function cgroupFromMounts(mounts: readonly Mount[], controllers: (v2Mount: string) => string[] = () => []): CgroupInfo {
  const v2 = mounts.filter((m) => m.type === 'cgroup2');
  const v1 = mounts.some((m) => m.type === 'cgroup');
  const root = v2.find((m) => m.target === '/sys/fs/cgroup');
  const v2Mount = root?.target ?? v2[0]?.target ?? null;
  const mode: CgroupInfo['mode'] = root && !v1 ? 'v2' : v2Mount && v1 ? 'hybrid' : v2Mount ? 'v2' : v1 ? 'v1' : 'none';
  return { mode, v2Mount, controllers: v2Mount ? controllers(v2Mount) : [] };
}

export function readCgroup(fs: HostFs = { root: '/' }): Fact<CgroupInfo> {
  const p = '/proc/mounts';
  let text: string;
  try {
    text = readFileSync(at(fs, p), 'utf8');
  } catch (err) {
    return unknown('not-found', `cannot read ${p}: ${(err as Error).message}`, p);
  }
  const info = cgroupFromMounts(parseMounts(text), (mount) => {
    try {
      return readFileSync(at(fs, join(mount, 'cgroup.controllers')), 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  });
  return known(info, info.v2Mount ? `${p}, ${info.v2Mount}/cgroup.controllers` : p);
}

// ---------------------------------------------------------------------------------------
// Default route

/** /proc/net/route: the lowest-metric default (destination and mask 0, RTF_UP) IPv4 route. */
export function parseProcNetRoute(text: string): DefaultRoute['ipv4'] {
  let best: { device: string; gateway: string | null; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f as [string, string, string, string, string, string, string, string];
    if (dest !== '00000000' || mask !== '00000000' || (parseInt(flags, 16) & 0x1) === 0) continue;
    // The gateway is a little-endian hex IPv4 address.
    const g = parseInt(gw, 16);
    const gateway = g === 0 ? null : [g & 255, (g >>> 8) & 255, (g >>> 16) & 255, (g >>> 24) & 255].join('.');
    const m = parseInt(metric, 10) || 0;
    if (!best || m < best.metric) best = { device: iface, gateway, metric: m };
  }
  return best ? { device: best.device, gateway: best.gateway } : null;
}

/** /proc/net/ipv6_route: the lowest-metric ::/0 route that is up and not on lo (lo holds the unreachable default). */
export function parseProcNetIpv6Route(text: string): DefaultRoute['ipv6'] {
  let best: { device: string; gateway: string | null; metric: number } | null = null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, plen, , , nexthop, metric, , , flags, dev] = f as [string, string, string, string, string, string, string, string, string, string];
    if (!/^0{32}$/.test(dest) || plen !== '00' || dev === 'lo' || (parseInt(flags, 16) & 0x1) === 0) continue;
    const gateway = /^0{32}$/.test(nexthop) ? null : ipaddr.IPv6.parse(nexthop.match(/.{4}/g)!.join(':')).toRFC5952String();
    const m = parseInt(metric, 16) || 0;
    if (!best || m < best.metric) best = { device: dev, gateway, metric: m };
  }
  return best ? { device: best.device, gateway: best.gateway } : null;
}

interface IpRoute {
  dst?: string;
  dev?: string;
  gateway?: string;
  metric?: number;
}

/** `ip -j route show` / `ip -j -6 route show`: the lowest-metric default route. */
export function parseIpRouteJson(text: string): DefaultRoute['ipv4'] {
  const routes = JSON.parse(text) as IpRoute[];
  const defaults = routes.filter((r) => (r.dst === 'default' || r.dst === '0.0.0.0/0' || r.dst === '::/0') && r.dev);
  defaults.sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
  const d = defaults[0];
  return d?.dev ? { device: d.dev, gateway: d.gateway ?? null } : null;
}

export function readDefaultRoute(fs: HostFs = { root: '/' }): Fact<DefaultRoute> {
  const read = (p: string) => {
    try {
      return readFileSync(at(fs, p), 'utf8');
    } catch {
      return null;
    }
  };
  const v4 = read('/proc/net/route');
  const v6 = read('/proc/net/ipv6_route');
  if (v4 === null && v6 === null) return unknown('not-found', 'neither /proc/net/route nor /proc/net/ipv6_route is readable', '/proc/net');
  return known({ ipv4: v4 === null ? null : parseProcNetRoute(v4), ipv6: v6 === null ? null : parseProcNetIpv6Route(v6) }, '/proc/net/route, /proc/net/ipv6_route');
}

/** The same from `ip -j route` (used when /proc/net is not the node's, e.g. through a container runtime). */
export async function readDefaultRouteWithIp(): Promise<Fact<DefaultRoute>> {
  const ip = resolveTool('ip');
  if (!ip.path) return unknown('not-found', 'ip (iproute2) is not on PATH');
  const run = async (args: string[]) => {
    const r = await execQuiet(ip.path!, args, { timeoutMs: 5000 });
    return r.code === 0 ? parseIpRouteJson(r.stdout) : null;
  };
  try {
    return known({ ipv4: await run(['-j', '-4', 'route', 'show']), ipv6: await run(['-j', '-6', 'route', 'show']) }, 'ip -j route show');
  } catch (err) {
    return unknown('error', `cannot parse ip -j route: ${(err as Error).message}`, 'ip -j route show');
  }
}

// ---------------------------------------------------------------------------------------
// Addresses

interface IpAddr {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
}

/** `ip -j addr show` -> addresses per device. */
export function parseIpAddrJson(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const l of JSON.parse(text) as IpAddr[])
    for (const a of l.addr_info ?? []) {
      if (a.family !== 'inet' && a.family !== 'inet6') continue;
      out.push({ device: l.ifname, address: a.local, prefixLength: a.prefixlen, family: a.family === 'inet' ? 'ipv4' : 'ipv6' });
    }
  return out;
}

export async function readAddresses(): Promise<Fact<InterfaceAddress[]>> {
  const ip = resolveTool('ip');
  if (!ip.path) return unknown('not-found', 'ip (iproute2) is not on PATH, and IPv4 addresses are not in /proc');
  const r = await execQuiet(ip.path, ['-j', 'addr', 'show'], { timeoutMs: 5000 });
  if (r.code !== 0) return unknown('error', `ip -j addr show failed: ${r.stderr.trim()}`, 'ip -j addr show');
  try {
    return known(parseIpAddrJson(r.stdout), 'ip -j addr show');
  } catch (err) {
    return unknown('error', `cannot parse ip -j addr show: ${(err as Error).message}`, 'ip -j addr show');
  }
}

// ---------------------------------------------------------------------------------------
// All node facts of this host

/** Every node.* fact for this machine under one node name (the hostname, or a kind node sharing its kernel). */
export async function readHostNodeFacts(node: string): Promise<FactSet> {
  const set: FactSet = {};
  const release = readKernelRelease();
  setNodeFact(set, 'node.kernel.release', node, release, 'host');
  setNodeFact(set, 'node.kernel.btf', node, readBtf(release), 'host');
  setNodeFact(set, 'node.kernel.config', node, readKernelConfig(release), 'host');
  setNodeFact(set, 'node.cgroup', node, readCgroup(), 'host');
  setNodeFact(set, 'node.interfaces', node, await readInterfaces(), 'host');
  setNodeFact(set, 'node.addresses', node, await readAddresses(), 'host');
  setNodeFact(set, 'node.route.default', node, readDefaultRoute(), 'host');
  return set;
}
