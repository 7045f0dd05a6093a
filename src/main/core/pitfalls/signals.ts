import type { Fact } from '../../../shared/facts';
import { detectCnis } from '../checks/cni-detect';
import { findClusterDns } from '../checks/dns-coredns';
import { IPTABLES_SERVICE_WARN, findKubeProxy, judgeKpr } from '../checks/kubeproxy-status';
import { cidrContains, parseCidr, parseIp } from '../checks/lib/cidr';
import { agentVersion, ciliumSettings, findCiliumAgent } from '../checks/lib/cilium';
import { nameList } from '../checks/lib/finding';
import { mtuOverhead } from '../checks/lib/mtu';
import { ipamPool } from '../checks/ipam-pool';
import type { ClusterEvent, FactKey, FactSet, FactValue, MeshId, SystemPod, Workload } from '../facts/types';
import { isCiliumCniFailure, meshOf } from '../probes/cluster-diagnostics';
import { PolicyFacts, type PolicyInput } from './policy-values';
import { findVerifierErrors, VERIFIER_KIND_ORDER, type VerifierHit } from './verifier';

/**
 * Values ("signals") the pitfall files branch on and print: each is derived from facts (and,
 * for policy values, from the policy analyzer), declares exactly the facts it reads, and is
 * either known (value, text, source) or unknown (why). Pure: same facts, same values.
 */

export type Scalar = string | number | boolean;
export type SignalType = 'number' | 'string' | 'boolean' | 'list';

export type SignalValue =
  | { state: 'known'; value: Scalar | string[]; text: string; source: string }
  | { state: 'unknown'; why: string; source: string };

export interface SignalContext {
  facts: FactSet;
  /** The target's policy objects, or null when not loaded (policyNote says why). */
  policy: PolicyInput | null;
  policyNote: string | null;
  memo: Map<string, unknown>;
}

export interface SignalDef {
  id: string;
  title: string;
  type: SignalType;
  /** Facts read. */
  needs: readonly FactKey[];
  /** Reads the target's policy objects (the policy analyzer). */
  policy?: boolean;
  read(c: SignalContext): SignalValue;
}

/** Thrown inside a signal when something it needs is unknown; becomes an unknown value. */
class Missing extends Error {
  constructor(
    readonly why: string,
    readonly source: string,
  ) {
    super(why);
  }
}

function fact<K extends FactKey>(c: SignalContext, key: K): { value: FactValue<K>; source: string } {
  const f = c.facts[key] as Fact<FactValue<K>> | undefined;
  if (!f) throw new Missing(`${key} was not gathered (a snapshot made before this fact existed?)`, 'fact gatherer');
  if (f.state === 'unknown') throw new Missing(`${key}: ${f.reason}: ${f.detail}`, f.source ?? 'probe');
  return { value: f.value, source: f.source };
}

function memo<T>(c: SignalContext, key: string, fn: () => T): T {
  if (c.memo.has(key)) return c.memo.get(key) as T;
  const v = fn();
  c.memo.set(key, v);
  return v;
}

function policyFacts(c: SignalContext): PolicyFacts {
  if (!c.policy) throw new Missing(c.policyNote ?? 'the target\u2019s policy objects were not loaded', 'policy analyzer');
  return memo(c, 'policy', () => new PolicyFacts(c.policy!));
}

const yes = (b: boolean) => (b ? 'yes' : 'no');
const k = (value: Scalar | string[], source: string, text?: string): SignalValue => ({
  state: 'known',
  value,
  source,
  text: text ?? (Array.isArray(value) ? (value.length ? value.join('; ') : 'none') : typeof value === 'boolean' ? yes(value) : String(value)),
});

const LIST_SHOWN = 12;
/** A list value kept short: the first items and a count of the rest. */
const bounded = (items: string[]): string[] => (items.length <= LIST_SHOWN ? items : [...items.slice(0, LIST_SHOWN - 1), `and ${items.length - LIST_SHOWN + 1} more`]);

// ---------------------------------------------------------------------------------------
// Cilium

function cilium(c: SignalContext) {
  const f = c.facts['cilium.config'];
  if (f?.state === 'unknown' && f.reason === 'not-found') throw new Missing(`Cilium is not installed (${f.detail})`, f.source ?? 'probe');
  const cfg = fact(c, 'cilium.config');
  return { s: ciliumSettings(cfg.value), data: cfg.value.data, source: cfg.source };
}

const MESH_CONFLICT_NEEDS: readonly FactKey[] = ['cilium.config', 'k8s.workloads', 'mesh.workloads', 'mesh.resources'];

