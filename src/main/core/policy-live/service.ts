import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyAnalysisResult, PolicySource, TraceResultValue } from '../../../shared/api';
import { LabError } from '../../../shared/errors';
import { analyzeObjects, formatIssue, formatTrace, lint, parseText, PeerError, trace, type InputObject, type PolicyAnalysis, type PolicyIssue } from '../policy';
import type { Runner } from '../runner/runner';
import type { SnapshotLibrary } from '../snapshot/library';
import type { TargetRegistry } from '../targets/registry';
import { fetchPolicyObjects, policyObjectsFromSnapshot } from './fetch';

const LIVE_CACHE_MS = 30_000;

/**
 * The Policies page's service: analyze editor documents together with a
 * target's workloads and policies (live or from a snapshot), trace one
 * connection, and diff/apply YAML on a cluster through kubectl.
 */
export function createPolicyService(deps: { targets: TargetRegistry; snapshots: SnapshotLibrary; runner: Runner; workDir: string }) {
  const live = new Map<string, { at: number; objects: InputObject[]; issues: PolicyIssue[] }>();

  async function targetObjects(targetId: string, refresh: boolean): Promise<{ objects: InputObject[]; issues: PolicyIssue[] }> {
    if (targetId.startsWith('snapshot:')) return policyObjectsFromSnapshot(deps.snapshots.get(targetId).raw, targetId.replace(/^snapshot:[a-z]+:/, 'snapshot '));
    if (targetId === 'host') return { objects: [], issues: [] };
    const hit = live.get(targetId);
    if (hit && !refresh && Date.now() - hit.at < LIVE_CACHE_MS) return hit;
    const r = await fetchPolicyObjects(deps.targets.client(targetId));
    live.set(targetId, { at: Date.now(), ...r });
    return r;
  }

  async function build(source: PolicySource, refresh = false): Promise<PolicyAnalysis> {
    const objects: InputObject[] = [];
    const issues: PolicyIssue[] = [];
    if (source.targetId) {
      const t = await targetObjects(source.targetId, refresh);
      objects.push(...t.objects);
      issues.push(...t.issues);
    }
    for (const d of source.documents) {
      const r = parseText(d.content, d.name);
      objects.push(...r.objects);
      issues.push(...r.issues);
    }
    return analyzeObjects(objects, issues);
  }

  return {
    async analyze(source: PolicySource, refresh = false): Promise<PolicyAnalysisResult> {
      const t0 = Date.now();
      const a = await build(source, refresh);
      const conns = a.connections();
      return {
        workloads: a.workloads.map((w) => ({ id: w.id, namespace: w.namespace, name: w.name, kind: w.kind })),
        namespaces: [...a.model.namespaces.keys()].sort(),
        connections: conns.map((c) => ({ src: c.src, dst: c.dst, conn: c.conn.toJSON(), text: c.conn.toText() })),
        issues: a.model.issues.map((i) => ({ severity: i.severity, ...(i.file !== undefined ? { file: i.file } : {}), ...(i.line !== undefined ? { line: i.line } : {}), message: i.message, text: formatIssue(i) })),
        lint: lint(a).map((f) => ({ ...f })),
        policies: a.model.policies.length,
        elapsedMs: Date.now() - t0,
      };
    },

    async trace(p: { source: PolicySource; src: string; dst: string; protocol: 'TCP' | 'UDP' | 'SCTP'; port: number; method?: string; path?: string }): Promise<TraceResultValue> {
      const a = await build(p.source);
      try {
        const r = trace(a, { src: p.src, dst: p.dst, protocol: p.protocol, port: p.port, ...(p.method ? { method: p.method } : {}), ...(p.path ? { path: p.path } : {}) });
        const dir = (d: typeof r.egress) => ({
          direction: d.direction, of: d.of, verdict: d.verdict, reason: d.reason, isolatedBy: d.isolatedBy,
          allowedBy: d.allowedBy.map(({ text, policy, index, file, line, conn }) => ({ text, policy, index, conn, ...(file !== undefined ? { file } : {}), ...(line !== undefined ? { line } : {}) })),
          deniedBy: d.deniedBy.map(({ text, policy, index, file, line, conn }) => ({ text, policy, index, conn, ...(file !== undefined ? { file } : {}), ...(line !== undefined ? { line } : {}) })),
        });
        return { src: r.src, dst: r.dst, protocol: r.protocol, port: r.port, allowed: r.allowed, reason: r.reason, egress: dir(r.egress), ingress: dir(r.ingress), ...(r.l7 ? { l7: r.l7 } : {}), notes: r.notes, text: formatTrace(r) };
      } catch (err) {
        if (err instanceof PeerError) throw new LabError('INVALID_REQUEST', err.message, 'Peers are namespace/name[Kind] (e.g. shop/frontend[Deployment]), an IP address or range, or fqdn:NAME.');
        throw err;
      }
    },

    /** Writes the YAML to a lab-owned file and runs kubectl diff/apply on it, on the target's kubeconfig and context. */
    apply(targetId: string, yaml: string, mode: 'diff' | 'apply') {
      const t = deps.targets.find(targetId);
      if (!t || (t.kind !== 'cluster' && t.kind !== 'kind')) throw new LabError('INVALID_REQUEST', 'policies can only be applied to a cluster target', 'Pick a kubeconfig context on the Clusters page.');
      const dir = join(deps.workDir, 'policy-apply');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `policies-${Date.now()}.yaml`);
      writeFileSync(file, yaml, { mode: 0o600 });
      const args = mode === 'diff' ? ['diff', '-f', file] : ['apply', '-f', file];
      return deps.runner.start({ tool: 'kubectl', args, targetId, kube: deps.targets.kubeTarget(targetId), title: `kubectl ${mode} policies (${t.name})` });
    },

    invalidate(targetId: string) {
      live.delete(targetId);
    },
  };
}
