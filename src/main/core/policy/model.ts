// The policy model: namespaces, workloads (pod variants), and policies of both
// kinds normalized into one rule shape the analyzer evaluates.
import type { ConnSet, Protocol } from './connset';
import type { IpSet } from './ipset';

export type Labels = Readonly<Record<string, string>>;

/** Where a thing was written: file and 1-based line, when known. */
export interface SourceRef {
  file?: string;
  line?: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem in the input, e.g. `policies/deny.yaml:12: NetworkPolicy default/x: spec.podSelector... is not ...`. */
export interface PolicyIssue extends SourceRef {
  severity: Severity;
  /** e.g. `NetworkPolicy default/x` */
  object?: string;
  /** e.g. `spec.podSelector.matchExpressions[0].operator` */
  path?: string;
  message: string;
}

export function formatIssue(i: PolicyIssue): string {
  const where = i.file !== undefined ? `${i.file}${i.line !== undefined ? `:${i.line}` : ''}: ` : '';
  const obj = i.object !== undefined ? `${i.object}: ` : '';
  const path = i.path !== undefined && i.path !== '' ? `${i.path} ` : '';
  return `${where}${obj}${path}${i.message}`;
}

export interface Namespace {
  name: string;
  labels: Labels;
  /** false when only referenced (by a pod or a policy), not defined. */
  defined: boolean;
  ref?: SourceRef;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** One distinct pod shape of a workload: what policies can see of its pods. */
export interface PodVariant {
  labels: Labels;
  ports: readonly ContainerPort[];
  serviceAccount: string;
  ips: readonly string[];
}

export type WorkloadKind = string;

export interface Workload {
  /** `namespace/name[Kind]` */
  id: string;
  namespace: string;
  name: string;
  kind: WorkloadKind;
  variants: PodVariant[];
  /** How many Pod objects collapsed into it (0 when only a template is known). */
  podCount: number;
  ref?: SourceRef;
}

// ---- label selectors ---------------------------------------------------------------

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  /** Label key without a Cilium source prefix. */
  key: string;
  /** Cilium label source: `any` matches k8s labels too; `reserved` matches entities only. */
  source: string;
  op: Operator;
  values: readonly string[];
}

export interface Selector {
  reqs: readonly Requirement[];
  /** Canonical text, usable as a cache key and in messages. */
  text: string;
}

export function matchesSelector(sel: Selector, labels: Labels, sourceOf: (source: string) => boolean = isK8sSource): boolean {
  for (const r of sel.reqs) {
    const has = sourceOf(r.source) && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'In':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'NotIn':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'Exists':
        if (v === undefined) return false;
        break;
      case 'DoesNotExist':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

export function isK8sSource(source: string): boolean {
  return source === 'any' || source === 'k8s';
}

export function selectorText(reqs: readonly Requirement[]): string {
  if (reqs.length === 0) return '{}';
  return reqs
    .map((r) => {
      const k = r.source === 'any' ? r.key : `${r.source}:${r.key}`;
      switch (r.op) {
        case 'In':
          return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${k} notin (${r.values.join(',')})`;
        case 'Exists':
          return k;
        case 'DoesNotExist':
          return `!${k}`;
      }
      return k;
    })
    .join(',');
}

export function makeSelector(reqs: Requirement[]): Selector {
  const sorted = [...reqs].sort((a, b) =>
    a.source + a.key < b.source + b.key ? -1 : a.source + a.key > b.source + b.key ? 1 : a.op < b.op ? -1 : a.op > b.op ? 1 : 0,
  );
  return { reqs: sorted, text: selectorText(sorted) };
}

// ---- pods as policies see them -----------------------------------------------------------

/** What a pod selector is evaluated against: one equivalence class of pods. */
export interface PodView {
  namespace: string;
  labels: Labels;
  nsLabels: Labels;
  /** Cilium identity labels (k8s source): pod labels + io.kubernetes.pod.namespace + namespace labels + service account. */
  identity: Labels;
}

/** A predicate over pods with a canonical key, so equal predicates are evaluated once. */
export interface PodMatcher {
  key: string;
  text: string;
  /** When set, only pods of this namespace can match (lets the analyzer skip the others). */
  ns?: string;
  test(p: PodView): boolean;
}

// ---- normalized policies -------------------------------------------------------------

export type PolicyKind = 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
export type Direction = 'ingress' | 'egress';
export type RuleList = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';

/** Cilium entities (docs.cilium.io, Layer 3 policies, "Entities based"). */
export const ENTITIES = [
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'host',
  'remote-node',
  'kube-apiserver',
  'init',
  'health',
  'unmanaged',
  'ingress',
  'all',
] as const;
export type Entity = (typeof ENTITIES)[number];

export interface FqdnSelector {
  matchName?: string;
  matchPattern?: string;
}

/** The remote side of a rule. A peer matches when any part matches. */
export interface PeerSpec {
  /** Every peer: pods, external addresses, FQDNs (Kubernetes: from/to absent or empty; Cilium: a rule without L3 fields). */
  any: boolean;
  pods: PodMatcher[];
  /** External addresses (ipBlock, fromCIDR/toCIDR(Set), world). In-cluster pods are never matched by IP. */
  ips: IpSet;
  /** Each ipBlock / CIDR entry on its own: the external ranges are cut at each block's boundaries. */
  blocks: IpSet[];
  /** Entities named (for messages); their modelled peers are already in pods/ips. */
  entities: Entity[];
  fqdns: FqdnSelector[];
  /** What the rule's L3 part says, for messages. */
  text: string;
}

export interface HttpRule {
  method?: string;
  path?: string;
  host?: string;
  headers?: string[];
}

export interface L7Spec {
  http?: HttpRule[];
  dns?: FqdnSelector[];
  /** Other L7 protocols (kafka, l7proto) are kept by name only. */
  other?: string;
}

/** One port item: a numeric range, all ports, or a named port resolved per destination pod. */
export interface PortItem {
  protocols: readonly Protocol[];
  /** undefined with no name = every port */
  start?: number;
  end?: number;
  named?: string;
}

export interface PortGroup {
  /** 'all' = every protocol and port */
  ports: 'all' | PortItem[];
  l7?: L7Spec;
}

export interface PolicyUnit {
  /** e.g. `NetworkPolicy default/web` or `CiliumNetworkPolicy default/web specs[1]` */
  id: string;
  kind: PolicyKind;
  namespace?: string;
  name: string;
  /** `specs[1]` for one of a Cilium policy's specs. */
  section?: string;
  ref: SourceRef;
  /** Which pods the policy applies to. */
  subject: PodMatcher;
  /** Directions the selected pods become isolated (default-deny) in. */
  isolates: Record<Direction, boolean>;
  rules: NormRule[];
}

export interface NormRule {
  unit: PolicyUnit;
  direction: Direction;
  action: 'allow' | 'deny';
  list: RuleList;
  /** 1-based position in its list. */
  index: number;
  peer: PeerSpec;
  groups: PortGroup[];
  line?: number;
  /** Set when no group has a named port: the connections do not depend on the destination pod. */
  fixedConn?: ConnSet;
}

export function ruleLabel(r: NormRule): string {
  return `${r.unit.id} ${r.list} rule ${r.index}`;
}

export interface Service {
  namespace: string;
  name: string;
  labels: Labels;
  selector?: Labels;
}

export interface PolicyModel {
  namespaces: Map<string, Namespace>;
  workloads: Workload[];
  policies: PolicyUnit[];
  services: Service[];
  issues: PolicyIssue[];
  /** Documents of kinds the analyzer does not use, by kind. */
  ignored: Record<string, number>;
  /** Number of documents read. */
  documents: number;
}
