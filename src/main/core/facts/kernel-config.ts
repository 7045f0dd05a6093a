import type { Tristate } from './types';

/**
 * Kernel config files in the order kubeadm's system validators try them
 * (kubernetes/system-validators validators/kernel_validator.go, getKernelConfigReader);
 * the first existing file wins. R is `uname -r`.
 */
export function kernelConfigSearchPaths(r: string): string[] {
  return [
    '/proc/config.gz',
    `/boot/config-${r}`,
    `/usr/src/linux-${r}/.config`,
    '/usr/src/linux/.config',
    `/usr/lib/modules/${r}/config`,
    `/usr/lib/ostree-boot/config-${r}`,
    `/usr/lib/kernel/config-${r}`,
    `/usr/src/linux-headers-${r}/.config`,
    `/lib/modules/${r}/build/.config`,
  ];
}

/**
 * Every option a check reads. Probes keep only these so a node's config is ~80 entries
 * instead of ~4,000 (5,000 nodes must fit in a snapshot).
 */
export const KERNEL_OPTIONS_OF_INTEREST: readonly string[] = [
  // Cilium base requirements (Documentation/operations/system_requirements.rst) and the agent's probe
  'BPF', 'BPF_SYSCALL', 'NET_CLS_BPF', 'BPF_JIT', 'HAVE_EBPF_JIT', 'NET_CLS_ACT', 'NET_SCH_INGRESS',
  'CRYPTO_SHA1', 'CRYPTO_USER_API_HASH', 'CGROUPS', 'CGROUP_BPF', 'PERF_EVENTS', 'SCHEDSTATS',
  'BPF_EVENTS', 'DEBUG_INFO_BTF', 'IP_MULTIPLE_TABLES',
  // iptables masquerading
  'NETFILTER_XT_SET', 'IP_SET', 'IP_SET_HASH_IP', 'NETFILTER_XT_MATCH_COMMENT',
  // tunnelling and routing
  'VXLAN', 'GENEVE', 'FIB_RULES',
  // L7 / FQDN proxy
  'NETFILTER_XT_TARGET_TPROXY', 'NETFILTER_XT_TARGET_MARK', 'NETFILTER_XT_TARGET_CT', 'NETFILTER_XT_MATCH_MARK', 'NETFILTER_XT_MATCH_SOCKET',
  // IPsec
  'XFRM', 'XFRM_OFFLOAD', 'XFRM_STATISTICS', 'XFRM_ALGO', 'XFRM_USER', 'INET_ESP', 'INET6_ESP', 'INET_IPCOMP', 'INET6_IPCOMP',
  'INET_XFRM_TUNNEL', 'INET6_XFRM_TUNNEL', 'INET_TUNNEL', 'INET6_TUNNEL', 'INET_XFRM_MODE_TUNNEL',
  'CRYPTO_AEAD', 'CRYPTO_AEAD2', 'CRYPTO_GCM', 'CRYPTO_SEQIV', 'CRYPTO_CBC', 'CRYPTO_HMAC', 'CRYPTO_SHA256', 'CRYPTO_AES',
  // bandwidth manager, netkit, WireGuard
  'NET_SCH_FQ', 'NETKIT', 'WIREGUARD',
  // kube-proxy modes and IPv6
  'NF_TABLES', 'IP_VS', 'IPV6',
];

const LINE = /^CONFIG_([A-Z0-9_]+)=([ymn])$/;
const NOT_SET = /^# CONFIG_([A-Z0-9_]+) is not set$/;

export interface ParsedKernelConfig {
  options: Record<string, Tristate>;
  /** Tristate lines seen (y, m, n and "is not set"). */
  optionCount: number;
}

/**
 * Parses a kernel .config: `CONFIG_X=y|m|n` lines (kubeadm's `^CONFIG_[A-Z0-9_]+=[myn]`) and
 * `# CONFIG_X is not set` lines (recorded as n). Other values (strings, numbers) are skipped.
 * With `only`, keeps just those options (names without the CONFIG_ prefix).
 */
export function parseKernelConfig(text: string, only?: ReadonlySet<string> | readonly string[]): ParsedKernelConfig {
  const keep = only === undefined ? null : only instanceof Set ? only : new Set(only as readonly string[]);
  const options: Record<string, Tristate> = {};
  let optionCount = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let name: string | undefined;
    let value: Tristate;
    const m = LINE.exec(line);
    if (m) {
      name = m[1];
      value = m[2] as Tristate;
    } else {
      const n = NOT_SET.exec(line);
      if (!n) continue;
      name = n[1];
      value = 'n';
    }
    if (name === undefined) continue;
    optionCount++;
    if (keep === null || keep.has(name)) options[name] = value;
  }
  return { options, optionCount };
}
