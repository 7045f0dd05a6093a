import { known, unknown, type Fact, type UnknownReason } from '../../../shared/facts';
import type { FactKey, FactSet, FactValue, NodeFactKey, NodeValue, PerNode } from './types';
import { isNodeFactKey } from './types';

/** Helpers to build FactSets in probes and tests. */

export function setFact<K extends FactKey>(set: FactSet, key: K, fact: Fact<FactValue<K>>): FactSet {
  (set as Record<string, unknown>)[key] = fact;
  return set;
}

/**
 * Adds one node's fact under a node key, creating the per-node map when needed. An outer
 * unknown (e.g. "forbidden: cannot create debug pods") is replaced by a known map only when
 * some node answered.
 */
export function setNodeFact<K extends NodeFactKey>(set: FactSet, key: K, node: string, fact: Fact<NodeValue<K>>, source = 'node probe'): FactSet {
  const cur = set[key] as Fact<PerNode<NodeValue<K>>> | undefined;
  const map: PerNode<NodeValue<K>> = cur?.state === 'known' ? cur.value : {};
  map[node] = fact;
  (set as Record<string, unknown>)[key] = cur?.state === 'known' ? cur : known(map, source);
  return set;
}

/** Marks keys as unknown with one reason (e.g. every node.* key on a cluster target without node access). */
export function markUnknown(set: FactSet, keys: readonly FactKey[], reason: UnknownReason, detail: string, source?: string): FactSet {
  for (const k of keys) if (set[k] === undefined) (set as Record<string, unknown>)[k] = unknown(reason, detail, source);
  return set;
}

/** Merges fact sets; later sets win per key, node maps merge per node. */
export function mergeFactSets(...sets: FactSet[]): FactSet {
  const out: FactSet = {};
  for (const s of sets)
    for (const [k, f] of Object.entries(s) as [FactKey, Fact<unknown>][]) {
      const cur = (out as Record<string, Fact<unknown> | undefined>)[k];
      if (isNodeFactKey(k) && cur?.state === 'known' && f.state === 'known') {
        (out as Record<string, unknown>)[k] = known({ ...(cur.value as object), ...(f.value as object) }, cur.source === f.source ? cur.source : `${cur.source}, ${f.source}`);
      } else (out as Record<string, unknown>)[k] = f;
    }
  return out;
}
