// The policy analyzer: who can reach whom on which ports, which rule decides,
// and what a change would break.
//
//   const { objects, issues } = await loadDir('policies/');
//   const analysis = analyzeObjects(objects, issues);
//   connlistJSON(analysis.connections());
//   trace(analysis, { src: 'default/web[Deployment]', dst: 'default/db[StatefulSet]', protocol: 'TCP', port: 5432 });
//   lint(analysis);
//   diffConnectivity(before.connections(), after.connections());
import type { ConnJSON } from './connset';
import { PolicyAnalysis, type Connection } from './engine';
import { loadDir } from './load';
import type { PolicyIssue } from './model';
import { buildModel, type InputObject } from './objects';

export { ConnSet, PROTOCOLS, type ConnJSON, type Protocol } from './connset';
export { PolicyAnalysis, type Connection, type PodClass, type FqdnPeer } from './engine';
export { loadDir, parseText, type LoadResult } from './load';
export { buildModel, type InputObject } from './objects';
export { trace, formatTrace, resolvePeer, PeerError, type TraceRequest, type TraceResult, type DirectionTrace, type RuleRef } from './trace';
export { lint, formatFinding, type LintFinding, type LintOptions } from './lint';
export { diffConnectivity, type ConnChange, type ConnDiff } from './diff';
export { formatIssue, type PolicyIssue, type PolicyModel, type Workload, type PolicyUnit, type NormRule } from './model';

/**
 * Analyzes already-parsed Kubernetes objects (from files, a live cluster or a
 * snapshot). `issues` are problems found while reading them (e.g. YAML syntax
 * errors), kept with the model's own.
 */
export function analyzeObjects(objects: readonly InputObject[], issues: readonly PolicyIssue[] = []): PolicyAnalysis {
  const model = buildModel(objects);
  model.issues.unshift(...issues);
  return new PolicyAnalysis(model);
}

/** Reads a folder and analyzes it. */
export async function analyzeDir(dir: string): Promise<PolicyAnalysis> {
  const { objects, issues } = await loadDir(dir);
  return analyzeObjects(objects, issues);
}

export interface ConnlistJSON {
  connections: Array<{ src: string; dst: string; conn: ConnJSON }>;
}

export function connlistJSON(conns: readonly Connection[]): ConnlistJSON {
  return { connections: conns.map((c) => ({ src: c.src, dst: c.dst, conn: c.conn.toJSON() })) };
}

/** One line per connection: `src => dst : conn`. */
export function connlistText(conns: readonly Connection[]): string {
  return conns.map((c) => `${c.src} => ${c.dst} : ${c.conn.toText()}`).join('\n');
}
