import semver from 'semver';
import type { CiliumConfig, Workload } from '../../facts/types';

// ---------------------------------------------------------------------------------------
// Images

export interface ImageRef {
  /** Everything before the tag/digest, e.g. quay.io/cilium/cilium. */
  repository: string;
  /** Last path component of the repository, e.g. cilium, operator-generic, kindnetd. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  return { repository: rest, name, tag, digest };
}

/** A semver from an image tag: v1.18.6, 1.18.6, v1.16.5-cee.1, v1.13.2-eksbuild.1 -> 1.18.6 …; null for latest/stable/sha tags. */
export function versionFromTag(tag: string | null): string | null {
  if (!tag || !/^v?\d+\.\d+/.test(tag)) return null;
  return semver.coerce(tag)?.version ?? null;
}

// ---------------------------------------------------------------------------------------
// The Cilium agent and its version

/** The Cilium agent DaemonSet: an image named `cilium` (quay.io/cilium/cilium, …/cilium/cilium). */
export function findCiliumAgent(workloads: readonly Workload[]): Workload | null {
  return workloads.find((w) => w.kind === 'DaemonSet' && w.images.some((i) => parseImage(i).name === 'cilium')) ?? null;
}

export interface CiliumVersion {
  version: string;
  /** Where it came from: the agent image, the option, or the default. */
  from: 'installed' | 'targeted' | 'default';
  image?: string;
}

/**
 * The newest Cilium release whose requirements this code knows (its docs were read for
 * the tables here). Used when nothing is installed and nothing was asked for.
 */
export const NEWEST_KNOWN_CILIUM = '1.20.0';

export function agentVersion(agent: Workload | null): { version: string; image: string } | null {
  if (!agent) return null;
  for (const img of agent.images) {
    const ref = parseImage(img);
    if (ref.name !== 'cilium') continue;
    const v = versionFromTag(ref.tag);
    if (v) return { version: v, image: img };
  }
  return null;
}

/** The version to judge against: the one asked for, else the installed one, else the newest known. */
export function resolveCiliumVersion(agent: Workload | null, target: string | undefined): CiliumVersion {
  if (target) {
    const v = semver.coerce(target)?.version;
    if (v) return { version: v, from: 'targeted' };
  }
  const installed = agentVersion(agent);
  if (installed) return { version: installed.version, from: 'installed', image: installed.image };
  return { version: NEWEST_KNOWN_CILIUM, from: 'default' };
}

export const minorOf = (v: string): string => {
  const s = semver.coerce(v);
  return s ? `${s.major}.${s.minor}` : v;
};

// ---------------------------------------------------------------------------------------
// cilium-config

const bool = (v: string | undefined, dflt: boolean): boolean => (v === undefined || v === '' ? dflt : v.trim().toLowerCase() === 'true');
const list = (v: string | undefined): string[] => (v ?? '').split(/[\s,]+/).filter(Boolean);
const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);

export interface CiliumSettings {
  routingMode: 'tunnel' | 'native';
  /** vxlan or geneve in tunnel mode, null in native mode. */
  tunnelProtocol: 'vxlan' | 'geneve' | null;
  /** The deprecated `tunnel` key (removed in 1.15) when it decided the routing mode. */
  legacyTunnelKey: string | null;
  ipam: string;
  /** kube-proxy-replacement as written, lower-cased; null when the key is absent. */
  kubeProxyReplacement: string | null;
  encryption: 'wireguard' | 'ipsec' | null;
  datapathMode: string;
  ipv4: boolean;
  ipv6: boolean;
  /** Tunnel over an IPv6 underlay (1.20 `underlay-protocol: ipv6`; older agents: IPv6-only clusters). */
  underlayIPv6: boolean;
  bpfMasquerade: boolean;
  ipv4Masquerade: boolean;
  l7Proxy: boolean;
  bandwidthManager: boolean;
  bigTcpIPv4: boolean;
  bigTcpIPv6: boolean;
  hostLegacyRouting: boolean | null;
  /** cilium-config `mtu`; 0 = auto-detect. */
  mtu: number;
  clusterPoolIPv4: string[];
  clusterPoolIPv4MaskSize: number | null;
  clusterPoolIPv6: string[];
  clusterPoolIPv6MaskSize: number | null;
  ipv4NativeRoutingCIDR: string | null;
  healthChecking: boolean;
}

/**
 * Reads cilium-config with the agent's defaults for absent keys (routing-mode tunnel,
 * tunnel-protocol vxlan, ipam cluster-pool, masquerading on, L7 proxy on, datapath veth).
 */
export function ciliumSettings(cfg: CiliumConfig): CiliumSettings {
  const d = cfg.data;
  let routingMode: 'tunnel' | 'native' = d['routing-mode'] === 'native' ? 'native' : 'tunnel';
  let tunnelProtocol: 'vxlan' | 'geneve' | null = d['tunnel-protocol'] === 'geneve' ? 'geneve' : 'vxlan';
  let legacyTunnelKey: string | null = null;
  if (d['routing-mode'] === undefined && d['tunnel'] !== undefined) {
    legacyTunnelKey = d['tunnel'];
    if (d['tunnel'] === 'disabled') routingMode = 'native';
    else if (d['tunnel'] === 'geneve') tunnelProtocol = 'geneve';
  }
  if (routingMode === 'native') tunnelProtocol = null;
  const ipv4 = bool(d['enable-ipv4'], true);
  const ipv6 = bool(d['enable-ipv6'], false);
  const encryption = bool(d['enable-wireguard'], false) ? 'wireguard' : bool(d['enable-ipsec'], false) ? 'ipsec' : null;
  const kpr = d['kube-proxy-replacement'];
  return {
    routingMode,
    tunnelProtocol,
    legacyTunnelKey,
    ipam: d['ipam'] || 'cluster-pool',
    kubeProxyReplacement: kpr === undefined ? null : kpr.trim().toLowerCase(),
    encryption,
    datapathMode: d['datapath-mode'] || 'veth',
    ipv4,
    ipv6,
    underlayIPv6: routingMode === 'tunnel' && (d['underlay-protocol'] === 'ipv6' || (d['underlay-protocol'] === undefined && !ipv4 && ipv6)),
    bpfMasquerade: bool(d['enable-bpf-masquerade'], false),
    ipv4Masquerade: bool(d['enable-ipv4-masquerade'], true),
    l7Proxy: bool(d['enable-l7-proxy'], true),
    bandwidthManager: bool(d['enable-bandwidth-manager'], false),
    bigTcpIPv4: bool(d['enable-ipv4-big-tcp'], false),
    bigTcpIPv6: bool(d['enable-ipv6-big-tcp'], false),
    hostLegacyRouting: d['enable-host-legacy-routing'] === undefined ? null : bool(d['enable-host-legacy-routing'], false),
    mtu: int(d['mtu']) ?? 0,
    clusterPoolIPv4: list(d['cluster-pool-ipv4-cidr']),
    clusterPoolIPv4MaskSize: int(d['cluster-pool-ipv4-mask-size']),
    clusterPoolIPv6: list(d['cluster-pool-ipv6-cidr']),
    clusterPoolIPv6MaskSize: int(d['cluster-pool-ipv6-mask-size']),
    ipv4NativeRoutingCIDR: d['ipv4-native-routing-cidr'] || null,
    healthChecking: bool(d['enable-endpoint-health-checking'], true),
  };
}
