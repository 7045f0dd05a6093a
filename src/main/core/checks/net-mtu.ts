import type { Evidence, FindingDetail, FindingStatus } from '../../../shared/api/checks-types';
import type { CiliumConfig, FactSet, NodeSummary } from '../facts/types';
import { ciliumSettings, findCiliumAgent, minorOf, resolveCiliumVersion } from './lib/cilium';
import { finding, known, nameList, nodeFact, nodeNames, plural, unknownFinding, whyUnknown, worst } from './lib/finding';
import { ETHERNET_MTU, IPV6_MIN_MTU, mtuOverhead, selectedDevices, usesMinOverDevices } from './lib/mtu';
import type { Check, CheckOptions } from './types';

const REF = 'cilium/cilium pkg/mtu/mtu.go (overheads, route MTU), pkg/mtu/manager.go (1.17+: minimum over devices), pkg/mtu/detect_linux.go (<=1.16: device of the node IP or default route); https://docs.cilium.io/en/stable/network/concepts/routing/';

interface NodeMtu {
  node: string;
  status: FindingStatus;
  underlay: { device: string; mtu: number; how: string } | null;
  base: number | null;
  baseHow: string;
  route: number | null;
  text: string;
}

function push<K>(m: Map<K, string[]>, k: K, v: string): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function internalIPs(n: NodeSummary | undefined): string[] {
  return n ? n.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address) : [];
}

