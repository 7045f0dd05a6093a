import semver from 'semver';
import type { Evidence, FindingDetail, FindingStatus } from '../../../shared/api/checks-types';
import type { FactSet, KernelConfig, NodeSummary } from '../facts/types';
import { ciliumSettings, findCiliumAgent, minorOf, resolveCiliumVersion, type CiliumVersion } from './lib/cilium';
import { finding, known, nameList, nodeFact, nodeNames, plural, unknownFinding, whyUnknown, worst } from './lib/finding';
import { compareKernel, parseKernelRelease, type KernelRelease } from './lib/kernel';
import type { Check, CheckOptions } from './types';

const DOCS = 'https://docs.cilium.io/en/stable/operations/system_requirements/ (cilium/cilium Documentation/operations/system_requirements.rst)';

/**
 * Minimum kernel per Cilium release (system_requirements.rst of each release, read in
 * cilium/cilium v1.14.19, v1.15.19, v1.16.19, v1.18.6 and v1.20.2):
 *   1.13–1.15  >= 4.19.57 or 4.18 on RHEL 8
 *   1.16–1.17  >= 5.4     or 4.18 on RHEL 8.6 (1.16's later docs: RHEL 8.10)
 *   1.18+      >= 5.10    or 4.18 on RHEL 8.10 (1.18.0 PR: 8.6)
 * For RHEL 4.18 kernels: pass from `rhelPass`, warn from `rhelWarn` (an older doc's bar), fail below.
 */
export const KERNEL_MINIMUMS: readonly { range: string; min: string; rhelPass: number; rhelWarn: number; label: string }[] = [
  { range: '>=1.18.0-0', min: '5.10', rhelPass: 10, rhelWarn: 6, label: '5.10 (or 4.18 on RHEL 8.10)' },
  { range: '>=1.16.0-0 <1.18.0-0', min: '5.4', rhelPass: 10, rhelWarn: 6, label: '5.4 (or 4.18 on RHEL 8.6; current docs say 8.10)' },
  { range: '<1.16.0-0', min: '4.19.57', rhelPass: 0, rhelWarn: 0, label: '4.19.57 (or 4.18 on RHEL 8)' },
];

export function kernelMinimumFor(ciliumVersion: string): (typeof KERNEL_MINIMUMS)[number] {
  const v = semver.coerce(ciliumVersion)?.version ?? ciliumVersion;
  return KERNEL_MINIMUMS.find((m) => semver.satisfies(v, m.range, { includePrerelease: true })) ?? KERNEL_MINIMUMS[0]!;
}

/** A feature the configuration enables, with the kernel it needs. */
export interface KernelFeature {
  name: string;
  min: string;
  /** Kernel config option that proves a backport on an older kernel. */
  option?: string;
  /** fail: the agent or kube-proxy cannot run the feature; warn: it falls back or degrades. */
  severity: 'fail' | 'warn';
  setting: string;
  reference: string;
}

/** Features enabled by cilium-config and the kube-proxy mode, with their minimum kernels. */
export function enabledKernelFeatures(facts: FactSet): KernelFeature[] {
  const out: KernelFeature[] = [];
  const cfg = known(facts, 'cilium.config');
  if (cfg) {
    const s = ciliumSettings(cfg.value);
    const raw = cfg.value.data;
    if (s.datapathMode === 'netkit' || s.datapathMode === 'netkit-l2')
      out.push({ name: `netkit datapath (${s.datapathMode})`, min: '6.8', option: 'NETKIT', severity: 'fail', setting: `datapath-mode: ${s.datapathMode}`, reference: 'https://docs.cilium.io/en/stable/operations/performance/tuning/#netkit-device-mode' });
    if (s.encryption === 'wireguard')
      out.push({ name: 'WireGuard encryption', min: '5.6', option: 'WIREGUARD', severity: 'fail', setting: 'enable-wireguard: "true"', reference: DOCS });
    if (s.bigTcpIPv6) out.push({ name: 'IPv6 BIG TCP', min: '5.19', severity: 'warn', setting: 'enable-ipv6-big-tcp: "true"', reference: DOCS });
    if (s.bigTcpIPv4) out.push({ name: 'IPv4 BIG TCP', min: '6.3', severity: 'warn', setting: 'enable-ipv4-big-tcp: "true"', reference: DOCS });
    if (s.bandwidthManager)
      out.push({ name: 'bandwidth manager', min: '5.1', option: 'NET_SCH_FQ', severity: 'warn', setting: 'enable-bandwidth-manager: "true"', reference: `${DOCS}; 5.1 per the 1.14/1.15 feature table` });
    if (s.hostLegacyRouting === false)
      out.push({ name: 'BPF host routing', min: '5.10', severity: 'warn', setting: 'enable-host-legacy-routing: "false"', reference: DOCS });
    if ((raw['enable-session-affinity'] ?? '').toLowerCase() === 'true')
      out.push({ name: 'full session affinity', min: '5.7', severity: 'warn', setting: 'enable-session-affinity: "true"', reference: DOCS });
  }
  const kp = known(facts, 'kubeproxy.config');
  if (kp && kp.value.mode.toLowerCase() === 'nftables')
    out.push({ name: 'kube-proxy nftables mode', min: '5.13', option: 'NF_TABLES', severity: 'fail', setting: 'kube-proxy mode: nftables', reference: 'https://kubernetes.io/docs/reference/node/kernel-version-requirements/' });
  return out;
}

