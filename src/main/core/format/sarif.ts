import { CHECKS } from '../checks';
import type { CheckRun } from './types';

const LEVEL: Record<string, 'error' | 'warning' | 'note' | 'none'> = { fail: 'error', warn: 'warning', unknown: 'note', pass: 'none', 'not-applicable': 'none' };

/**
 * SARIF 2.1.0: one rule per check, one result per finding (kind "pass" for
 * passes and not-applicable, "review" for unknown, "fail" otherwise). Findings
 * are about a cluster, not a file: the location is a logical location naming
 * the target.
 */
export function formatSarif(run: CheckRun, version: string): string {
  const target = `${run.target.kind}/${run.target.name}`;
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'datapath-lab',
            version,
            informationUri: 'https://docs.cilium.io/en/stable/operations/system_requirements/',
            rules: CHECKS.map((c) => ({ id: c.id, name: c.title.replace(/[^A-Za-z0-9]+/g, ''), shortDescription: { text: c.title }, helpUri: c.reference.startsWith('http') ? c.reference : undefined, properties: { category: c.category } })),
          },
        },
        invocations: [{ executionSuccessful: true, startTimeUtc: run.startedAt }],
        results: run.findings.map((f) => ({
          ruleId: f.checkId,
          level: LEVEL[f.status],
          kind: f.status === 'pass' || f.status === 'not-applicable' ? 'pass' : f.status === 'unknown' ? 'review' : 'fail',
          message: { text: [f.summary, ...(f.fix ? [`Fix: ${f.fix.text}`] : [])].join('\n') },
          locations: [{ logicalLocations: [{ fullyQualifiedName: target, kind: 'resource' }] }],
          properties: { status: f.status, evidence: f.evidence, reference: f.reference, ...(f.fix ? { fix: f.fix } : {}) },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
