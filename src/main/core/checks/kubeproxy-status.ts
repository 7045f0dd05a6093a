import semver from 'semver';
import type { Evidence, FindingDetail, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type { FactSet, Workload } from '../facts/types';
import { agentVersion, ciliumSettings, findCiliumAgent, minorOf } from './lib/cilium';
import { finding, known, unknownFinding, whyUnknown, worst } from './lib/finding';
import type { Check, CheckOptions } from './types';

const KPR_DOCS = 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/ (cilium/cilium Documentation/network/kubernetes/kubeproxy-free.rst; Documentation/operations/upgrade.rst for removed values)';

/**
 * iptables mode and many Services: warn from this many Services. Amazon's EKS best practices
 * name "large clusters with over 1,000 services running kube-proxy in iptables mode" as the
 * point where first-packet latency from sequential rule matching shows
 * (https://docs.aws.amazon.com/eks/latest/best-practices/nftables.html); SIG Scalability's
 * services catalog puts the practical ceiling near 10,000.
 */
export const IPTABLES_SERVICE_WARN = 1000;

/** cilium-cli's rule: kube-proxy is present when a DaemonSet's name contains "kube-proxy". */
export const findKubeProxy = (ws: readonly Workload[]): Workload | null => ws.find((w) => w.kind === 'DaemonSet' && w.name.includes('kube-proxy')) ?? null;

export interface KprVerdict {
  /** What the agent will do: replace kube-proxy or not; null when it will not start. */
  replaces: boolean | null;
  status: FindingStatus;
  text: string;
}

/**
 * kube-proxy-replacement by Cilium version: "true"/"false" since 1.14; "strict", "partial" and
 * "disabled" deprecated in 1.14 and removed in 1.16 (the agent refuses to start); "probe"
 * removed in 1.13. Compared case-insensitively.
 */
export function judgeKpr(raw: string | null, ciliumVersion: string | null): KprVerdict {
  const v = ciliumVersion ? (semver.coerce(ciliumVersion)?.version ?? null) : null;
  const at = (min: string) => (v ? semver.gte(v, min) : true);
  const value = raw ?? 'false';
  const shown = raw === null ? 'unset (default "false")' : `"${raw}"`;
  switch (value) {
    case 'true':
      return { replaces: true, status: 'pass', text: `kube-proxy-replacement ${shown}` };
    case 'false':
      return { replaces: false, status: 'pass', text: `kube-proxy-replacement ${shown}` };
    case 'strict':
    case 'partial':
    case 'disabled': {
      const replaces = value === 'strict';
      if (at('1.16.0')) return { replaces: null, status: 'fail', text: `kube-proxy-replacement "${value}" was removed in Cilium 1.16: the ${v ? minorOf(v) : ''} agent refuses to start (use "${replaces ? 'true' : 'false'}")` };
      if (at('1.14.0')) return { replaces, status: 'warn', text: `kube-proxy-replacement "${value}" is deprecated since 1.14 and removed in 1.16: use "${replaces ? 'true' : 'false'}" before upgrading` };
      return { replaces, status: 'pass', text: `kube-proxy-replacement "${value}"` };
    }
    case 'probe':
      if (at('1.13.0')) return { replaces: null, status: 'fail', text: `kube-proxy-replacement "probe" was removed in Cilium 1.13: the agent refuses to start` };
      return { replaces: false, status: 'warn', text: 'kube-proxy-replacement "probe" (removed in 1.13)' };
    default:
      return { replaces: null, status: 'fail', text: `kube-proxy-replacement "${value}" is not a valid value ("true" or "false")` };
  }
}

export const kubeproxyStatus: Check = {
  id: 'kubeproxy.status',
  title: 'Service implementation: kube-proxy or Cilium, exactly one',
  category: 'services',
  needs: ['k8s.workloads', 'kubeproxy.config', 'cilium.config', 'k8s.serviceCount'],
  reference: KPR_DOCS,
  evaluate(facts: FactSet, opts: CheckOptions) {
    const ws = known(facts, 'k8s.workloads');
    if (!ws) return unknownFinding(this, facts, ['k8s.workloads'], 'cannot tell whether kube-proxy runs');
    const statuses: FindingStatus[] = [];
    const lines: string[] = [];
    const evidence: Evidence[] = [];
    const details: FindingDetail[] = [];
    let fix: Fix | null = null;

    // kube-proxy
    const kp = findKubeProxy(ws.value);
    const kpActive = kp !== null && kp.desired > 0;
    const kpCfg = facts['kubeproxy.config'];
    const mode = kpCfg?.state === 'known' ? kpCfg.value.mode || 'iptables' : null;
    if (kp) {
      evidence.push({ label: 'kube-proxy', value: `DaemonSet ${kp.namespace}/${kp.name}: ${kp.ready}/${kp.desired} ready, ${kp.available} available`, source: `DaemonSet ${kp.namespace}/${kp.name}` });
      evidence.push({ label: 'kube-proxy mode', value: mode ? `${mode}${kpCfg?.state === 'known' && !kpCfg.value.mode ? ' (mode "" = iptables on Linux)' : ''}` : 'unknown', source: kpCfg?.state === 'known' ? kpCfg.source : whyUnknown('kubeproxy.config', kpCfg) });
    } else evidence.push({ label: 'kube-proxy', value: 'no DaemonSet whose name contains "kube-proxy"', source: ws.source });

    // Cilium
    const agent = findCiliumAgent(ws.value);
    const cfgF = facts['cilium.config'];
    const installed = agentVersion(agent);
    const version = opts.ciliumVersion ?? installed?.version ?? null;
    let kpr: KprVerdict | null = null;
    if (cfgF?.state === 'known') {
      const s = ciliumSettings(cfgF.value);
      kpr = judgeKpr(s.kubeProxyReplacement, version);
      evidence.push({ label: 'Cilium kube-proxy replacement', value: `${kpr.text}${version ? ` (Cilium ${version}${opts.ciliumVersion ? ', targeted' : ''})` : ''}`, source: `ConfigMap ${cfgF.value.namespace}/cilium-config` });
      if (kpr.status !== 'pass') {
        statuses.push(kpr.status);
        lines.push(kpr.text);
        fix = { text: 'Set kubeProxyReplacement to "true" or "false" (Helm) and upgrade; the old values strict/partial/probe/disabled are gone.', yaml: `kubeProxyReplacement: ${kpr.replaces === false ? 'false' : 'true'}\n` };
      }
    } else if (cfgF?.state !== 'unknown' || cfgF.reason !== 'not-found') {
      // Not gathered, forbidden, …: whether Cilium replaces kube-proxy is unknown.
      statuses.push('unknown');
      lines.push(whyUnknown('cilium.config', cfgF));
    }
    const ciliumReplaces = kpr?.replaces === true;

    // Who implements Services?
    if (kpActive && ciliumReplaces) {
      statuses.push('warn');
      lines.push('kube-proxy and Cilium\'s kube-proxy replacement are both active: Services are programmed twice (BPF and kube-proxy rules)');
      fix ??= { text: 'Remove kube-proxy once Cilium handles Services (keep its iptables rules from lingering: run kube-proxy --cleanup on each node or reboot).', commands: [['kubectl', '-n', kp!.namespace, 'delete', 'daemonset', kp!.name], ['kubectl', '-n', kp!.namespace, 'delete', 'configmap', 'kube-proxy']] };
    } else if (!kpActive && !ciliumReplaces) {
      if (cfgF?.state === 'known' && kpr?.replaces === false) {
        statuses.push('fail');
        lines.push('no kube-proxy and Cilium does not replace it: ClusterIP and NodePort Services have no implementation');
        fix ??= { text: 'Enable Cilium\'s kube-proxy replacement (with k8sServiceHost/k8sServicePort) or install kube-proxy.', yaml: 'kubeProxyReplacement: true\nk8sServiceHost: <API server address reachable from nodes>\nk8sServicePort: 6443\n' };
      } else if (cfgF?.state === 'unknown' && cfgF.reason === 'not-found') {
        statuses.push('warn');
        lines.push('no kube-proxy and no Cilium: something else must implement Services (Calico eBPF, kube-router, …)');
      }
    }

    // Without kube-proxy the agent must reach the API server directly.
    if (agent && ciliumReplaces && !kpActive) {
      const host = agent.env['KUBERNETES_SERVICE_HOST'];
      const port = agent.env['KUBERNETES_SERVICE_PORT'];
      evidence.push({ label: 'Agent API server address', value: host ? `${host}:${port ?? '?'}` : 'KUBERNETES_SERVICE_HOST not set', source: `DaemonSet ${agent.namespace}/${agent.name} env` });
      if (!host || !port) {
        statuses.push('fail');
        lines.push('kube-proxy is absent but the agent has no k8sServiceHost/k8sServicePort: it would reach the API server through the kubernetes Service, which nothing implements before the agent runs');
        fix = { text: 'Set k8sServiceHost and k8sServicePort to an API server address the nodes reach directly (not the kubernetes Service IP).', yaml: 'k8sServiceHost: <API server host or IP>\nk8sServicePort: 6443\n' };
      }
    }

    // kube-proxy health
    if (kpActive && kp) {
      if (kp.ready < kp.desired) {
        statuses.push(ciliumReplaces ? 'warn' : 'fail');
        lines.push(`kube-proxy ${kp.ready}/${kp.desired} ready`);
        details.push({ subject: `${kp.namespace}/${kp.name}`, status: ciliumReplaces ? 'warn' : 'fail', summary: `${kp.desired - kp.ready} of ${kp.desired} pods not ready` });
        fix ??= { text: 'Look at the kube-proxy pods that are not ready.', commands: [['kubectl', '-n', kp.namespace, 'get', 'pods', '-l', 'k8s-app=kube-proxy', '-o', 'wide']] };
      }
      if (mode === 'iptables') {
        const n = known(facts, 'k8s.serviceCount');
        if (n) {
          evidence.push({ label: 'Services', value: String(n.value), source: n.source });
          if (n.value >= IPTABLES_SERVICE_WARN) {
            statuses.push('warn');
            lines.push(`kube-proxy in iptables mode with ${n.value} Services (≥ ${IPTABLES_SERVICE_WARN}): first-packet latency grows with every Service`);
            fix ??= { text: 'Move kube-proxy to nftables mode (GA in Kubernetes 1.33, kernel 5.13+) or let Cilium replace kube-proxy.', yaml: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\n' };
          }
        }
      }
    }

    const status = worst(statuses, 'pass');
    const who = ciliumReplaces && kpActive ? 'both kube-proxy and Cilium' : ciliumReplaces ? 'Cilium (kube-proxy replacement)' : kpActive ? `kube-proxy${mode ? ` (${mode})` : ''}` : 'nothing found';
    const summary = `Services implemented by ${who}${lines.length ? `: ${lines.join('; ')}` : ''}`;
    return finding(this, status, summary, { evidence, fix: status === 'pass' ? null : fix, details, reference: status !== 'pass' && mode === 'iptables' && lines.some((l) => l.includes('iptables mode')) ? `${KPR_DOCS}; https://docs.aws.amazon.com/eks/latest/best-practices/nftables.html` : KPR_DOCS });
  },
};