export const netMtu: Check = {
  id: 'net.mtu',
  title: 'Pod MTU fits the underlay',
  category: 'network',
  needs: ['node.interfaces', 'node.addresses', 'node.route.default', 'k8s.nodes', 'cilium.config', 'k8s.workloads'],
  reference: REF,
  evaluate(facts: FactSet, opts: CheckOptions) {
    const cfgFact = facts['cilium.config'];
    let cfg: CiliumConfig;
    let planned = false;
    if (cfgFact?.state === 'known') cfg = cfgFact.value;
    else if (cfgFact?.state === 'unknown' && cfgFact.reason === 'not-found') {
      cfg = { namespace: 'kube-system', data: {} };
      planned = true;
    } else return unknownFinding(this, facts, ['cilium.config'], 'the routing mode and encryption decide the overhead');
    const s = ciliumSettings(cfg);
    const workloads = known(facts, 'k8s.workloads');
    const cv = resolveCiliumVersion(workloads ? findCiliumAgent(workloads.value) : null, opts.ciliumVersion);
    const minOver = usesMinOverDevices(cv.version);
    const overhead = mtuOverhead(s);
    const k8sNodes = new Map<string, NodeSummary>();
    const nodesFact = known(facts, 'k8s.nodes');
    if (nodesFact) for (const n of nodesFact.value) k8sNodes.set(n.name, n);

    const nodes = nodeNames(facts, ['node.interfaces']);
    const overheadText = overhead.parts.length ? overhead.parts.map((p) => `${p.what} ${p.bytes}`).join(' + ') : 'none (native routing, no encryption)';
    const setting = s.mtu > 0 ? `mtu: "${s.mtu}" in cilium-config` : 'mtu auto-detected (cilium-config has no mtu)';
    const baseEvidence: Evidence[] = [
      { label: 'Routing', value: `${s.routingMode}${s.tunnelProtocol ? ` (${s.tunnelProtocol})` : ''}${s.encryption ? `, ${s.encryption}` : ''}${planned ? ' — Cilium not installed: defaults of a new install' : ''}`, source: planned ? 'Cilium agent defaults' : `ConfigMap ${cfg.namespace}/cilium-config` },
      { label: 'Encapsulation/encryption overhead', value: `${overhead.total} bytes: ${overheadText}`, source: 'cilium/cilium pkg/mtu/mtu.go' },
      { label: 'MTU setting', value: setting, source: planned ? 'Cilium agent defaults' : `ConfigMap ${cfg.namespace}/cilium-config` },
    ];

    if (nodes.length === 0) {
      const base = s.mtu > 0 ? s.mtu : ETHERNET_MTU;
      const f = unknownFinding(this, facts, ['node.interfaces'], `no node interface MTU is known (with a ${base}-byte base MTU pods would get ${base - overhead.total})`);
      f.evidence = [...baseEvidence, ...f.evidence];
      return f;
    }

    const results: NodeMtu[] = nodes.map((node) => {
      const ifs = nodeFact(facts, 'node.interfaces', node);
      if (ifs?.state !== 'known') return { node, status: 'unknown', underlay: null, base: null, baseHow: '', route: null, text: whyUnknown('node.interfaces', ifs) };
      const addrsF = nodeFact(facts, 'node.addresses', node);
      const addrs = addrsF?.state === 'known' ? addrsF.value : null;
      const routeF = nodeFact(facts, 'node.route.default', node);
      const defaults = routeF?.state === 'known' ? [routeF.value.ipv4?.device, routeF.value.ipv6?.device].filter((d): d is string => !!d) : [];
      const byName = new Map(ifs.value.map((i) => [i.name, i]));

      // The device that carries node-to-node traffic: the one holding the node IP, else the default route's.
      let underlay: NodeMtu['underlay'] = null;
      const ips = internalIPs(k8sNodes.get(node));
      const ipDev = addrs?.find((a) => ips.includes(a.address))?.device;
      if (ipDev && byName.get(ipDev)) underlay = { device: ipDev, mtu: byName.get(ipDev)!.mtu, how: `holds node IP ${addrs!.find((a) => a.device === ipDev && ips.includes(a.address))!.address}` };
      else if (defaults[0] && byName.get(defaults[0])) underlay = { device: defaults[0], mtu: byName.get(defaults[0])!.mtu, how: 'default route' };

      let base: number | null;
      let baseHow: string;
      if (s.mtu > 0) {
        base = s.mtu;
        baseHow = 'configured';
      } else if (minOver) {
        const sel = selectedDevices(ifs.value, addrs, defaults);
        if (sel.length > 0) {
          const m = sel.reduce((a, b) => (b.mtu < a.mtu ? b : a));
          base = m.mtu;
          baseHow = `minimum over ${sel.map((d) => `${d.name} ${d.mtu}`).join(', ')}`;
        } else {
          base = underlay?.mtu ?? null;
          baseHow = underlay ? `${underlay.device} (${underlay.how})` : '';
        }
      } else {
        base = underlay?.mtu ?? null;
        baseHow = underlay ? `${underlay.device} (${underlay.how})` : '';
      }
      if (base === null) return { node, status: 'unknown', underlay, base: null, baseHow, route: null, text: `cannot tell the underlay device: ${whyUnknown('node.addresses', addrsF)}; ${whyUnknown('node.route.default', routeF)}` };
      const route = base - overhead.total;
      const problems: string[] = [];
      let status: FindingStatus = 'pass';
      if (underlay && base > underlay.mtu) {
        status = 'fail';
        problems.push(`pods send up to ${route} + ${overhead.total} = ${base} bytes but ${underlay.device} (${underlay.how}) carries ${underlay.mtu}: large packets fragment or, with DF set, are dropped`);
      }
      if (s.ipv6 && route < IPV6_MIN_MTU) {
        status = 'fail';
        problems.push(`route MTU ${route} is below IPv6's minimum ${IPV6_MIN_MTU}`);
      }
      if (!underlay) {
        status = worst([status, 'unknown']);
        problems.push('the underlay device is unknown (no node IP address match and no default route)');
      }
      const text = `${underlay ? `underlay ${underlay.device} ${underlay.mtu} (${underlay.how})` : 'underlay unknown'}, base ${base} (${baseHow}), pod route MTU ${route}${problems.length ? `: ${problems.join('; ')}` : ''}`;
      return { node, status, underlay, base, baseHow, route, text };
    });

    const details: FindingDetail[] = [];
    const by = new Map<FindingStatus, string[]>();
    const underlays = new Map<number, string[]>();
    const routes = new Map<number, string[]>();
    for (const r of results) {
      const l = by.get(r.status) ?? [];
      l.push(r.node);
      by.set(r.status, l);
      if (r.underlay) push(underlays, r.underlay.mtu, r.node);
      if (r.route !== null) push(routes, r.route, r.node);
      if (r.status !== 'pass') details.push({ subject: r.node, status: r.status, summary: r.text });
    }
    const statuses: FindingStatus[] = [...by.keys()];
    let disagree = '';
    if (underlays.size > 1) {
      statuses.push('warn');
      disagree = `nodes disagree on the underlay MTU (${[...underlays.entries()].map(([m, n]) => `${m} on ${plural(n.length, 'node')}`).join(', ')}): traffic from a large-MTU node to a small-MTU node relies on fragmentation or PMTU discovery`;
      // Nodes above the smallest underlay send packets the small nodes' links cannot take unfragmented.
      const smallest = Math.min(...underlays.keys());
      const smallN = underlays.get(smallest)!.length;
      for (const r of results) if (r.status === 'pass' && r.underlay && r.underlay.mtu > smallest) details.push({ subject: r.node, status: 'warn', summary: `${r.text}; the smallest underlay is ${smallest} (${plural(smallN, 'node')})` });
    }
    const status = worst(statuses);
    const routeText = [...routes.entries()].map(([m, n]) => `${m}${routes.size > 1 ? ` on ${plural(n.length, 'node')}` : ''}`).join(', ');
    let summary: string;
    if (status === 'pass') summary = `${plural(nodes.length, 'node')}: pod route MTU ${routeText} = base ${[...new Set(results.map((r) => r.base))].join('/')} − ${overhead.total} (${overheadText}), within the underlay`;
    else {
      const parts = (['fail', 'unknown'] as const).filter((x) => by.has(x)).map((x) => `${by.get(x)!.length} ${x === 'fail' ? 'overflow the underlay' : 'unknown'} (${nameList(by.get(x)!, 3)})`);
      summary = `${plural(nodes.length, 'node')}, overhead ${overhead.total} (${overheadText}), pod route MTU ${routeText || 'unknown'}${parts.length ? `: ${parts.join(', ')}` : ''}${disagree ? `; ${disagree}` : ''}`;
    }
    const evidence: Evidence[] = [
      ...baseEvidence,
      { label: `Cilium version (${cv.from})`, value: `${minorOf(cv.version)}: ${minOver ? 'base MTU = minimum over selected devices' : 'base MTU = device of the node IP or default route'}`, source: cv.image ?? (cv.from === 'targeted' ? 'option ciliumVersion' : 'newest known') },
      ...[...underlays.entries()].map(([m, n]) => ({ label: 'Underlay MTU', value: `${m} on ${plural(n.length, 'node')} (${nameList(n, 3)})`, source: 'node.interfaces, node.addresses, node.route.default' })),
    ];
    const minUnderlay = underlays.size ? Math.min(...underlays.keys()) : null;
    const fix =
      status === 'fail' || (status === 'warn' && minUnderlay !== null)
        ? {
            text: `Make the pod MTU fit the smallest underlay: set Cilium's MTU to ${minUnderlay ?? 'the underlay MTU'} (or leave it unset to auto-detect) so routes get ${minUnderlay !== null ? minUnderlay - overhead.total : 'underlay − overhead'}; or raise the underlay MTU on the small nodes. Restart the agents (and recreate pods) afterwards.`,
            yaml: minUnderlay !== null ? `# Helm values for cilium\nMTU: ${minUnderlay}\n` : undefined,
            commands: [['kubectl', '-n', cfg.namespace, 'rollout', 'restart', 'daemonset/cilium']],
          }
        : null;
    return finding(this, status, summary, { evidence, fix, details });
  },
};
