import type { Evidence, FindingDetail, FindingStatus } from '../../../shared/api/checks-types';
import type { CiliumNodeSummary, FactSet, PodRow } from '../facts/types';
import { allocatableAddresses, CidrIndex, cidrContains, cidrsOverlap, parseCidr, parseIp, type Cidr } from './lib/cidr';
import { ciliumSettings } from './lib/cilium';
import { finding, known, nameList, plural, unknownFinding, whyUnknown, worst } from './lib/finding';
import type { Check } from './types';

const REF =
  'https://docs.cilium.io/en/stable/network/concepts/ipam/ (cluster-pool, kubernetes); cilium/cilium pkg/ipam/service/ipallocator/allocator.go (usable addresses); plugins/cilium-cni/cmd/cmd.go (owner "namespace/pod")';

/**
 * Exhaustion thresholds (our choice): warn at 80 % of a node's pod addresses in use, fail at
 * 95 % or with no free address. 80 % of a /24 leaves ~50 addresses, enough for a rolling update
 * that surges pods on the node; at 95 % (~12 left) one rollout or a few restarts can exhaust it
 * and new pods stay in ContainerCreating with an IPAM error. The same thresholds apply to the
 * cluster-pool's node-CIDR slots (nodes that join later get no pod CIDR).
 */
export const IPAM_WARN_RATIO = 0.8;
export const IPAM_FAIL_RATIO = 0.95;

/** Pod phases that hold (or are about to get) a pod IP. */
const HOLDS_IP = new Set<PodRow[5]>(['Pending', 'Running', 'Unknown']);

function ratioStatus(used: number, capacity: number): FindingStatus {
  if (capacity <= 0 || used >= capacity) return 'fail';
  const r = used / capacity;
  return r >= IPAM_FAIL_RATIO ? 'fail' : r >= IPAM_WARN_RATIO ? 'warn' : 'pass';
}

const pct = (used: number, cap: number) => (cap > 0 ? `${Math.round((used / cap) * 100)} %` : 'no capacity');

const hasKeys = (o: object): boolean => {
  for (const _k in o) return true;
  return false;
};

