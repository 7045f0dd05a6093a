import { analyzeObjects, diffConnectivity, lint, type Connection, type InputObject, type LintFinding, type PolicyAnalysis, type PolicyIssue } from '../policy';
import { ruleLabel } from '../policy/model';

/**
 * What the pitfalls read from the policy analyzer: lint findings (overlaps, redundancy, egress
 * default-deny without DNS), the connections each policy takes away (its implicit denies), and
 * Cilium L7 rules. Computed once per run and kept in the run's memo.
 */

export interface PolicyInput {
  objects: InputObject[];
  issues: PolicyIssue[];
}

const POLICY_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** At most this many policies are attributed their implicit denies (one analysis each). */
export const MAX_ATTRIBUTED_POLICIES = 25;
/** Lost connections listed per policy, and in all. */
const MAX_LOST_PER_POLICY = 6;
const MAX_LOST = 30;

type Obj = Record<string, unknown>;
const meta = (o: unknown): { kind: string; namespace: string; name: string } => {
  const x = (o ?? {}) as Obj;
  const m = ((x.metadata ?? {}) as Obj) || {};
  return { kind: String(x.kind ?? ''), namespace: String(m.namespace ?? ''), name: String(m.name ?? '') };
};

export const policyName = (o: unknown): string => {
  const m = meta(o);
  return `${m.kind} ${m.kind === 'CiliumClusterwideNetworkPolicy' ? '' : `${m.namespace || 'default'}/`}${m.name}`;
};

export class PolicyFacts {
  private analysisCache: PolicyAnalysis | null = null;
  private lintCache: LintFinding[] | null = null;
  private implicitCache: { lines: string[]; policies: number } | null = null;

  constructor(readonly input: PolicyInput) {}

  /** The policy objects (NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), in input order. */
  get policies(): InputObject[] {
    return this.input.objects.filter((o) => POLICY_KINDS.has(meta(o.obj).kind));
  }

  get analysis(): PolicyAnalysis {
    return (this.analysisCache ??= analyzeObjects(this.input.objects, this.input.issues));
  }

  get lint(): LintFinding[] {
    return (this.lintCache ??= lint(this.analysis));
  }

  lintOf(ids: readonly string[]): LintFinding[] {
    return this.lint.filter((f) => ids.includes(f.id) && !/ more .* finding\(s\) not shown$/.test(f.message));
  }

  /** Namespaces whose default-deny egress blocks DNS (lint egress-without-dns, UDP 53 missing). */
  dnsBlockedNamespaces(): string[] {
    const out = new Set<string>();
    for (const f of this.lintOf(['egress-without-dns'])) {
      if (f.severity !== 'warning') continue; // TCP-only gaps are info
      const m = f.message.match(/ in namespace (\S+) /);
      if (m) out.add(m[1]!);
    }
    return [...out].sort();
  }

  /**
   * The connections each policy takes away: for policy P, allowed(all policies but P) minus
   * allowed(all policies). Kubernetes policies have no deny rules: everything they deny they deny
   * implicitly, by isolating the pods they select.
   */
  implicitDenies(): { lines: string[]; policies: number } | { tooMany: number } {
    if (this.implicitCache) return this.implicitCache;
    const pols = this.policies;
    if (pols.length > MAX_ATTRIBUTED_POLICIES) return { tooMany: pols.length };
    const all = this.analysis.connections();
    const lines: string[] = [];
    let withLoss = 0;
    for (const p of pols) {
      const without = analyzeObjects(
        this.input.objects.filter((o) => o !== p),
        this.input.issues,
      ).connections();
      const lost = diffConnectivity(without, all).lost;
      if (lost.length === 0) continue;
      withLoss++;
      const shown = lost.slice(0, MAX_LOST_PER_POLICY).map((c) => `${c.src} → ${c.dst} ${c.lost.toText()}`);
      lines.push(`${policyName(p.obj)} denies ${lost.length} connection(s) that would be allowed without it: ${shown.join('; ')}${lost.length > shown.length ? `; and ${lost.length - shown.length} more` : ''}`);
      if (lines.length >= MAX_LOST) break;
    }
    return (this.implicitCache = { lines, policies: withLoss });
  }

  /** Connections of the current policies (for evidence). */
  connections(): Connection[] {
    return this.analysis.connections();
  }

  /** Cilium rules with L7 HTTP or Kafka parts (DNS rules are the DNS proxy's, not Envoy's), with their namespace. */
  ciliumL7(): { text: string; namespace: string | null }[] {
    const out: { text: string; namespace: string | null }[] = [];
    for (const u of this.analysis.model.policies) {
      if (u.kind === 'NetworkPolicy') continue;
      for (const r of u.rules) {
        const parts: string[] = [];
        for (const g of r.groups) {
          for (const h of g.l7?.http ?? []) parts.push(`HTTP ${[h.method, h.path, h.host].filter(Boolean).join(' ') || '(any request)'}`);
          if (g.l7?.other) parts.push(g.l7.other);
        }
        if (parts.length) out.push({ text: `${ruleLabel(r)}: ${[...new Set(parts)].join(', ')}`, namespace: u.namespace ?? null });
      }
    }
    return out;
  }
}