const SIGNALS: SignalDef[] = [
  {
    id: 'cilium.installed',
    title: 'Cilium installed',
    type: 'boolean',
    needs: ['cilium.config'],
    read(c) {
      const f = c.facts['cilium.config'];
      if (f?.state === 'unknown' && f.reason === 'not-found') return k(false, f.source ?? 'probe', `no (${f.detail})`);
      const cfg = fact(c, 'cilium.config');
      return k(true, cfg.source, `yes (ConfigMap ${cfg.value.namespace}/cilium-config)`);
    },
  },
  {
    id: 'cilium.version',
    title: 'Cilium version',
    type: 'string',
    needs: ['k8s.workloads'],
    read(c) {
      const ws = fact(c, 'k8s.workloads');
      const v = agentVersion(findCiliumAgent(ws.value));
      if (!v) throw new Missing('no Cilium agent DaemonSet with a versioned image', ws.source);
      return k(v.version, `image ${v.image}`);
    },
  },
  {
    id: 'cilium.routingMode',
    title: 'Routing mode',
    type: 'string',
    needs: ['cilium.config'],
    read(c) {
      const { s, source } = cilium(c);
      return k(s.routingMode, source, s.routingMode === 'tunnel' ? `tunnel (${s.tunnelProtocol})` : 'native');
    },
  },
  {
    id: 'cilium.encryption',
    title: 'Transparent encryption',
    type: 'string',
    needs: ['cilium.config'],
    read(c) {
      const { s, source } = cilium(c);
      return k(s.encryption ?? 'none', source, s.encryption === 'wireguard' ? 'WireGuard (enable-wireguard: "true")' : s.encryption === 'ipsec' ? 'IPsec (enable-ipsec: "true")' : 'none');
    },
  },
  {
    id: 'cilium.mtu',
    title: 'MTU in cilium-config',
    type: 'number',
    needs: ['cilium.config'],
    read(c) {
      const { s, data, source } = cilium(c);
      return k(s.mtu, source, s.mtu > 0 ? `${s.mtu} (mtu: "${data['mtu']}")` : data['mtu'] !== undefined ? `0: auto-detect (mtu: "${data['mtu']}")` : '0: auto-detect (no mtu key)');
    },
  },
  {
    id: 'cilium.mtuPinned',
    title: 'MTU pinned in cilium-config',
    type: 'boolean',
    needs: ['cilium.config'],
    read(c) {
      const { s, source } = cilium(c);
      return k(s.mtu > 0, source, s.mtu > 0 ? `yes: ${s.mtu}` : 'no: auto-detected from the node devices');
    },
  },
  {
    id: 'mtu.overhead',
    title: 'Encapsulation and encryption overhead',
    type: 'number',
    needs: ['cilium.config'],
    read(c) {
      const { s } = cilium(c);
      const o = mtuOverhead(s);
      return k(o.total, 'cilium/cilium pkg/mtu/mtu.go', `${o.total} bytes${o.parts.length ? `: ${o.parts.map((p) => `${p.what} ${p.bytes}`).join(' + ')}` : ' (native routing, no encryption)'}`);
    },
  },
  {
    id: 'cilium.kubeProxyReplacement',
    title: 'Cilium replaces kube-proxy',
    type: 'boolean',
    needs: ['cilium.config', 'k8s.workloads'],
    read(c) {
      const { s, source } = cilium(c);
      const ws = c.facts['k8s.workloads'];
      const v = ws?.state === 'known' ? (agentVersion(findCiliumAgent(ws.value))?.version ?? null) : null;
      const j = judgeKpr(s.kubeProxyReplacement, v);
      if (j.replaces === null) throw new Missing(j.text, source);
      return k(j.replaces, source, `${yes(j.replaces)} (${j.text})`);
    },
  },
  {
    id: 'cilium.socketLbHostnsOnly',
    title: 'Socket LB only in the host namespace',
    type: 'boolean',
    needs: ['cilium.config'],
    read(c) {
      const { data, source } = cilium(c);
      const v = (data['bpf-lb-sock-hostns-only'] ?? '').trim().toLowerCase() === 'true';
      return k(v, source, `${yes(v)} (bpf-lb-sock-hostns-only: ${data['bpf-lb-sock-hostns-only'] === undefined ? 'unset, default false' : `"${data['bpf-lb-sock-hostns-only']}"`})`);
    },
  },
  {
    id: 'cilium.cniExclusive',
    title: 'Cilium owns the CNI configuration exclusively',
    type: 'boolean',
    needs: ['cilium.config'],
    read(c) {
      const { data, source } = cilium(c);
      const raw = data['cni-exclusive'];
      const v = raw === undefined || raw === '' ? true : raw.trim().toLowerCase() === 'true';
      return k(v, source, `${yes(v)} (cni-exclusive: ${raw === undefined ? 'unset, default true' : `"${raw}"`})`);
    },
  },

  // -------------------------------------------------------------------------------------
  // CNI, Services, nodes
  {
    id: 'cni.primary',
    title: 'CNI',
    type: 'string',
    needs: ['k8s.workloads'],
    read(c) {
      const ws = fact(c, 'k8s.workloads');
      const primary = detectCnis(ws.value).filter((x) => !x.meta);
      if (primary.length === 0) return k('none', ws.source, 'none detected');
      const ids = [...new Set(primary.map((x) => x.id))].sort();
      return k(ids.join('+'), ws.source, primary.map((x) => `${x.name} ${x.version ?? ''} (DaemonSet ${x.workload.namespace}/${x.workload.name})`.replace(/ +\(/, ' (')).join(', '));
    },
  },
  {
    id: 'cni.ebpfDataplane',
    title: 'eBPF dataplane',
    type: 'boolean',
    needs: ['k8s.workloads'],
    read(c) {
      const ws = fact(c, 'k8s.workloads');
      const ids = new Set(detectCnis(ws.value).filter((x) => !x.meta).map((x) => x.id));
      if (ids.has('cilium')) return k(true, ws.source, 'yes: Cilium');
      if (ids.has('calico')) throw new Missing('Calico runs; whether in eBPF mode is set in its FelixConfiguration (bpfEnabled), which is not read', ws.source);
      return k(false, ws.source, ids.size ? `no: ${[...ids].join(', ')} program routes and iptables, not eBPF` : 'no CNI detected');
    },
  },
  {
    id: 'kubeproxy.mode',
    title: 'kube-proxy mode',
    type: 'string',
    needs: ['k8s.workloads', 'kubeproxy.config'],
    read(c) {
      const ws = fact(c, 'k8s.workloads');
      const kp = findKubeProxy(ws.value);
      if (!kp || kp.desired === 0) return k('none', ws.source, 'none: no kube-proxy DaemonSet');
      const cfg = fact(c, 'kubeproxy.config');
      const mode = cfg.value.mode || 'iptables';
      return k(mode, cfg.source, `${mode}${cfg.value.mode ? '' : ' (mode "" is iptables on Linux)'} — DaemonSet ${kp.namespace}/${kp.name} ${kp.ready}/${kp.desired} ready`);
    },
  },
  {
    id: 'services.count',
    title: 'Services',
    type: 'number',
    needs: ['k8s.serviceCount'],
    read(c) {
      const n = fact(c, 'k8s.serviceCount');
      return k(n.value, n.source);
    },
  },
  {
    id: 'services.iptablesThreshold',
    title: 'Services where iptables mode starts to hurt',
    type: 'number',
    needs: [],
    read: () => k(IPTABLES_SERVICE_WARN, 'https://docs.aws.amazon.com/eks/latest/best-practices/nftables.html (clusters with over 1,000 Services in iptables mode)'),
  },
  {
    id: 'nodes.count',
    title: 'Nodes',
    type: 'number',
    needs: ['k8s.nodes'],
    read(c) {
      const n = fact(c, 'k8s.nodes');
      return k(n.value.length, n.source);
    },
  },
  {
    id: 'kernel.releases',
    title: 'Node kernels',
    type: 'list',
    needs: ['k8s.nodes'],
    read(c) {
      const n = fact(c, 'k8s.nodes');
      const by = new Map<string, string[]>();
      for (const x of n.value) {
        const l = by.get(x.info.kernelVersion) ?? [];
        l.push(x.name);
        by.set(x.info.kernelVersion, l);
      }
      return k([...by.entries()].sort().map(([rel, nodes]) => `${rel || '(unknown)'} on ${nameList(nodes, 3)}`), `${n.source}: status.nodeInfo.kernelVersion`);
    },
  },

  // -------------------------------------------------------------------------------------
  // Cluster DNS
  {
    id: 'dns.ip',
    title: 'kube-dns Service IP',
    type: 'string',
    needs: ['dns.service'],
    read(c) {
      const s = fact(c, 'dns.service');
      return k(s.value.clusterIP, s.source);
    },
  },
  {
    id: 'dns.serviceCidr',
    title: 'Service CIDR',
    type: 'string',
    needs: ['kubeadm.networking'],
    read(c) {
      const n = fact(c, 'kubeadm.networking');
      if (!n.value.serviceSubnet) throw new Missing('kubeadm-config has no serviceSubnet', n.source);
      return k(n.value.serviceSubnet, n.source);
    },
  },
  {
    id: 'dns.inServiceCidr',
    title: 'kube-dns IP inside the Service CIDR',
    type: 'boolean',
    needs: ['dns.service', 'kubeadm.networking'],
    read(c) {
      const s = fact(c, 'dns.service');
      const n = fact(c, 'kubeadm.networking');
      const ip = parseIp(s.value.clusterIP);
      const cidrs = (n.value.serviceSubnet ?? '').split(',').map((t) => parseCidr(t.trim())).filter((x) => x !== null);
      const same = cidrs.find((x) => ip && x.family === ip.family);
      if (!ip || !same) throw new Missing(`cannot compare ${s.value.clusterIP} with the service CIDR ${n.value.serviceSubnet ?? '(none)'}`, n.source);
      const inside = cidrContains(same, ip);
      return k(inside, `${s.source}, ${n.source}`, `${yes(inside)}: ${s.value.clusterIP} ${inside ? 'is in' : 'is outside'} ${same.text}`);
    },
  },
  {
    id: 'dns.desired',
    title: 'CoreDNS replicas wanted',
    type: 'number',
    needs: ['k8s.workloads'],
    read(c) {
      const ws = fact(c, 'k8s.workloads');
      const d = findClusterDns(ws.value);
      if (!d) throw new Missing('no CoreDNS or kube-dns Deployment', ws.source);
      return k(d.desired, `Deployment ${d.namespace}/${d.name}`, `${d.desired} (${d.ready} ready)`);
    },
  },
  {
    id: 'dns.readyEndpoints',
    title: 'Ready kube-dns endpoints',
    type: 'number',
    needs: ['dns.endpoints'],
    read(c) {
      const e = fact(c, 'dns.endpoints');
      return k(e.value.ready.length, e.source, `${e.value.ready.length} ready${e.value.ready.length ? ` (${nameList(e.value.ready, 4)})` : ''}, ${e.value.notReady.length} not ready${e.value.notReady.length ? ` (${nameList(e.value.notReady, 4)})` : ''}`);
    },
  },
  {
    id: 'dns.podTrouble',
    title: 'CoreDNS pods in trouble',
    type: 'list',
    needs: ['k8s.systemPods'],
    read(c) {
      const p = fact(c, 'k8s.systemPods');
      return k(bounded(troubled(p.value.filter((x) => x.app === 'coredns'))), p.source);
    },
  },

  // -------------------------------------------------------------------------------------
  // The policy analyzer
  {
    id: 'policy.count',
    title: 'Network policies',
    type: 'number',
    needs: [],
    policy: true,
    read(c) {
      const pf = policyFacts(c);
      const names = pf.policies.map((p) => policyNameOf(p.obj));
      return k(names.length, 'the target\u2019s NetworkPolicies, CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies', names.length ? `${names.length} (${nameList(names, 4)})` : '0');
    },
  },
  {
    id: 'policy.egressWithoutDns',
    title: 'Egress default-deny without DNS',
    type: 'list',
    needs: [],
    policy: true,
    read(c) {
      const pf = policyFacts(c);
      return k(bounded(pf.lintOf(['egress-without-dns']).filter((f) => f.severity === 'warning').map((f) => f.message)), 'policy analyzer lint (egress-without-dns)');
    },
  },
  {
    id: 'policy.dnsBlockedNamespaces',
    title: 'Namespaces whose policies block DNS',
    type: 'list',
    needs: [],
    policy: true,
    read(c) {
      return k(policyFacts(c).dnsBlockedNamespaces(), 'policy analyzer lint (egress-without-dns)');
    },
  },
  {
    id: 'policy.overlaps',
    title: 'Overlapping and redundant policy rules',
    type: 'list',
    needs: [],
    policy: true,
    read(c) {
      const pf = policyFacts(c);
      return k(bounded(pf.lintOf(['redundant-policy', 'redundant-rule', 'overlapping-rules']).map((f) => `${f.id}: ${f.message}`)), 'policy analyzer lint (redundant-policy, redundant-rule, overlapping-rules)');
    },
  },
  {
    id: 'policy.implicitDenies',
    title: 'What each policy denies implicitly',
    type: 'list',
    needs: [],
    policy: true,
    read(c) {
      const r = policyFacts(c).implicitDenies();
      if ('tooMany' in r) throw new Missing(`${r.tooMany} policies: too many to attribute one by one (use the Policies page's diff on the one you change)`, 'policy analyzer');
      return k(r.lines, 'policy analyzer: allowed connections without each policy minus allowed connections with all of them');
    },
  },
  {
    id: 'policy.ciliumL7',
    title: 'Cilium L7 (HTTP/Kafka) policy rules',
    type: 'list',
    needs: [],
    policy: true,
    read(c) {
      return k(bounded(policyFacts(c).ciliumL7().map((x) => x.text)), 'policy analyzer: CiliumNetworkPolicy toPorts.rules');
    },
  },

  // -------------------------------------------------------------------------------------
  // Service meshes
  {
    id: 'mesh.detected',
    title: 'Service mesh',
    type: 'list',
    needs: ['mesh.workloads', 'mesh.resources'],
    read(c) {
      const ws = fact(c, 'mesh.workloads');
      const res = fact(c, 'mesh.resources');
      const found = meshesFound(ws.value, res.value.crds);
      const text = found.length ? found.map((m) => `${m.mesh}: ${m.why}`).join('; ') : 'none (no Istio or Linkerd workloads or CRDs)';
      return k(found.map((m) => m.mesh), `${ws.source}; ${res.source}`, text);
    },
  },
  {
    id: 'mesh.mtls',
    title: 'Mesh mutual TLS',
    type: 'boolean',
    needs: ['mesh.workloads', 'mesh.resources'],
    read(c) {
      const ws = fact(c, 'mesh.workloads');
      const res = fact(c, 'mesh.resources');
      const found = meshesFound(ws.value, res.value.crds).map((m) => m.mesh);
      const pa = res.value.peerAuthentications;
      const strict = pa.filter((p) => p.mode === 'STRICT');
      const disabledMeshWide = pa.some((p) => p.mode === 'DISABLE' && !p.selector && p.namespace === 'istio-system');
      const meshed = res.value.namespaces;
      const parts: string[] = [];
      if (strict.length) parts.push(`STRICT: ${strict.map((p) => `PeerAuthentication ${p.namespace}/${p.name}`).join(', ')}`);
      if (found.includes('istio') && !strict.length && !disabledMeshWide && meshed.some((n) => n.mesh === 'istio')) parts.push('Istio auto mTLS between sidecars (PERMISSIVE, the default)');
      if (found.includes('linkerd') && meshed.some((n) => n.mesh === 'linkerd')) parts.push('Linkerd: automatic mTLS between meshed pods');
      const on = parts.length > 0;
      return k(on, res.source, on ? parts.join('; ') : found.length ? `no${disabledMeshWide ? ' (mesh-wide PeerAuthentication DISABLE)' : ': no meshed namespace or STRICT PeerAuthentication'}` : 'no mesh');
    },
  },
  {
    id: 'mesh.namespaces',
    title: 'Meshed namespaces',
    type: 'list',
    needs: ['mesh.resources'],
    read(c) {
      const res = fact(c, 'mesh.resources');
      return k(bounded(res.value.namespaces.map((n) => `${n.namespace} (${n.mesh}: ${n.how})`)), res.source);
    },
  },
  {
    id: 'mesh.l7Authorization',
    title: 'Mesh L7 authorization policies',
    type: 'list',
    needs: ['mesh.resources'],
    read(c) {
      const res = fact(c, 'mesh.resources');
      return k(bounded(res.value.authorizationPolicies.filter((a) => a.l7).map((a) => `${a.mesh} AuthorizationPolicy ${a.namespace}/${a.name} (${a.action})`)), res.source);
    },
  },
  {
    id: 'mesh.istioCni',
    title: 'Istio CNI plugin',
    type: 'boolean',
    needs: ['mesh.workloads'],
    read(c) {
      const ws = fact(c, 'mesh.workloads');
      const d = ws.value.find((w) => w.kind === 'DaemonSet' && w.images.some((i) => /\/install-cni(:|@|$)/.test(i)));
      return k(!!d, ws.source, d ? `yes: DaemonSet ${d.namespace}/${d.name} (${d.images.join(', ')})` : 'no');
    },
  },
  {
    id: 'mesh.ciliumL7InMesh',
    title: 'Cilium L7 rules on meshed pods',
    type: 'list',
    needs: ['mesh.resources'],
    policy: true,
    read(c) {
      const res = fact(c, 'mesh.resources');
      const meshed = new Set(res.value.namespaces.map((n) => n.namespace));
      const rules = policyFacts(c).ciliumL7().filter((r) => r.namespace === null || meshed.has(r.namespace));
      return k(bounded(rules.map((r) => r.text)), `policy analyzer; ${res.source}`);
    },
  },

  {
    id: 'mesh.conflictKinds',
    title: 'Kinds of collision between Cilium and the mesh',
    type: 'list',
    needs: MESH_CONFLICT_NEEDS,
    policy: true,
    read(c) {
      const m = meshConflicts(c);
      return k(m.items.map((i) => i.kind), m.source, m.items.length ? m.items.map((i) => i.kind).join(', ') : 'none');
    },
  },
  {
    id: 'mesh.conflicts',
    title: 'Where Cilium and the mesh collide',
    type: 'list',
    needs: MESH_CONFLICT_NEEDS,
    policy: true,
    read(c) {
      const m = meshConflicts(c);
      return k(m.items.map((i) => i.text), m.source);
    },
  },

  // -------------------------------------------------------------------------------------
  // IPAM
  {
    id: 'ipam.mode',
    title: 'IPAM mode',
    type: 'string',
    needs: ['cilium.config'],
    read(c) {
      const { s, source } = cilium(c);
      return k(s.ipam, source);
    },
  },
  {
    id: 'ipam.exhaustedNodes',
    title: 'Nodes out of pod addresses',
    type: 'list',
    needs: ipamPool.needs,
    read(c) {
      const f = ipamFinding(c);
      return k(bounded((f.details ?? []).filter((d) => d.status === 'fail' && d.subject !== 'overlap' && !d.subject.startsWith('cluster-pool')).map((d) => `${d.subject}: ${d.summary}`)), `check ipam.pool`);
    },
  },
  {
    id: 'ipam.fullNodes',
    title: 'Nodes above 80 % of their pod addresses',
    type: 'list',
    needs: ipamPool.needs,
    read(c) {
      const f = ipamFinding(c);
      return k(bounded((f.details ?? []).filter((d) => (d.status === 'warn' || d.status === 'fail') && /\d+\/\d+ \(\d+ %\)/.test(d.summary)).map((d) => `${d.subject}: ${d.summary}`)), `check ipam.pool`);
    },
  },
  {
    id: 'ipam.leaked',
    title: 'Allocations whose pod is gone',
    type: 'number',
    needs: ['cilium.nodes', 'k8s.pods'],
    read(c) {
      const l = leaks(c);
      return k(l.count, 'cilium.nodes status.ipam.used vs k8s.pods', `${l.count}${l.count ? ` (e.g. ${l.sample.slice(0, 3).join(', ')})` : ''}`);
    },
  },
  {
    id: 'ipam.leakedOwners',
    title: 'Owners of leaked allocations',
    type: 'list',
    needs: ['cilium.nodes', 'k8s.pods'],
    read(c) {
      const l = leaks(c);
      return k(bounded(l.byNode.map(([node, n, sample]) => `${node}: ${n} allocation(s), e.g. ${sample.join(', ')}`)), 'cilium.nodes status.ipam.used vs k8s.pods');
    },
  },
  {
    id: 'ipam.cniAllocationFailures',
    title: 'Pod sandboxes without an address',
    type: 'list',
    needs: ['k8s.systemEvents'],
    read(c) {
      const e = fact(c, 'k8s.systemEvents');
      const hits = e.value.filter((x) => isCiliumCniFailure(x) && /unable to allocate IP|range is full|no more free IPs|IPAM/i.test(x.message));
      return k(bounded(hits.map((x) => `${x.object.namespace || x.namespace}/${x.object.name} ×${x.count}: ${oneLine(cniError(x.message), 220)}`)), e.source);
    },
  },

  // -------------------------------------------------------------------------------------
  // The Cilium agent and the verifier
  {
    id: 'agent.unhealthy',
    title: 'Cilium agent pods in trouble',
    type: 'list',
    needs: ['k8s.systemPods'],
    read(c) {
      const p = fact(c, 'k8s.systemPods');
      return k(bounded(troubled(p.value.filter((x) => x.app === 'cilium-agent'))), p.source);
    },
  },
  {
    id: 'agent.warningEvents',
    title: 'Warning Events about Cilium',
    type: 'list',
    needs: ['k8s.systemEvents'],
    read(c) {
      const e = fact(c, 'k8s.systemEvents');
      const mine = e.value.filter((x) => /^cilium/.test(x.object.name) || isCiliumCniFailure(x));
      return k(bounded(mine.map((x) => `${x.object.kind} ${x.object.namespace || x.namespace}/${x.object.name}: ${x.reason} ×${x.count}: ${oneLine(x.message, 200)}`)), e.source);
    },
  },
  {
    id: 'agent.verifierErrors',
    title: 'Verifier rejections',
    type: 'list',
    needs: ['k8s.systemPods', 'k8s.systemEvents'],
    read(c) {
      const v = verifier(c);
      return k(bounded(v.map((h) => `${h.where}: ${h.hit.summary}`)), 'agent termination messages (the log tail of the run that died) and Warning Events');
    },
  },
  {
    id: 'agent.verifierKind',
    title: 'Kind of verifier rejection',
    type: 'string',
    needs: ['k8s.systemPods', 'k8s.systemEvents'],
    read(c) {
      const v = verifier(c);
      if (!v.length) return k('none', 'agent termination messages and Warning Events', 'none found');
      const kind = VERIFIER_KIND_ORDER.find((kd) => v.some((h) => h.hit.kind === kd)) ?? 'other';
      return k(kind, 'agent termination messages and Warning Events');
    },
  },
  {
    id: 'agent.verifierProgram',
    title: 'Rejected program',
    type: 'string',
    needs: ['k8s.systemPods', 'k8s.systemEvents'],
    read(c) {
      const v = verifier(c);
      const named = v.find((h) => h.hit.program);
      if (!named) throw new Missing(v.length ? 'the rejection does not name the program' : 'no verifier rejection found', 'agent termination messages and Warning Events');
      return k(named.hit.program!, named.where);
    },
  },
  {
    id: 'agent.verifierLine',
    title: 'Verifier output',
    type: 'list',
    needs: ['k8s.systemPods', 'k8s.systemEvents'],
    read(c) {
      const v = verifier(c);
      return k([...new Set(v.map((h) => h.hit.line))].slice(0, 5), 'agent termination messages and Warning Events');
    },
  },
];

// ---------------------------------------------------------------------------------------
// helpers

const oneLine = (s: string, n: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

/** The CNI plugin's own error out of a sandbox failure (containerd: after "failed (add): ", dockershim: after "network: "). */
function cniError(message: string): string {
  const m = message.match(/failed \(add\): ([\s\S]*)$/) ?? message.match(/ network: ([\s\S]*)$/);
  return m ? m[1]! : message;
}

function policyNameOf(o: unknown): string {
  const x = (o ?? {}) as { kind?: string; metadata?: { namespace?: string; name?: string } };
  return `${x.kind ?? '?'} ${x.kind === 'CiliumClusterwideNetworkPolicy' ? '' : `${x.metadata?.namespace ?? 'default'}/`}${x.metadata?.name ?? '?'}`;
}

/** Pods not ready, waiting or restarting, with their last termination. */
function troubled(pods: SystemPod[]): string[] {
  const out: string[] = [];
  for (const p of pods) {
    const bad = p.containers.filter((c) => (!c.init && !c.ready) || c.waiting !== null || c.restarts > 0);
    if (p.ready && !bad.length) continue;
    const parts = bad.map((c) => {
      const last = c.lastTerminated ? `, last run ended ${c.lastTerminated.reason || 'terminated'} (exit ${c.lastTerminated.exitCode})` : '';
      return `${c.init ? 'init ' : ''}container ${c.name}: ${c.waiting ?? (c.ready ? 'running' : 'not ready')}, ${c.restarts} restart(s)${last}`;
    });
    out.push(`${p.namespace}/${p.name} on ${p.node || '(no node)'}: ${p.ready ? 'ready' : 'not ready'}${parts.length ? `; ${parts.join('; ')}` : ''}`);
  }
  return out;
}

function ipamFinding(c: SignalContext) {
  return memo(c, 'check:ipam.pool', () => {
    const cfg = c.facts['cilium.config'];
    if (cfg?.state === 'unknown' && cfg.reason === 'not-found') throw new Missing('Cilium is not installed', cfg.source ?? 'probe');
    const f = ipamPool.evaluate(c.facts, {});
    if (f.status === 'unknown') throw new Missing(f.summary, 'check ipam.pool');
    return f;
  });
}

function leaks(c: SignalContext): { count: number; sample: string[]; byNode: [string, number, string[]][] } {
  return memo(c, 'ipam.leaks', () => {
    const cns = fact(c, 'cilium.nodes');
    const pods = fact(c, 'k8s.pods');
    const names = new Set(pods.value.map((p) => `${p[0]}/${p[1]}`));
    let count = 0;
    const sample: string[] = [];
    const byNode: [string, number, string[]][] = [];
    for (const cn of cns.value) {
      let n = 0;
      const s: string[] = [];
      for (const [ip, owner] of Object.entries(cn.used)) {
        if (!owner.includes('/')) continue; // router, health, ingress
        const who = owner.split(/\s/)[0]!;
        if (names.has(who)) continue;
        n++;
        if (s.length < 3) s.push(`${ip} (${who})`);
      }
      if (n) {
        count += n;
        sample.push(...s);
        byNode.push([cn.name, n, s]);
      }
    }
    return { count, sample, byNode };
  });
}

function verifier(c: SignalContext): { where: string; hit: VerifierHit }[] {
  return memo(c, 'verifier', () => {
    const pods = fact(c, 'k8s.systemPods');
    const events = fact(c, 'k8s.systemEvents');
    const out: { where: string; hit: VerifierHit }[] = [];
    const seen = new Set<string>();
    const add = (where: string, text: string) => {
      for (const hit of findVerifierErrors(text)) {
        const key = `${hit.kind}|${hit.program}|${hit.summary}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ where, hit });
      }
    };
    for (const p of pods.value.filter((x) => x.app === 'cilium-agent'))
      for (const ct of p.containers) if (ct.lastTerminated?.message) add(`pod ${p.namespace}/${p.name} (node ${p.node}), container ${ct.name}, previous run`, ct.lastTerminated.message);
    for (const e of events.value as ClusterEvent[]) if (/^cilium/.test(e.object.name) || isCiliumCniFailure(e)) add(`Event ${e.reason} on ${e.object.kind} ${e.object.namespace || e.namespace}/${e.object.name}`, e.message);
    return out;
  });
}

// ---------------------------------------------------------------------------------------
// Meshes

function meshesFound(ws: readonly Workload[], crds: readonly string[]): { mesh: MeshId; why: string }[] {
  const out: { mesh: MeshId; why: string }[] = [];
  for (const mesh of ['istio', 'linkerd'] as const) {
    const w = ws.filter((x) => meshOf(x) === mesh).map((x) => `${x.kind} ${x.namespace}/${x.name}`);
    const c = crds.filter((x) => x.endsWith(mesh === 'istio' ? '.istio.io' : '.linkerd.io'));
    if (w.length || c.length) out.push({ mesh, why: [w.length ? nameList(w, 3) : '', c.length ? `${c.length} CRD(s) (${nameList(c, 2)})` : ''].filter(Boolean).join(', ') });
  }
  return out;
}

type ConflictKind = 'double-encryption' | 'l7-blind' | 'socket-lb' | 'cni-exclusive' | 'double-l7';

/**
 * Where Cilium and a mesh get in each other's way (docs.cilium.io "Integration with Istio"):
 * Cilium HTTP policy cannot see into Istio mTLS (STRICT or PERMISSIVE); socket load balancing
 * in pods bypasses the sidecar unless bpf-lb-sock-hostns-only is true; cni-exclusive removes
 * istio-cni's chained configuration. Both encrypting, or both enforcing L7, is double work.
 */
function meshConflicts(c: SignalContext): { items: { kind: ConflictKind; text: string }[]; source: string } {
  return memo(c, 'mesh.conflicts', () => {
    const { s, data, source } = cilium(c);
    const ws = fact(c, 'mesh.workloads');
    const res = fact(c, 'mesh.resources');
    const meshes = meshesFound(ws.value, res.value.crds).map((m) => m.mesh);
    const items: { kind: ConflictKind; text: string }[] = [];
    if (!meshes.length) return { items, source: res.source };
    const mtls = readSignal(c, 'mesh.mtls');
    const mtlsOn = mtls.state === 'known' && mtls.value === true;
    const meshName = meshes.map((m) => (m === 'istio' ? 'Istio' : 'Linkerd')).join(' and ');
    if (s.encryption && mtlsOn) {
      const enc = mtuOverhead(s).parts.filter((p) => p.what === 'WireGuard' || p.what === 'IPsec');
      const bytes = enc.reduce((a, p) => a + p.bytes, 0);
      items.push({ kind: 'double-encryption', text: `encrypted twice: Cilium ${s.encryption === 'wireguard' ? 'WireGuard' : 'IPsec'} between nodes and ${meshName} mTLS between pods (${mtls.state === 'known' ? mtls.text : ''}); Cilium's encryption adds ${bytes} bytes to every packet already carrying TLS` });
    }
    let l7: { text: string; namespace: string | null }[] = [];
    try {
      l7 = policyFacts(c).ciliumL7();
    } catch {
      /* no policy objects: the L7 collisions stay unknown */
    }
    const meshed = new Set(res.value.namespaces.map((n) => n.namespace));
    const l7InMesh = l7.filter((r) => r.namespace === null || meshed.has(r.namespace));
    if (l7InMesh.length && mtlsOn) items.push({ kind: 'l7-blind', text: `Cilium L7 rules on meshed pods see mTLS, not HTTP (Istio STRICT or PERMISSIVE mTLS is not compatible with Cilium HTTP policy): ${nameList(l7InMesh.map((r) => r.text), 3)}` });
    const kpr = readSignal(c, 'cilium.kubeProxyReplacement');
    const hostnsOnly = (data['bpf-lb-sock-hostns-only'] ?? '').trim().toLowerCase() === 'true';
    if (meshes.includes('istio') && kpr.state === 'known' && kpr.value === true && !hostnsOnly)
      items.push({ kind: 'socket-lb', text: 'kube-proxy replacement balances Services at the socket inside pods (bpf-lb-sock-hostns-only is not true): connections reach the sidecar already pointed at a backend pod, so Istio\u2019s Service routing, retries and policies by Service are bypassed' });
    const exclusive = data['cni-exclusive'] === undefined || data['cni-exclusive'] === '' ? true : data['cni-exclusive'].trim().toLowerCase() === 'true';
    const istioCni = ws.value.find((w) => w.kind === 'DaemonSet' && w.images.some((i) => /\/install-cni(:|@|$)/.test(i)));
    if (istioCni && exclusive) items.push({ kind: 'cni-exclusive', text: `cni-exclusive is ${data['cni-exclusive'] === undefined ? 'unset (default true)' : `"${data['cni-exclusive']}"`}: the Cilium agent removes other CNI configurations from /etc/cni/net.d, including the chained plugin of DaemonSet ${istioCni.namespace}/${istioCni.name}` });
    const meshL7 = res.value.authorizationPolicies.filter((a) => a.l7);
    if (l7.length && meshL7.length) items.push({ kind: 'double-l7', text: `L7 rules in two places: ${l7.length} Cilium L7 rule(s) and ${meshL7.length} mesh AuthorizationPolicy(ies) with HTTP conditions (${nameList(meshL7.map((a) => `${a.namespace}/${a.name}`), 3)})` });
    return { items, source: `${source}; ${res.source}` };
  });
}

// ---------------------------------------------------------------------------------------
// The registry

export const SIGNAL_REGISTRY: ReadonlyMap<string, SignalDef> = new Map(SIGNALS.map((s) => [s.id, s]));

export const getSignal = (id: string): SignalDef | undefined => SIGNAL_REGISTRY.get(id);

/** Reads a value (memoised per run); a value that throws for another reason is unknown with the error. */
export function readSignal(c: SignalContext, id: string): SignalValue {
  const def = SIGNAL_REGISTRY.get(id);
  if (!def) return { state: 'unknown', why: `no value named ${id}`, source: 'pitfall engine' };
  return memo(c, `signal:${id}`, () => {
    try {
      return def.read(c);
    } catch (err) {
      if (err instanceof Missing) return { state: 'unknown', why: err.why, source: err.source };
      return { state: 'unknown', why: `internal error reading ${id}: ${err instanceof Error ? err.message : String(err)}`, source: 'pitfall engine' };
    }
  });
}