export const ipamPool: Check = {
  id: 'ipam.pool',
  title: 'Pod IP pools have room and do not overlap',
  category: 'ipam',
  needs: ['cilium.config', 'k8s.nodes', 'cilium.nodes', 'k8s.pods', 'kubeadm.networking', 'k8s.service.kubernetes'],
  reference: REF,
  evaluate(facts: FactSet) {
    const cfgFact = facts['cilium.config'];
    if (cfgFact?.state === 'unknown' && cfgFact.reason === 'not-found')
      return finding(this, 'not-applicable', `Cilium is not installed (${cfgFact.detail}); this check reads Cilium's IPAM`, {});
    const cfg = known(facts, 'cilium.config');
    const nodesF = known(facts, 'k8s.nodes');
    if (!cfg || !nodesF) return unknownFinding(this, facts, ['cilium.config', 'k8s.nodes'], 'the IPAM mode and the node list are needed');
    const s = ciliumSettings(cfg.value);
    const mode = s.ipam;
    const families: (4 | 6)[] = [...(s.ipv4 ? [4 as const] : []), ...(s.ipv6 ? [6 as const] : [])];
    const reserved = 1 + (s.healthChecking ? 1 : 0);
    const cnF = known(facts, 'cilium.nodes');
    const podsF = known(facts, 'k8s.pods');
    const cns = new Map<string, CiliumNodeSummary>();
    if (cnF) for (const c of cnF.value) cns.set(c.name, c);

    const statuses: FindingStatus[] = [];
    const details: FindingDetail[] = [];
    const notes: string[] = [];
    const evidence: Evidence[] = [{ label: 'IPAM mode', value: mode, source: `ConfigMap ${cfg.value.namespace}/cilium-config (ipam)` }];

    // Pods holding a pod IP, per node (hostNetwork pods use the node's address).
    const podsOnNode = new Map<string, number>();
    if (podsF) {
      for (const p of podsF.value) {
        if (p[4] || !p[2] || !HOLDS_IP.has(p[5])) continue;
        podsOnNode.set(p[2], (podsOnNode.get(p[2]) ?? 0) + 1);
      }
    } else notes.push(`pod counts unknown (${whyUnknown('k8s.pods', facts['k8s.pods'])})`);

    // ---- per-node capacity
    const capacityModes = new Set(['kubernetes', 'cluster-pool', 'cluster-pool-v2beta']);
    const poolModes = new Set(['eni', 'azure', 'crd', 'alibabacloud']);
    const by = new Map<FindingStatus, string[]>();
    let totalUsed = 0;
    let totalCap = 0;
    const note = (st: FindingStatus, node: string, text: string | (() => string)) => {
      const l = by.get(st);
      if (l) l.push(node);
      else by.set(st, [node]);
      if (st !== 'pass') details.push({ subject: node, status: st, summary: typeof text === 'string' ? text : text() });
    };
    if (capacityModes.has(mode) || poolModes.has(mode)) {
      for (const n of nodesF.value) {
        const cn = cns.get(n.name);
        const pods = podsOnNode.get(n.name) ?? 0;
        if (poolModes.has(mode)) {
          if (!cn) {
            note('unknown', n.name, `no CiliumNode (${whyUnknown('cilium.nodes', facts['cilium.nodes'])})`);
            continue;
          }
          const used = Math.max(Object.keys(cn.used).length, pods);
          const st = cn.operatorError ? 'fail' : ratioStatus(used, cn.poolSize);
          totalUsed += used;
          totalCap += cn.poolSize;
          note(st, n.name, () => `${used}/${cn.poolSize} pool addresses used (${pct(used, cn.poolSize)})${cn.operatorError ? `; operator error: ${cn.operatorError}` : ''}`);
          continue;
        }
        const cidrTexts = mode === 'kubernetes' ? n.podCIDRs : (cn?.podCIDRs ?? []);
        const cidrs = cidrTexts.map(parseCidr).filter((c): c is Cidr => c !== null);
        if (cidrs.length === 0) {
          if (mode !== 'kubernetes' && !cnF) {
            note('unknown', n.name, `pod CIDR unknown: ${whyUnknown('cilium.nodes', facts['cilium.nodes'])}`);
          } else if (mode !== 'kubernetes' && !cn) {
            note('warn', n.name, 'no CiliumNode for this node: the agent has not registered it yet (not running there?)');
          } else {
            const why = mode === 'kubernetes' ? 'Node has no spec.podCIDRs: the agent waits for one (kube-controller-manager --allocate-node-cidrs)' : `CiliumNode has no spec.ipam.podCIDRs${cn?.operatorError ? ` (operator: ${cn.operatorError})` : ' (the operator could not assign one: pool exhausted?)'}`;
            note('fail', n.name, why);
          }
          continue;
        }
        if (!podsF && !(cn && hasKeys(cn.used))) {
          note('unknown', n.name, () => `${cidrs.map((c) => c.text).join(', ')}: usage unknown (${whyUnknown('k8s.pods', facts['k8s.pods'])})`);
          continue;
        }
        const usedN = cn ? Object.keys(cn.used).length : 0;
        const fams: { fam: 4 | 6; fc: Cidr[]; used: number; cap: number; st: FindingStatus }[] = [];
        for (const fam of families) {
          const fc = cidrs.filter((c) => c.family === fam);
          if (fc.length === 0) continue;
          const cap = fc.reduce((a, c) => a + allocatableAddresses(c), 0) - reserved;
          const used = pods + Math.max(0, usedN - pods - reserved);
          totalUsed += used;
          totalCap += cap;
          fams.push({ fam, fc, used, cap, st: ratioStatus(used, cap) });
        }
        const st = worst([...fams.map((x) => x.st), ...(cn?.operatorError ? (['warn'] as const) : [])]);
        note(st, n.name, () =>
          [
            ...fams.map((x) => `IPv${x.fam} ${x.used}/${x.cap} (${pct(x.used, x.cap)}) in ${x.fc.map((c) => c.text).join(', ')}`),
            ...(cn?.operatorError ? [`operator error: ${cn.operatorError}`] : []),
          ].join('; ') + `; ${reserved} reserved (router${reserved > 1 ? ', health' : ''})`,
        );
      }
    } else {
      notes.push(`per-node capacity is not checked in ${mode} mode`);
    }
    statuses.push(...by.keys());
    if (totalCap > 0) evidence.push({ label: 'Pod addresses in use', value: `${totalUsed} of ${totalCap} (${pct(totalUsed, totalCap)}) over ${plural(nodesF.value.length, 'node')}`, source: podsF ? 'k8s.pods (not hostNetwork, Pending/Running)' : 'cilium.nodes status.ipam.used' });

    // ---- cluster-pool slots
    const pools: Cidr[] = [];
    if (mode === 'cluster-pool' || mode === 'cluster-pool-v2beta') {
      const sets: [4 | 6, string[], number | null][] = [
        [4, s.clusterPoolIPv4, s.clusterPoolIPv4MaskSize],
        [6, s.clusterPoolIPv6, s.clusterPoolIPv6MaskSize],
      ];
      for (const [fam, list, mask] of sets) {
        if (!families.includes(fam)) continue;
        const cidrs = list.map(parseCidr).filter((c): c is Cidr => c !== null && c.family === fam);
        pools.push(...cidrs);
        if (cidrs.length === 0 || mask === null) continue;
        let slots = 0n;
        for (const c of cidrs) if (mask >= c.prefix) slots += 1n << BigInt(mask - c.prefix);
        const n = nodesF.value.length;
        const slotsN = slots > 1_000_000_000n ? 1_000_000_000 : Number(slots);
        const st = slotsN === 0 ? 'fail' : n >= slotsN ? 'fail' : ratioStatus(n, slotsN);
        statuses.push(st);
        evidence.push({ label: `cluster-pool IPv${fam}`, value: `${list.join(' ')} split into /${mask}: ${slotsN} node CIDRs for ${plural(n, 'node')} (${pct(n, slotsN)})`, source: `ConfigMap ${cfg.value.namespace}/cilium-config (cluster-pool-ipv${fam}-cidr, cluster-pool-ipv${fam}-mask-size)` });
        if (st !== 'pass') details.push({ subject: `cluster-pool IPv${fam}`, status: st, summary: `${plural(n, 'node')} use ${pct(n, slotsN)} of ${slotsN} node CIDRs${slotsN === 0 ? ' (mask size smaller than the pool prefix)' : ''}` });
      }
    } else if (mode === 'kubernetes') {
      const seen = new Set<string>();
      for (const n of nodesF.value)
        for (const t of n.podCIDRs) {
          const c = parseCidr(t);
          const key = c ? `${c.family}/${c.base}/${c.prefix}` : '';
          if (c && !seen.has(key)) {
            seen.add(key);
            pools.push(c);
          }
        }
      const kubeadm = known(facts, 'kubeadm.networking');
      for (const t of (kubeadm?.value.podSubnet ?? '').split(',').filter(Boolean)) {
        const c = parseCidr(t);
        if (c) pools.push(c);
      }
    }

    // ---- leaks: status.ipam.used owners without a pod
    let leaks = 0;
    if (cnF && podsF) {
      const podsByNs = new Map<string, Set<string>>();
      for (const p of podsF.value) {
        const set = podsByNs.get(p[0]);
        if (set) set.add(p[1]);
        else podsByNs.set(p[0], new Set([p[1]]));
      }
      for (const cn of cnF.value) {
        const shown: string[] = [];
        let count = 0;
        for (const ip in cn.used) {
          const owner = cn.used[ip]!;
          const slash = owner.indexOf('/');
          if (slash < 0) continue; // router, health, ingress
          const end = owner.search(/\s/);
          const ns = owner.slice(0, slash);
          const name = owner.slice(slash + 1, end < 0 ? undefined : end);
          if (podsByNs.get(ns)?.has(name)) continue;
          count++;
          if (shown.length < 5) shown.push(`${ip} (${ns}/${name})`);
        }
        if (count) {
          leaks += count;
          details.push({ subject: cn.name, status: 'warn', summary: `${plural(count, 'allocation')} whose pod no longer exists: ${shown.join(', ')}${count > shown.length ? ` and ${count - shown.length} more` : ''}` });
        }
      }
      if (leaks) statuses.push('warn');
      evidence.push({ label: 'Leaked allocations', value: leaks ? `${leaks} in CiliumNode status.ipam.used with no pod` : 'none found', source: 'cilium.nodes status.ipam.used vs k8s.pods (agents release unused allocations after 10 min: re-check before acting)' });
    }

    // ---- overlaps: pools vs node addresses and the service CIDR
    const overlaps: string[] = [];
    if (pools.length) {
      const svc: Cidr[] = [];
      const kubeadm = known(facts, 'kubeadm.networking');
      for (const t of (kubeadm?.value.serviceSubnet ?? '').split(',').filter(Boolean)) {
        const c = parseCidr(t);
        if (c) svc.push(c);
      }
      const kubeSvc = known(facts, 'k8s.service.kubernetes');
      const clusterIPs = (kubeSvc?.value.clusterIPs.length ? kubeSvc.value.clusterIPs : kubeSvc ? [kubeSvc.value.clusterIP] : []).map(parseIp).filter((i) => i !== null);
      const nodeHits = new Map<string, string[]>();
      // Few pools (cluster-pool) or one per node (kubernetes): compare each pool with the
      // service CIDRs, and look every node address up in an index of the pools.
      for (const p of pools) {
        for (const sc of svc) if (cidrsOverlap(p, sc)) overlaps.push(`pod pool ${p.text} overlaps the service CIDR ${sc.text}`);
        for (const ip of clusterIPs) if (cidrContains(p, ip)) overlaps.push(`pod pool ${p.text} contains the kubernetes Service IP ${kubeSvc?.value.clusterIP}`);
      }
      const index = new CidrIndex(pools);
      for (const n of nodesF.value)
        for (const a of n.addresses) {
          if (a.type !== 'InternalIP' && a.type !== 'ExternalIP') continue;
          const ip = parseIp(a.address);
          const hit = ip ? index.find(ip) : null;
          if (hit) {
            const l = nodeHits.get(hit) ?? [];
            l.push(`${n.name} ${a.address}`);
            nodeHits.set(hit, l);
          }
        }
      for (const [p, hits] of nodeHits) overlaps.push(`pod pool ${p} contains ${plural(hits.length, 'node address', 'node addresses')}: ${nameList(hits, 3)}`);
      for (const o of overlaps) details.push({ subject: 'overlap', status: 'fail', summary: o });
      if (overlaps.length) statuses.push('fail');
      evidence.push({ label: 'Pools checked for overlap', value: pools.map((p) => p.text).slice(0, 10).join(', ') + (pools.length > 10 ? ` and ${pools.length - 10} more` : ''), source: `${svc.length ? 'kubeadm-config serviceSubnet, ' : ''}${kubeSvc ? 'Service default/kubernetes, ' : ''}Node InternalIP/ExternalIP` });
    }

    const status = worst(statuses, 'pass');
    const parts: string[] = [];
    const nFail = by.get('fail')?.length ?? 0;
    const nWarn = by.get('warn')?.length ?? 0;
    const nUnknown = by.get('unknown')?.length ?? 0;
    if (nFail) parts.push(`${plural(nFail, 'node')} exhausted or without a pod CIDR (${nameList(by.get('fail')!, 3)})`);
    if (nWarn) parts.push(`${plural(nWarn, 'node')} above ${IPAM_WARN_RATIO * 100} % (${nameList(by.get('warn')!, 3)})`);
    if (nUnknown) parts.push(`${plural(nUnknown, 'node')} unknown`);
    if (leaks) parts.push(`${plural(leaks, 'leaked allocation')}`);
    if (overlaps.length) parts.push(`${plural(overlaps.length, 'overlap')}: ${overlaps[0]}`);
    const slotDetail = details.find((d) => d.subject.startsWith('cluster-pool') && d.status !== 'pass');
    if (slotDetail) parts.push(`${slotDetail.subject}: ${slotDetail.summary}`);
    const summary = parts.length
      ? `${mode} IPAM: ${parts.join('; ')}${notes.length ? ` (${notes.join('; ')})` : ''}`
      : `${mode} IPAM: ${plural(nodesF.value.length, 'node')} have room (${totalCap ? pct(totalUsed, totalCap) : 'capacity not checked'} in use), no overlaps${notes.length ? ` (${notes.join('; ')})` : ''}`;
    let fix = null;
    if (overlaps.length)
      fix = {
        text: 'Pick pod pools that overlap neither node networks nor the service CIDR. The cluster-pool default 10.0.0.0/8 often collides with 10.x VPCs; changing the pool of a running cluster needs new node CIDRs (drain and re-create nodes) or a migration to multi-pool.',
        yaml: mode.startsWith('cluster-pool') ? 'ipam:\n  mode: cluster-pool\n  operator:\n    clusterPoolIPv4PodCIDRList: ["100.64.0.0/14"]   # a range no node or service uses\n    clusterPoolIPv4MaskSize: 24\n' : undefined,
      };
    else if (status === 'fail' || status === 'warn')
      fix = mode.startsWith('cluster-pool')
        ? { text: 'Add a CIDR to the cluster pool (new node CIDRs come from it) or lower the per-node pod count; for a full node, spread pods or raise the mask size for new nodes.', yaml: 'ipam:\n  operator:\n    clusterPoolIPv4PodCIDRList: ["10.0.0.0/16", "10.1.0.0/16"]   # append, never remove\n' }
        : mode === 'kubernetes'
          ? { text: 'Node pod CIDRs come from kube-controller-manager (--cluster-cidr, --node-cidr-mask-size): give nodes larger CIDRs (new nodes) or lower max pods per node; make sure --allocate-node-cidrs is on.', commands: [['kubectl', 'get', 'nodes', '-o', 'custom-columns=NAME:.metadata.name,PODCIDRS:.spec.podCIDRs']] }
          : { text: 'Raise the pool size per node (pre-allocation, more ENIs or a larger instance type) or spread pods.', commands: [['kubectl', 'get', 'ciliumnodes']] };
    return finding(this, status, summary, { evidence, fix, details });
  },
};

