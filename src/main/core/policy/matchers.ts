// Pod matchers with canonical keys, and the connections a rule's ports allow
// toward one destination (named ports resolve per destination pod).
import { ConnSet, PROTOCOLS, type Protocol } from './connset';
import type { ContainerPort, Entity, NormRule, PeerSpec, PodMatcher, PortGroup, Selector } from './model';
import { IpSet } from './ipset';
import { isK8sSource, matchesSelector } from './model';

export const NS_LABEL = 'kubernetes.io/metadata.name';
/** Cilium's namespace identity label (k8s:io.kubernetes.pod.namespace). */
export const CILIUM_NS_LABEL = 'io.kubernetes.pod.namespace';
export const CILIUM_NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const CILIUM_SA_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CILIUM_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

export const ALL_PODS: PodMatcher = { key: '*', text: 'all pods', test: () => true };
export const NO_PODS: PodMatcher = { key: '-', text: 'no pods', test: () => false };

/**
 * Kubernetes NetworkPolicyPeer pod part: podSelector and/or namespaceSelector.
 * podSelector alone = pods in the policy's namespace; namespaceSelector alone =
 * every pod in matching namespaces; both = matching pods in matching namespaces
 * (kubernetes.io/docs/concepts/services-networking/network-policies, "Behavior of to and from selectors").
 */
export function k8sPeerMatcher(policyNs: string, podSel: Selector | undefined, nsSel: Selector | undefined): PodMatcher {
  const podText = podSel ? podSel.text : '{}';
  if (nsSel === undefined) {
    const sel = podSel;
    return {
      key: `k8s|ns=${policyNs}|pod=${podText}`,
      text: `pods ${podText} in namespace ${policyNs}`,
      ns: policyNs,
      test: (p) => p.namespace === policyNs && (sel === undefined || matchesSelector(sel, p.labels)),
    };
  }
  return {
    key: `k8s|nssel=${nsSel.text}|pod=${podText}`,
    text: `pods ${podText} in namespaces ${nsSel.text}`,
    test: (p) => matchesSelector(nsSel, p.nsLabels) && (podSel === undefined || matchesSelector(podSel, p.labels)),
  };
}

/** Kubernetes spec.podSelector: pods of the policy's namespace. */
export function k8sSubjectMatcher(policyNs: string, podSel: Selector): PodMatcher {
  return {
    key: `k8s|ns=${policyNs}|pod=${podSel.text}`,
    text: `pods ${podSel.text} in namespace ${policyNs}`,
    ns: policyNs,
    test: (p) => p.namespace === policyNs && matchesSelector(podSel, p.labels),
  };
}

function hasNamespaceKey(sel: Selector): boolean {
  return sel.reqs.some((r) => r.key === CILIUM_NS_LABEL && isK8sSource(r.source));
}

export function hasReservedKey(sel: Selector): boolean {
  return sel.reqs.some((r) => r.source === 'reserved');
}

/**
 * A Cilium EndpointSelector over pod identity labels. In a CiliumNetworkPolicy
 * (policyNs set) a selector without the namespace label is limited to the
 * policy's namespace; in a clusterwide policy it matches pods of every namespace
 * (docs.cilium.io "Using Kubernetes Constructs in Policy", Namespaces; Cilium
 * adds k8s:io.kubernetes.pod.namespace=<ns>, or Exists for clusterwide policies).
 * Selectors on reserved: labels are entities and are not scoped.
 */
export function ciliumEndpointMatcher(sel: Selector, policyNs: string | undefined, forceScope = false): PodMatcher {
  if (hasReservedKey(sel)) {
    return { key: `cil|${sel.text}`, text: `endpoints ${sel.text}`, test: (p) => matchesSelector(sel, p.identity) };
  }
  const scoped = policyNs !== undefined && (forceScope || !hasNamespaceKey(sel));
  if (scoped) {
    return {
      key: `cil|ns=${policyNs}|${sel.text}`,
      text: `endpoints ${sel.text} in namespace ${policyNs}`,
      ns: policyNs,
      test: (p) => p.namespace === policyNs && matchesSelector(sel, p.identity),
    };
  }
  return { key: `cil|${sel.text}`, text: `endpoints ${sel.text}`, test: (p) => matchesSelector(sel, p.identity) };
}

/** Entities a reserved-label selector matches (an identity of entity e has the one label reserved:e). */
export function entitiesOfSelector(sel: Selector, entities: readonly Entity[]): Entity[] {
  if (!hasReservedKey(sel)) return [];
  return entities.filter((e) => matchesSelector(sel, { [e]: '' }, (s) => s === 'reserved'));
}

export function emptyPeer(text: string): PeerSpec {
  return { any: false, pods: [], ips: IpSet.EMPTY, blocks: [], entities: [], fqdns: [], text };
}

export function anyPeer(text: string): PeerSpec {
  return { any: true, pods: [ALL_PODS], ips: IpSet.ALL, blocks: [], entities: [], fqdns: [], text };
}

/** The connections of port groups toward a destination with the given container ports (undefined: not a pod). */
export function groupsConn(groups: readonly PortGroup[], dstPorts: readonly ContainerPort[] | undefined): ConnSet {
  let out = ConnSet.EMPTY;
  for (const g of groups) {
    if (g.ports === 'all') return ConnSet.ALL;
    for (const item of g.ports) {
      for (const proto of item.protocols) {
        if (item.named !== undefined) {
          // A named port resolves against the destination pod's container ports, on the same protocol.
          for (const cp of dstPorts ?? []) {
            if (cp.name === item.named && cp.protocol === proto) out = out.union(ConnSet.ports(proto, cp.port));
          }
        } else if (item.start === undefined) out = out.union(ConnSet.protocol(proto));
        else out = out.union(ConnSet.ports(proto, item.start, item.end ?? item.start));
      }
    }
  }
  return out;
}

export function hasNamedPort(groups: readonly PortGroup[]): boolean {
  return groups.some((g) => g.ports !== 'all' && g.ports.some((i) => i.named !== undefined));
}

/** Sets rule.fixedConn when the rule's connections do not depend on the destination. */
export function finishRule(rule: NormRule): NormRule {
  if (!hasNamedPort(rule.groups)) rule.fixedConn = groupsConn(rule.groups, undefined);
  return rule;
}

/** Does a port group list allow `protocol`/`port` toward a destination? Returns the matching groups. */
export function groupsMatching(groups: readonly PortGroup[], protocol: Protocol, port: number, dstPorts: readonly ContainerPort[] | undefined): PortGroup[] {
  return groups.filter((g) => groupsConn([g], dstPorts).contains(protocol, port));
}

export { PROTOCOLS };
