import type { Finding } from '../../../shared/api/checks-types';
import type { FactKey, FactSet } from '../facts/types';
import { cniDetect } from './cni-detect';
import { dnsCoredns } from './dns-coredns';
import { ipamPool } from './ipam-pool';
import { kernelBtf } from './kernel-btf';
import { kernelConfig } from './kernel-config';
import { kernelVersion } from './kernel-version';
import { kubeproxyStatus } from './kubeproxy-status';
import { finding } from './lib/finding';
import { netMtu } from './net-mtu';
import type { Check, CheckOptions } from './types';

export type { Check, CheckOptions } from './types';

/** Every check, in the order reports list them. A new check is one file and one line here. */
export const CHECKS: readonly Check[] = [kernelVersion, kernelBtf, kernelConfig, netMtu, ipamPool, kubeproxyStatus, dnsCoredns, cniDetect];

export const getCheck = (id: string): Check | undefined => CHECKS.find((c) => c.id === id);

/** The checks with these ids (all when ids is empty or absent); unknown ids throw. */
export function selectChecks(ids?: readonly string[]): Check[] {
  if (!ids || ids.length === 0) return [...CHECKS];
  return ids.map((id) => {
    const c = getCheck(id);
    if (!c) throw new Error(`unknown check ${id}; known: ${CHECKS.map((x) => x.id).join(', ')}`);
    return c;
  });
}

/** The union of the facts the checks need: what the gatherer should collect. */
export function factsNeeded(checks: readonly Check[]): FactKey[] {
  return [...new Set(checks.flatMap((c) => c.needs))];
}

/**
 * Evaluates checks on facts. A check that throws becomes an `unknown` finding naming the
 * error, so one bad check never hides the others.
 */
export function runChecks(facts: FactSet, opts: CheckOptions = {}, checks: readonly Check[] = CHECKS): Finding[] {
  return checks.map((c) => {
    try {
      return c.evaluate(facts, opts);
    } catch (err) {
      return finding(c, 'unknown', `internal error in check ${c.id}: ${err instanceof Error ? err.message : String(err)}`, {});
    }
  });
}
