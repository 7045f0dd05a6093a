import type { ReportDocument } from '../../../shared/api/report';
import { detectCnis } from '../checks/cni-detect';
import { agentVersion, findCiliumAgent } from '../checks/lib/cilium';
import type { FactSet } from '../facts/types';

/** Code-unit order: the same on every machine and locale (golden files depend on it). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** At most this many node names are listed per kernel release. */
export const MAX_NODE_NAMES = 20;

/**
 * Kernel releases and the nodes running each: the node probe's `uname -r`
 * (node.kernel.release) first, else the kubelet's report (Node status.nodeInfo.kernelVersion).
 * Sorted by release, node names sorted.
 */
export function kernelsByRelease(facts: FactSet): { release: string; nodes: string[] }[] {
  const byNode = new Map<string, string>();
  const nodes = facts['k8s.nodes'];
  if (nodes?.state === 'known') for (const n of nodes.value) if (n.info.kernelVersion) byNode.set(n.name, n.info.kernelVersion);
  const probed = facts['node.kernel.release'];
  if (probed?.state === 'known') for (const [node, f] of Object.entries(probed.value)) if (f.state === 'known' && f.value) byNode.set(node, f.value.trim());
  const byRelease = new Map<string, string[]>();
  for (const [node, release] of byNode) {
    const list = byRelease.get(release) ?? [];
    list.push(node);
    byRelease.set(release, list);
  }
  return [...byRelease.entries()]
    .map(([release, ns]) => ({ release, nodes: ns.sort(cmp) }))
    .sort((a, b) => cmp(a.release, b.release));
}

/** The versions a report shows: the lab, Kubernetes, Cilium and other CNIs, kernel releases. */
export function reportVersions(facts: FactSet, serverVersion: string | null, lab: string): ReportDocument['versions'] {
  const k8s = facts['k8s.version'];
  const workloads = facts['k8s.workloads'];
  const ws = workloads?.state === 'known' ? workloads.value : [];
  const cilium = agentVersion(findCiliumAgent(ws));
  const cnis = detectCnis(ws)
    .map((c) => ({ name: c.name, version: c.version, image: c.image }))
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.image, b.image));
  return {
    lab,
    kubernetes: serverVersion ?? (k8s?.state === 'known' ? k8s.value.gitVersion : null),
    cilium: cilium ? { version: cilium.version, image: cilium.image } : null,
    cnis,
    kernels: kernelsByRelease(facts).map((k) => ({ release: k.release, count: k.nodes.length, nodes: k.nodes.slice(0, MAX_NODE_NAMES) })),
  };
}
