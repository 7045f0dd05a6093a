import type { Evidence, Finding, FindingStatus, Fix, FindingDetail } from '../../../../shared/api/checks-types';
import type { Fact } from '../../../../shared/facts';
import type { FactKey, FactSet, FactValue, NodeFactKey, NodeValue, PerNode } from '../../facts/types';
import type { Check } from '../types';

/** Per-item details are bounded: a finding about 5,000 nodes lists at most this many. */
export const MAX_DETAILS = 50;

const RANK: Record<FindingStatus, number> = { 'not-applicable': 0, pass: 1, unknown: 2, warn: 3, fail: 4 };

/** The most severe status: fail > warn > unknown > pass > not-applicable. */
export function worst(statuses: Iterable<FindingStatus>, empty: FindingStatus = 'pass'): FindingStatus {
  let w: FindingStatus | null = null;
  for (const s of statuses) if (w === null || RANK[s] > RANK[w]) w = s;
  return w ?? empty;
}

/** Keeps the most severe details first and at most MAX_DETAILS of them, the last one counting the rest. */
export function boundDetails(items: FindingDetail[], max = MAX_DETAILS): FindingDetail[] {
  const sorted = [...items].sort((a, b) => RANK[b.status] - RANK[a.status]);
  if (sorted.length <= max) return sorted;
  const rest = sorted.slice(max - 1);
  return [...sorted.slice(0, max - 1), { subject: `${rest.length} more`, status: worst(rest.map((r) => r.status)), summary: `and ${rest.length} more items like the above` }];
}

export interface FindingParts {
  evidence?: Evidence[];
  fix?: Fix | null;
  details?: FindingDetail[];
  reference?: string;
}

export function finding(check: Pick<Check, 'id' | 'title' | 'category' | 'reference'>, status: FindingStatus, summary: string, parts: FindingParts = {}): Finding {
  const f: Finding = {
    checkId: check.id,
    title: check.title,
    category: check.category,
    status,
    summary,
    evidence: parts.evidence ?? [],
    fix: parts.fix ?? null,
    reference: parts.reference ?? check.reference,
  };
  if (parts.details && parts.details.length > 0) f.details = boundDetails(parts.details);
  return f;
}

// ---------------------------------------------------------------------------------------
// Reading facts

export function known<K extends FactKey>(facts: FactSet, key: K): { value: FactValue<K>; source: string } | null {
  const f = facts[key] as Fact<FactValue<K>> | undefined;
  return f?.state === 'known' ? { value: f.value, source: f.source } : null;
}

/** Why a fact is not known, e.g. "k8s.nodes: forbidden: cannot list nodes (needs list on nodes)". */
export function whyUnknown(key: string, fact: Fact<unknown> | undefined): string {
  if (fact === undefined) return `${key}: not gathered`;
  if (fact.state === 'known') return `${key}: known`;
  return `${key}: ${fact.reason}: ${fact.detail}`;
}

/** An `unknown` finding that names every missing fact and why it is missing. */
export function unknownFinding(check: Pick<Check, 'id' | 'title' | 'category' | 'reference'>, facts: FactSet, keys: readonly FactKey[], what = 'cannot decide'): Finding {
  const reasons = keys.filter((k) => facts[k]?.state !== 'known').map((k) => whyUnknown(k, facts[k]));
  return finding(check, 'unknown', `${what}: ${reasons.join('; ') || 'no facts'}`, {
    evidence: reasons.map((r) => {
      const key = r.slice(0, r.indexOf(':'));
      const f = facts[key as FactKey];
      return { label: key, value: r.slice(key.length + 2), source: f?.state === 'unknown' ? (f.source ?? 'probe') : 'fact gatherer' };
    }),
  });
}

/** One node's fact for a node key: undefined when the key or the node is missing. */
export function nodeFact<K extends NodeFactKey>(facts: FactSet, key: K, node: string): Fact<NodeValue<K>> | undefined {
  const outer = facts[key] as Fact<PerNode<NodeValue<K>>> | undefined;
  if (outer?.state !== 'known') return outer as Fact<NodeValue<K>> | undefined;
  return outer.value[node];
}

/**
 * The nodes a check should cover: the Kubernetes Node list when known, else every node
 * that appears in one of the given node facts (a host or kind target without API access).
 */
export function nodeNames(facts: FactSet, nodeKeys: readonly NodeFactKey[]): string[] {
  const nodes = facts['k8s.nodes'];
  if (nodes?.state === 'known') return nodes.value.map((n) => n.name);
  const names = new Set<string>();
  for (const k of nodeKeys) {
    const f = facts[k];
    if (f?.state === 'known') for (const n of Object.keys(f.value)) names.add(n);
  }
  return [...names].sort();
}

/** "a, b, c and 12 more" */
export function nameList(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
