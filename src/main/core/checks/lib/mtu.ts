import semver from 'semver';
import type { InterfaceAddress, NetInterface } from '../../facts/types';
import type { CiliumSettings } from './cilium';
import { parseIp } from './cidr';

/**
 * Cilium's MTU arithmetic (cilium/cilium pkg/mtu/mtu.go, getRouteMTU): tunnel 50 bytes over
 * IPv4 (outer IPv4 20 + UDP 8 + VXLAN/Geneve 8 + inner Ethernet 14), 70 over IPv6; WireGuard 80;
 * IPsec 77 + (auth key size - 16). 1500 when nothing is known (EthernetMTU).
 */
export const TUNNEL_OVERHEAD_IPV4 = 50;
export const TUNNEL_OVERHEAD_IPV6 = 70;
export const WIREGUARD_OVERHEAD = 80;
export const IPSEC_OVERHEAD = 77;
export const ETHERNET_MTU = 1500;
/** IPv6 links must carry 1280-byte packets (RFC 8200 section 5). */
export const IPV6_MIN_MTU = 1280;

export interface Overhead {
  total: number;
  parts: { what: string; bytes: number }[];
}

export function mtuOverhead(s: CiliumSettings, ipsecAuthKeySize = 16): Overhead {
  const parts: { what: string; bytes: number }[] = [];
  if (s.routingMode === 'tunnel') parts.push({ what: `${s.tunnelProtocol ?? 'vxlan'} over ${s.underlayIPv6 ? 'IPv6' : 'IPv4'}`, bytes: s.underlayIPv6 ? TUNNEL_OVERHEAD_IPV6 : TUNNEL_OVERHEAD_IPV4 });
  if (s.encryption === 'wireguard') parts.push({ what: 'WireGuard', bytes: WIREGUARD_OVERHEAD });
  if (s.encryption === 'ipsec') parts.push({ what: 'IPsec', bytes: IPSEC_OVERHEAD + (ipsecAuthKeySize - 16) });
  return { total: parts.reduce((a, p) => a + p.bytes, 0), parts };
}

/** Agents from 1.17 take the minimum MTU over the selected devices (pkg/mtu/manager.go); older ones the device of the node IP or of the default route (pkg/mtu/detect_linux.go). */
export const MIN_OVER_DEVICES_FROM = '1.17.0';
export const usesMinOverDevices = (ciliumVersion: string): boolean => semver.gte(semver.coerce(ciliumVersion)?.version ?? ciliumVersion, MIN_OVER_DEVICES_FROM);

/** Device-name prefixes the agent never selects (pkg/defaults/node.go ExcludedDevicePrefixes). */
const EXCLUDED_PREFIXES = ['cilium_', 'lo', 'lxc', 'cni', 'docker'];
/** Kinds the device selection or the MTU manager skips (bridges, OVS, IPoIB; dummy and tunnels). */
const EXCLUDED_KINDS = new Set(['loopback', 'bridge', 'openvswitch', 'ipoib', 'dummy', 'vxlan', 'geneve', 'ipip', 'ip6tnl', 'netkit']);

const isGlobal = (a: InterfaceAddress): boolean => {
  const ip = parseIp(a.address);
  if (!ip) return false;
  if (ip.family === 4) return !(ip.value >> 24n === 127n || ip.value >> 16n === 0xa9fen);
  return !(ip.value >> 118n === 0x3fan || ip.value === 1n);
};

/**
 * An approximation of the agent's device auto-detection (pkg/datapath/linux/devices_controller.go,
 * isSelectedDevice): up, a global address, not an excluded prefix or kind, veth only when it
 * carries the default route.
 */
export function selectedDevices(ifaces: readonly NetInterface[], addrs: readonly InterfaceAddress[] | null, defaultDevices: readonly string[]): NetInterface[] {
  const withGlobal = new Set((addrs ?? []).filter(isGlobal).map((a) => a.device));
  return ifaces.filter((i) => {
    if (EXCLUDED_PREFIXES.some((p) => i.name.startsWith(p))) return false;
    if (EXCLUDED_KINDS.has(i.kind)) return false;
    if (i.state === 'down') return false;
    if (i.kind === 'veth' && !defaultDevices.includes(i.name)) return false;
    return addrs ? withGlobal.has(i.name) : defaultDevices.includes(i.name);
  });
}