interface Verdict {
  status: FindingStatus;
  reasons: string[];
}

function judgeRelease(k: KernelRelease, min: (typeof KERNEL_MINIMUMS)[number], cilium: string, features: readonly KernelFeature[], config: KernelConfig | null): Verdict {
  const reasons: string[] = [];
  const statuses: FindingStatus[] = [];
  const cmp = compareKernel(k, min.min);
  const isRhel418 = k.rhel !== null && k.rhel.major === 8 && k.major === 4 && k.minor === 18;
  if (cmp === 'same-or-newer') {
    statuses.push('pass');
  } else if (isRhel418 && k.rhel) {
    const rm = k.rhel.minor;
    const how = k.rhel.minorFrom === 'build' ? ' (from the kernel build number)' : '';
    if (rm === null) {
      statuses.push('warn');
      reasons.push(`RHEL 8 kernel of unknown minor release; Cilium ${cilium} accepts 4.18 from RHEL 8.${min.rhelPass}`);
    } else if (rm >= min.rhelPass) {
      statuses.push('pass');
    } else if (rm >= min.rhelWarn) {
      statuses.push('warn');
      reasons.push(`RHEL 8.${rm}${how}: Cilium ${cilium}'s docs ask for RHEL 8.${min.rhelPass} (earlier docs: 8.${min.rhelWarn})`);
    } else {
      statuses.push('fail');
      reasons.push(`RHEL 8.${rm}${how} is older than RHEL 8.${min.rhelWarn}, the oldest 4.18 kernel Cilium ${cilium} accepts`);
    }
  } else if (cmp === 'undecidable') {
    statuses.push('warn');
    reasons.push(`the release hides its patch level (distribution ABI name); Cilium ${cilium} needs ${min.min}: check \`uname -v\``);
  } else {
    statuses.push('fail');
    reasons.push(`older than ${min.min}, the minimum for Cilium ${cilium}`);
  }

  for (const f of features) {
    const c = compareKernel(k, f.min);
    if (c === 'same-or-newer') continue;
    const opt = f.option ? config?.options[f.option] : undefined;
    if (opt === 'y' || opt === 'm') {
      statuses.push('warn');
      reasons.push(`${f.name} needs ${f.min}; this kernel is older but has CONFIG_${f.option}=${opt} (a backport): verify`);
    } else if (c === 'undecidable') {
      statuses.push('warn');
      reasons.push(`${f.name} needs ${f.min}; the patch level is hidden`);
    } else if (k.rhel !== null && f.severity === 'fail') {
      statuses.push('warn');
      reasons.push(`${f.name} needs ${f.min}; RHEL kernels backport features: verify`);
    } else {
      statuses.push(f.severity);
      reasons.push(`${f.name} (${f.setting}) needs kernel ${f.min}`);
    }
  }
  return { status: worst(statuses), reasons };
}

interface NodeKernel {
  node: string;
  release: string | null;
  source: string;
  why?: string;
}

function nodeKernels(facts: FactSet): NodeKernel[] {
  const byName = new Map<string, NodeSummary>();
  const nodes = known(facts, 'k8s.nodes');
  if (nodes) for (const n of nodes.value) byName.set(n.name, n);
  return nodeNames(facts, ['node.kernel.release']).map((node) => {
    const f = nodeFact(facts, 'node.kernel.release', node);
    if (f?.state === 'known') return { node, release: f.value, source: f.source };
    const n = byName.get(node);
    if (n && n.info.kernelVersion) return { node, release: n.info.kernelVersion, source: 'Node status.nodeInfo.kernelVersion' };
    return { node, release: null, source: 'none', why: whyUnknown('node.kernel.release', f) };
  });
}

function versionEvidence(cv: CiliumVersion): Evidence {
  const source = cv.from === 'installed' ? `cilium DaemonSet image ${cv.image ?? ''}`.trim() : cv.from === 'targeted' ? 'option ciliumVersion' : 'newest Cilium release these checks know';
  return { label: `Cilium version (${cv.from})`, value: cv.version, source };
}

