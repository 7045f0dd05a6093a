import type { Evidence, FindingDetail, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type { FactSet, Workload } from '../facts/types';
import { parseImage, versionFromTag } from './lib/cilium';
import { finding, known, plural, unknownFinding, worst } from './lib/finding';
import type { Check } from './types';

const REF = 'https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/; image names as published by each project (quay.io/cilium/cilium, calico/node, kindest/kindnetd, flannel/flannel, amazon-k8s-cni, weaveworks/weave-kube, antrea/antrea-agent-ubuntu, cloudnativelabs/kube-router)';

export interface CniSignature {
  id: string;
  name: string;
  /** A meta plugin (Multus) runs alongside a primary CNI. */
  meta?: boolean;
  /** Matches an agent DaemonSet; returns the image that carries the version. */
  match(w: Workload): string | null;
}

const byImage =
  (test: (repo: string, name: string) => boolean) =>
  (w: Workload): string | null =>
    w.kind !== 'DaemonSet' ? null : ([...w.images, ...w.initImages].find((i) => { const r = parseImage(i); return test(r.repository, r.name); }) ?? null);

/** Order matters: canal before calico and flannel (it runs both). */
export const CNI_SIGNATURES: readonly CniSignature[] = [
  { id: 'canal', name: 'Canal (Calico + Flannel)', match: (w) => (w.kind === 'DaemonSet' && w.name === 'canal' ? (w.images.find((i) => parseImage(i).repository.includes('calico')) ?? w.images[0] ?? null) : null) },
  { id: 'cilium', name: 'Cilium', match: byImage((_r, n) => n === 'cilium') },
  { id: 'calico', name: 'Calico', match: byImage((r, n) => n === 'node' && r.includes('calico')) },
  { id: 'flannel', name: 'Flannel', match: byImage((r, n) => n === 'flannel' || (r.includes('flannel') && !r.includes('cni-plugin'))) },
  { id: 'kindnet', name: 'kindnet (kind)', match: byImage((_r, n) => n === 'kindnetd') },
  { id: 'aws-vpc-cni', name: 'Amazon VPC CNI (aws-node)', match: byImage((_r, n) => n === 'amazon-k8s-cni') },
  { id: 'weave', name: 'Weave Net', match: byImage((_r, n) => n === 'weave-kube') },
  { id: 'antrea', name: 'Antrea', match: byImage((r, n) => r.includes('antrea') && /^antrea-(agent|ubuntu)/.test(n)) },
  { id: 'kube-router', name: 'kube-router', match: byImage((_r, n) => n === 'kube-router') },
  { id: 'azure-cni', name: 'Azure CNI (azure-cns)', match: byImage((_r, n) => n === 'azure-cns') },
  { id: 'ovn-kubernetes', name: 'OVN-Kubernetes', match: (w) => (w.kind === 'DaemonSet' && (w.name === 'ovnkube-node' || w.images.some((i) => parseImage(i).name.startsWith('ovn-kubernetes'))) ? (w.images[0] ?? null) : null) },
  { id: 'gke-dataplane-v2', name: 'GKE Dataplane V2 (anetd)', match: (w) => (w.kind === 'DaemonSet' && w.name === 'anetd' ? (w.images[0] ?? null) : null) },
  { id: 'multus', name: 'Multus (meta plugin)', meta: true, match: byImage((_r, n) => n.startsWith('multus-cni')) },
];

export interface DetectedCni {
  id: string;
  name: string;
  meta: boolean;
  workload: Workload;
  image: string;
  /** semver from the tag, or the raw tag when it is not a version (kindnetd v20250512-df8de77b). */
  version: string | null;
}

export function detectCnis(ws: readonly Workload[]): DetectedCni[] {
  const out: DetectedCni[] = [];
  const seen = new Set<string>();
  for (const w of ws) {
    for (const sig of CNI_SIGNATURES) {
      const image = sig.match(w);
      if (!image) continue;
      const key = `${sig.id}/${w.namespace}/${w.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        const tag = parseImage(image).tag;
        out.push({ id: sig.id, name: sig.name, meta: !!sig.meta, workload: w, image, version: versionFromTag(tag) ?? tag });
      }
      break;
    }
  }
  return out;
}

export const cniDetect: Check = {
  id: 'cni.detect',
  title: 'Which CNI runs, and only one',
  category: 'cni',
  needs: ['k8s.workloads', 'cilium.config', 'k8s.nodes'],
  reference: REF,
  evaluate(facts: FactSet) {
    const ws = known(facts, 'k8s.workloads');
    if (!ws) return unknownFinding(this, facts, ['k8s.workloads'], 'cannot list the DaemonSets that run CNIs');
    const found = detectCnis(ws.value);
    const primary = found.filter((c) => !c.meta);
    const statuses: FindingStatus[] = [];
    const lines: string[] = [];
    const details: FindingDetail[] = [];
    let fix: Fix | null = null;
    const evidence: Evidence[] = found.map((c) => ({
      label: c.name,
      value: `${c.version ?? 'unknown version'} — DaemonSet ${c.workload.namespace}/${c.workload.name} ${c.workload.ready}/${c.workload.desired} ready`,
      source: `image ${c.image}`,
    }));

    const cfg = known(facts, 'cilium.config');
    const chaining = cfg?.value.data['cni-chaining-mode'];
    const chained = chaining !== undefined && chaining !== '' && chaining !== 'none';
    const ids = new Set(primary.map((c) => c.id));
    if (primary.length === 0) {
      const nodes = known(facts, 'k8s.nodes');
      const notReady = nodes ? nodes.value.filter((n) => n.ready !== 'True').length : 0;
      const allDown = nodes !== null && nodes.value.length > 0 && notReady === nodes.value.length;
      statuses.push(allDown ? 'fail' : 'warn');
      lines.push(`no known CNI DaemonSet${allDown ? `, and all ${plural(notReady, 'node')} are NotReady: install a CNI` : ' (an unlisted CNI, or none)'}`);
      fix = { text: 'Install a CNI, e.g. Cilium.', commands: [['cilium', 'install']] };
    } else if (ids.size > 1) {
      const combo = [...ids].sort().join('+');
      const ok = chained && ids.has('cilium') && ids.size === 2;
      if (ok) lines.push(`Cilium chained (cni-chaining-mode: ${chaining}) with ${primary.filter((c) => c.id !== 'cilium').map((c) => c.name).join(', ')}`);
      else {
        statuses.push('fail');
        lines.push(`${ids.size} CNIs run at once (${combo}): they fight over pod routes and /etc/cni/net.d (the first config file wins)`);
        fix = ids.has('kindnet')
          ? { text: 'On kind, create the cluster with the default CNI disabled before installing Cilium.', yaml: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  disableDefaultCNI: true\n' }
          : { text: 'Remove all but one CNI (or configure Cilium chaining explicitly), then restart pods created under the old one.' };
      }
    }
    for (const c of found) {
      const w = c.workload;
      if (w.desired > 0 && w.ready < w.desired) {
        const st: FindingStatus = w.ready === 0 ? 'fail' : 'warn';
        statuses.push(st);
        details.push({ subject: `${w.namespace}/${w.name}`, status: st, summary: `${c.name}: ${w.ready}/${w.desired} pods ready` });
      }
    }
    if (details.length) lines.push(`${plural(details.length, 'CNI DaemonSet')} not fully ready`);
    const status = worst(statuses, 'pass');
    const names = primary.map((c) => `${c.name} ${c.version ?? ''}`.trim()).join(' + ');
    const summary = `${names || 'No CNI detected'}${found.some((c) => c.meta) ? ` (with ${found.filter((c) => c.meta).map((c) => c.name).join(', ')})` : ''}${lines.length ? `: ${lines.join('; ')}` : ''}`;
    return finding(this, status, summary, { evidence, fix: status === 'pass' ? null : fix, details });
  },
};
