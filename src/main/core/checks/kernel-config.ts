import semver from 'semver';
import type { Evidence, FindingDetail, FindingStatus } from '../../../shared/api/checks-types';
import type { CgroupInfo, FactSet, KernelConfig } from '../facts/types';
import { ciliumSettings, findCiliumAgent, minorOf, resolveCiliumVersion } from './lib/cilium';
import { finding, known, nameList, nodeFact, nodeNames, plural, unknownFinding, whyUnknown, worst } from './lib/finding';
import { compareKernel, parseKernelRelease } from './lib/kernel';
import type { Check, CheckOptions } from './types';

const DOCS = 'https://docs.cilium.io/en/stable/operations/system_requirements/#linux-kernel (cilium/cilium Documentation/operations/system_requirements.rst)';
const AGENT_PROBE = 'cilium/cilium pkg/datapath/linux/probes/probes.go (v1.14: GetRequiredConfig) and pkg/datapath/linux/requirements.go';

export interface OptionRule {
  option: string;
  /** m passes too (the docs: "either module or built-in is valid" where it can be a module). */
  module: boolean;
  /** Only required on kernels older than this (the option was folded into the core later). */
  before?: string;
}

export interface OptionGroup {
  name: string;
  severity: 'fail' | 'warn';
  options: OptionRule[];
  why: string;
  reference: string;
}

const y = (option: string): OptionRule => ({ option, module: false });
const ym = (option: string): OptionRule => ({ option, module: true });

/**
 * The options the enabled configuration needs.
 * Decision: the agent's own probe (BPF, BPF_SYSCALL, NET_CLS_ACT, BPF_JIT, HAVE_EBPF_JIT as y;
 * NET_SCH_INGRESS, NET_CLS_BPF as y or m) refuses to start without them -> fail. The docs'
 * other base options are -> warn (the agent starts; features that use them break).
 */