export const kernelVersion: Check = {
  id: 'kernel.version',
  title: 'Kernel version meets Cilium requirements',
  category: 'kernel',
  needs: ['k8s.nodes', 'node.kernel.release', 'k8s.workloads', 'cilium.config', 'kubeproxy.config', 'node.kernel.config'],
  reference: DOCS,
  evaluate(facts: FactSet, opts: CheckOptions) {
    const kernels = nodeKernels(facts);
    if (kernels.length === 0) return unknownFinding(this, facts, ['k8s.nodes', 'node.kernel.release'], 'no node kernel release is known');

    const workloads = known(facts, 'k8s.workloads');
    const cv = resolveCiliumVersion(workloads ? findCiliumAgent(workloads.value) : null, opts.ciliumVersion);
    const cilium = minorOf(cv.version);
    const min = kernelMinimumFor(cv.version);
    const features = enabledKernelFeatures(facts);

    // Judge each distinct release once (5,000 nodes share a handful of kernels).
    const cache = new Map<string, Verdict>();
    const details: FindingDetail[] = [];
    const byStatus = new Map<FindingStatus, string[]>();
    const releaseCount = new Map<string, number>();
    for (const nk of kernels) {
      let v: Verdict;
      if (nk.release === null) {
        v = { status: 'unknown', reasons: [nk.why ?? 'kernel release unknown'] };
      } else {
        releaseCount.set(nk.release, (releaseCount.get(nk.release) ?? 0) + 1);
        const cfgFact = nodeFact(facts, 'node.kernel.config', nk.node);
        const config = cfgFact?.state === 'known' ? cfgFact.value : null;
        const key = config ? `${nk.release}\u0000${nk.node}` : nk.release;
        const hit = cache.get(key);
        if (hit) v = hit;
        else {
          const k = parseKernelRelease(nk.release);
          v = k ? judgeRelease(k, min, cilium, features, config) : { status: 'unknown', reasons: [`cannot parse kernel release "${nk.release}"`] };
          cache.set(key, v);
        }
      }
      const list = byStatus.get(v.status) ?? [];
      list.push(nk.node);
      byStatus.set(v.status, list);
      if (v.status !== 'pass') details.push({ subject: nk.node, status: v.status, summary: `${nk.release ?? 'unknown kernel'}: ${v.reasons.join('; ')}` });
    }

    const status = worst(byStatus.keys());
    const total = kernels.length;
    const distinct = [...releaseCount.entries()].sort((a, b) => b[1] - a[1]);
    const featureText = features.length ? ` and the enabled features (${features.map((f) => `${f.name} ${f.min}`).join(', ')})` : '';
    let summary: string;
    if (status === 'pass') {
      summary = `${plural(total, 'node')}: every kernel meets Cilium ${cilium}'s minimum ${min.label}${featureText}`;
    } else {
      const parts = (['fail', 'warn', 'unknown'] as const)
        .filter((s) => byStatus.has(s))
        .map((s) => `${byStatus.get(s)!.length} ${s === 'fail' ? 'fail' : s === 'warn' ? 'need a look' : 'unknown'} (${nameList(byStatus.get(s)!, 3)})`);
      summary = `${plural(total, 'node')} against Cilium ${cilium}'s minimum ${min.label}${featureText}: ${parts.join(', ')}`;
    }

    const sources = new Set(kernels.map((k) => k.source));
    const evidence: Evidence[] = [
      versionEvidence(cv),
      { label: 'Minimum kernel', value: min.label, source: DOCS },
      ...distinct.slice(0, 10).map(([r, n]) => ({ label: 'Kernel release', value: `${r} (${plural(n, 'node')})`, source: [...sources].join(', ') })),
      ...features.map((f) => ({ label: `Enabled: ${f.name}`, value: `${f.setting} needs ${f.min}`, source: f.reference })),
    ];
    if (distinct.length > 10) evidence.push({ label: 'Kernel releases', value: `${distinct.length - 10} more distinct releases`, source: [...sources].join(', ') });

    const fix =
      status === 'fail' || status === 'warn'
        ? {
            text: `Run a kernel of at least ${min.min} on every node (a newer OS image or node pool), or target a Cilium release whose minimum your kernels meet; disable features your kernels cannot run.`,
            commands: [['kubectl', 'get', 'nodes', '-o', 'custom-columns=NAME:.metadata.name,KERNEL:.status.nodeInfo.kernelVersion,OS:.status.nodeInfo.osImage']],
          }
        : null;
    return finding(this, status, summary, { evidence, fix, details });
  },
};
