import type { RecommendAnswers, RecommendationChoice } from '../../../shared/api/report';
import type { Eligibility } from './eligibility';
import type { RecommendInputs } from './inputs';

/**
 * The decision table. Rows are tried in order; the first whose condition holds decides.
 *
 *   C = Cilium can run: every node's kernel >= 5.10 (or 4.18 on RHEL 8.10), or unknown
 *   K = Calico's eBPF data plane can run: kernel >= 5.3 (or 4.18.0-193 on RHEL 8.2),
 *       x86-64/arm64, not GKE; or unknown
 *   large = >= 100 nodes or >= 3,000 pods (the lab's threshold, see LARGE below)
 *   calico = Calico runs now
 *
 * | rule | condition                                                  | recommendation      |
 * | ---- | ---------------------------------------------------------- | ------------------- |
 * | R1   | egress by DNS name  and C                                  | cilium-dns-egress   |
 * | R2   | audit (flow logs, L7 visibility)  and C                    | cilium-kpr + Hubble |
 * | R3   | multi-cloud or hybrid  and C                               | cilium-kpr + Cluster Mesh, WireGuard |
 * | R4   | (latency-sensitive or large)  and K  and calico            | calico-ebpf (switch the data plane in place) |
 * | R5   | (latency-sensitive or large)  and C                        | cilium-kpr          |
 * | R6   | (latency-sensitive or large or audit or multi-cloud)  and K | calico-ebpf        |
 * | R7   | anything else: no needs on a small cluster, or needs no eBPF data plane can meet here | default-cni + NetworkPolicy |
 *
 * Why: DNS-aware egress (toFQDNs), Hubble flow logs with L7 (HTTP, DNS, Kafka) visibility
 * and Cluster Mesh are open-source Cilium features; Calico's DNS policy and multi-cluster
 * federation are Calico Enterprise/Cloud features, and Calico Open Source flow logs
 * (Goldmane/Whisker, 3.30+) have no L7 detail. Both eBPF data planes replace kube-proxy,
 * which lowers service latency and CPU and scales with many Services. Where a Calico
 * cluster only needs the faster data plane, switching Calico to eBPF is less disruptive
 * than replacing the CNI. An old kernel rules out both eBPF data planes: the default CNI
 * with NetworkPolicy then remains, with the needs it cannot meet listed as unmet.
 */

export const LARGE = { nodes: 100, pods: 3000 } as const;

export interface RuleContext {
  inputs: RecommendInputs;
  answers: RecommendAnswers;
  cilium: Eligibility;
  calico: Eligibility;
  large: boolean;
}

export interface Rule {
  id: string;
  /** The condition as written in the table. */
  when: string;
  choice: RecommendationChoice;
  test(ctx: RuleContext): boolean;
}

const can = (e: Eligibility) => e.verdict !== 'no';
const fast = (ctx: RuleContext) => ctx.answers.latencySensitive || ctx.large;

export const RULES: readonly Rule[] = [
  { id: 'R1', when: 'egress by DNS name and Cilium can run', choice: 'cilium-dns-egress', test: (c) => c.answers.egressByDns && can(c.cilium) },
  { id: 'R2', when: 'audit needs flow logs and L7 visibility and Cilium can run', choice: 'cilium-kpr', test: (c) => c.answers.audit && can(c.cilium) },
  { id: 'R3', when: 'multi-cloud or hybrid and Cilium can run', choice: 'cilium-kpr', test: (c) => c.answers.multiCloud && can(c.cilium) },
  { id: 'R4', when: 'latency-sensitive or large, Calico runs now and its eBPF data plane can run', choice: 'calico-ebpf', test: (c) => fast(c) && can(c.calico) && c.inputs.cni?.id === 'calico' },
  { id: 'R5', when: 'latency-sensitive or large and Cilium can run', choice: 'cilium-kpr', test: (c) => fast(c) && can(c.cilium) },
  { id: 'R6', when: "latency-sensitive, large, audit or multi-cloud, and Calico's eBPF data plane can run", choice: 'calico-ebpf', test: (c) => (fast(c) || c.answers.audit || c.answers.multiCloud) && can(c.calico) },
  { id: 'R7', when: 'otherwise', choice: 'default-cni', test: () => true },
];

export function decide(ctx: RuleContext): Rule {
  return RULES.find((r) => r.test(ctx))!;
}

export function isLarge(inputs: RecommendInputs): boolean {
  return (inputs.nodes ?? 0) >= LARGE.nodes || (inputs.pods ?? 0) >= LARGE.pods;
}