export function requiredOptionGroups(facts: FactSet, ciliumVersion: string): OptionGroup[] {
  const v = semver.coerce(ciliumVersion)?.version ?? ciliumVersion;
  const is120 = semver.gte(v, '1.20.0');
  const groups: OptionGroup[] = [
    {
      name: 'agent start-up (its kernel probe)',
      severity: 'fail',
      options: [y('BPF'), y('BPF_SYSCALL'), y('NET_CLS_ACT'), y('BPF_JIT'), y('HAVE_EBPF_JIT'), ym('NET_SCH_INGRESS'), ym('NET_CLS_BPF')],
      why: 'the agent checks these at start-up and exits without them',
      reference: AGENT_PROBE,
    },
    {
      name: `Cilium ${minorOf(v)} base requirements`,
      severity: 'warn',
      options: is120
        ? [y('BPF_EVENTS'), y('DEBUG_INFO_BTF'), ym('CRYPTO_SHA1'), y('CGROUPS'), y('CGROUP_BPF'), y('PERF_EVENTS'), y('SCHEDSTATS')]
        : [ym('CRYPTO_SHA1'), ym('CRYPTO_USER_API_HASH'), y('CGROUPS'), y('CGROUP_BPF'), y('PERF_EVENTS'), y('SCHEDSTATS')],
      why: 'listed as base requirements in the system requirements',
      reference: DOCS,
    },
  ];
  const cfg = known(facts, 'cilium.config');
  if (!cfg) return groups;
  const s = ciliumSettings(cfg.value);
  if (s.routingMode === 'tunnel') {
    const proto = s.tunnelProtocol === 'geneve' ? 'GENEVE' : 'VXLAN';
    groups.push({ name: `tunnel (${s.tunnelProtocol ?? 'vxlan'})`, severity: 'fail', options: [ym(proto)], why: 'routing-mode tunnel creates this device', reference: `${DOCS} (Requirements for Tunneling and Routing)` });
  }
  groups.push({ name: 'policy routing', severity: 'warn', options: [y('FIB_RULES')], why: 'Cilium uses policy routing rules', reference: `${DOCS} (Requirements for Tunneling and Routing)` });
  if (s.ipv4Masquerade && !s.bpfMasquerade)
    groups.push({
      name: 'iptables masquerading',
      severity: 'fail',
      options: [ym('NETFILTER_XT_SET'), ym('IP_SET'), ym('IP_SET_HASH_IP'), ym('NETFILTER_XT_MATCH_COMMENT')],
      why: 'enable-bpf-masquerade is off, so masquerading uses iptables',
      reference: `${DOCS} (Requirements for Iptables-based Masquerading)`,
    });
  if (s.l7Proxy)
    groups.push({
      name: 'L7 and FQDN proxy',
      severity: 'warn',
      options: [ym('NETFILTER_XT_TARGET_TPROXY'), ym('NETFILTER_XT_TARGET_MARK'), ym('NETFILTER_XT_TARGET_CT'), ym('NETFILTER_XT_MATCH_MARK'), ym('NETFILTER_XT_MATCH_SOCKET')],
      why: 'enable-l7-proxy is on; L7 and FQDN policies redirect with TPROXY and socket matches (without xt_socket Cilium falls back)',
      reference: `${DOCS} (Requirements for L7 and FQDN Policies)`,
    });
  if (s.encryption === 'ipsec') {
    const opts = [y('XFRM'), ym('XFRM_ALGO'), ym('XFRM_USER'), ym('INET_ESP'), ym('INET_IPCOMP'), ym('INET_XFRM_TUNNEL'), ym('INET_TUNNEL'), { option: 'INET_XFRM_MODE_TUNNEL', module: true, before: '5.2' }, ym('CRYPTO_AEAD'), ym('CRYPTO_GCM'), ym('CRYPTO_SEQIV'), ym('CRYPTO_CBC'), ym('CRYPTO_HMAC'), ym('CRYPTO_SHA256'), ym('CRYPTO_AES')];
    if (s.ipv6) opts.push(ym('INET6_ESP'), ym('INET6_IPCOMP'), ym('INET6_XFRM_TUNNEL'), ym('INET6_TUNNEL'));
    groups.push({ name: 'IPsec encryption', severity: 'fail', options: opts, why: 'enable-ipsec is on (list for GCM-128-AES)', reference: `${DOCS} (Requirements for IPsec)` });
  }
  if (s.encryption === 'wireguard') groups.push({ name: 'WireGuard encryption', severity: 'fail', options: [ym('WIREGUARD')], why: 'enable-wireguard is on', reference: DOCS });
  if (s.bandwidthManager) groups.push({ name: 'bandwidth manager', severity: 'warn', options: [ym('NET_SCH_FQ')], why: 'enable-bandwidth-manager is on (fq qdisc)', reference: `${DOCS} (Requirements for the Bandwidth Manager)` });
  if (s.datapathMode === 'netkit' || s.datapathMode === 'netkit-l2')
    groups.push({ name: 'netkit datapath', severity: 'fail', options: [y('NETKIT')], why: `datapath-mode is ${s.datapathMode}`, reference: `${DOCS} (Requirements for Netkit Device Mode)` });
  const kp = known(facts, 'kubeproxy.config');
  if (kp && kp.value.mode.toLowerCase() === 'nftables')
    groups.push({ name: 'kube-proxy nftables mode', severity: 'fail', options: [ym('NF_TABLES')], why: 'kube-proxy runs in nftables mode', reference: 'https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-nftables' });
  if (kp && kp.value.mode.toLowerCase() === 'ipvs')
    groups.push({ name: 'kube-proxy ipvs mode', severity: 'fail', options: [ym('IP_VS')], why: 'kube-proxy runs in ipvs mode', reference: 'https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-ipvs' });
  return groups;
}

interface OptionProblem {
  group: OptionGroup;
  option: string;
  have: string;
}

export function checkOptions(config: KernelConfig, groups: readonly OptionGroup[], release: string | null): OptionProblem[] {
  const k = release ? parseKernelRelease(release) : null;
  const out: OptionProblem[] = [];
  for (const g of groups) {
    for (const r of g.options) {
      if (r.before && k && compareKernel(k, r.before) === 'same-or-newer') continue;
      const have = config.options[r.option];
      if (have === 'y' || (have === 'm' && r.module)) continue;
      out.push({ group: g, option: r.option, have: have === undefined ? 'absent' : have === 'm' ? 'm (must be built in)' : 'not set' });
    }
  }
  return out;
}

function socketLbProblem(facts: FactSet, cgroup: CgroupInfo | null): string | null {
  const cfg = known(facts, 'cilium.config');
  if (!cfg || !cgroup) return null;
  const s = ciliumSettings(cfg.value);
  if (s.kubeProxyReplacement !== 'true' && s.kubeProxyReplacement !== 'strict') return null;
  if (cgroup.mode === 'v2') return null;
  return `kube-proxy replacement uses socket-LB, which needs cgroup v2; this node runs cgroup ${cgroup.mode}${cgroup.v2Mount ? ` (cgroup2 at ${cgroup.v2Mount})` : ''}`;
}

export const kernelConfig: Check = {
  id: 'kernel.config',
  title: 'Kernel config has the options Cilium needs',
  category: 'kernel',
  needs: ['node.kernel.config', 'node.kernel.release', 'node.cgroup', 'k8s.nodes', 'k8s.workloads', 'cilium.config', 'kubeproxy.config'],
  reference: DOCS,
  evaluate(facts: FactSet, opts: CheckOptions) {
    const nodes = nodeNames(facts, ['node.kernel.config']);
    if (nodes.length === 0) return unknownFinding(this, facts, ['node.kernel.config'], 'the kernel config is read on the node itself and no node was reached');
    const workloads = known(facts, 'k8s.workloads');
    const cv = resolveCiliumVersion(workloads ? findCiliumAgent(workloads.value) : null, opts.ciliumVersion);
    const kernelByNode = new Map<string, string>();
    const nodesFact = known(facts, 'k8s.nodes');
    if (nodesFact) for (const n of nodesFact.value) kernelByNode.set(n.name, n.info.kernelVersion);

    const groups = requiredOptionGroups(facts, cv.version);
    const details: FindingDetail[] = [];
    const by = new Map<FindingStatus, string[]>();
    const paths = new Map<string, number>();
    const missingCount = new Map<string, number>();
    for (const node of nodes) {
      const cfg = nodeFact(facts, 'node.kernel.config', node);
      const rel = nodeFact(facts, 'node.kernel.release', node);
      const release = rel?.state === 'known' ? rel.value : (kernelByNode.get(node) ?? null);
      let status: FindingStatus;
      let text: string;
      if (cfg?.state !== 'known') {
        status = 'unknown';
        text = whyUnknown('node.kernel.config', cfg);
      } else {
        paths.set(cfg.value.path, (paths.get(cfg.value.path) ?? 0) + 1);
        const problems = checkOptions(cfg.value, groups, release);
        const cg = nodeFact(facts, 'node.cgroup', node);
        const slb = socketLbProblem(facts, cg?.state === 'known' ? cg.value : null);
        const statuses: FindingStatus[] = problems.map((p) => p.group.severity);
        if (slb) statuses.push('warn');
        status = worst(statuses);
        for (const p of problems) missingCount.set(p.option, (missingCount.get(p.option) ?? 0) + 1);
        const parts = problems.map((p) => `CONFIG_${p.option} ${p.have} (${p.group.name})`);
        if (slb) parts.push(slb);
        text = parts.length ? `${cfg.value.path}: ${parts.join('; ')}` : `${cfg.value.path}: all required options set`;
      }
      const list = by.get(status) ?? [];
      list.push(node);
      by.set(status, list);
      if (status !== 'pass') details.push({ subject: node, status, summary: text });
    }

    const status = worst(by.keys());
    const groupNames = groups.map((g) => g.name).join(', ');
    const summary =
      status === 'pass'
        ? `${plural(nodes.length, 'node')}: every option needed by ${groupNames} is set`
        : `${plural(nodes.length, 'node')} checked for ${groupNames}: ${(['fail', 'warn', 'unknown'] as const)
            .filter((s) => by.has(s))
            .map((s) => `${by.get(s)!.length} ${s === 'unknown' ? 'without a readable config' : s === 'fail' ? 'missing required options' : 'missing recommended options'} (${nameList(by.get(s)!, 3)})`)
            .join(', ')}`;
    const evidence: Evidence[] = [
      { label: `Cilium version (${cv.from})`, value: cv.version, source: cv.image ?? (cv.from === 'targeted' ? 'option ciliumVersion' : 'newest known') },
      ...[...paths.entries()].map(([p, n]) => ({ label: 'Config read from', value: `${p} (${plural(n, 'node')})`, source: 'kubeadm search order (kubernetes/system-validators validators/kernel_validator.go)' })),
      ...[...missingCount.entries()].slice(0, 20).map(([o, n]) => ({ label: 'Missing or wrong', value: `CONFIG_${o} on ${plural(n, 'node')}`, source: groups.find((g) => g.options.some((r) => r.option === o))?.reference ?? DOCS })),
    ];
    const fix =
      status === 'fail' || status === 'warn'
        ? { text: 'Use a distribution kernel that enables these options (built in, or as a module where allowed), or turn off the Cilium feature that needs them. Check a node with the command below (on the node or in a privileged debug pod).', commands: [['zgrep', '-E', '^CONFIG_(BPF|BPF_SYSCALL|BPF_JIT|HAVE_EBPF_JIT|NET_CLS_ACT|NET_CLS_BPF|NET_SCH_INGRESS|VXLAN|GENEVE|NETKIT|WIREGUARD)=', '/proc/config.gz']] }
        : null;
    return finding(this, status, summary, { evidence, fix, details });
  },
};
