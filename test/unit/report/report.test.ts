import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportDocument, renderDocument, renderReport, reportFileName, REPORT_FORMATS, withReportFacts } from '../../../src/main/core/report';
import { ReportDocumentSchema } from '../../../src/shared/api/report';
import { LabError } from '../../../src/shared/errors';
import type { GatherFn } from '../../../src/main/core/checkrun/run';
import { DIR, fixedInput } from './fixture';

/**
 * Golden files: test/fixtures/report/golden.{md,html,json} are rendered from the fixed run in
 * test/fixtures/report/run.json (see the README there). After an intended change to the
 * report, regenerate them with `UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/report`
 * and review the diff.
 */

function golden(name: string, content: string) {
  const file = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, content);
  if (!existsSync(file)) throw new Error(`${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
  expect(content).toBe(readFileSync(file, 'utf8'));
}

const shuffled = <T>(xs: readonly T[]): T[] => [...xs].reverse();

describe('report golden files (fixed run)', () => {
  it.each(REPORT_FORMATS)('%s matches the golden file', (format) => {
    const r = renderReport(fixedInput(), format);
    expect(r.name).toBe(`datapath-lab-report-kind-cilium-nodes-20250602-093112.${format}`);
    golden(`golden.${format}`, r.content);
  });

  it.each(REPORT_FORMATS)('%s is the same whatever order findings, walkthroughs and lint come in', (format) => {
    const a = fixedInput();
    const b = fixedInput();
    b.run = { ...b.run, findings: shuffled(b.run.findings) };
    b.walkthroughs = shuffled(b.walkthroughs ?? []);
    b.policyLint = shuffled(b.policyLint ?? []);
    expect(renderReport(b, format).content).toBe(renderReport(a, format).content);
  });
});

describe('report document', () => {
  it('is valid against the contract, sorted, with versions from the facts', () => {
    const doc = buildReportDocument(fixedInput());
    expect(ReportDocumentSchema.parse(doc)).toEqual(doc);
    expect(doc.findings.map((f) => f.category)).toEqual(['kernel', 'kernel', 'kernel', 'network', 'ipam', 'services', 'dns', 'cni']);
    expect(doc.findings.slice(0, 3).map((f) => f.status)).toEqual(['fail', 'warn', 'unknown']);
    expect(doc.versions).toMatchObject({
      lab: 'datapath-lab 0.1.0',
      kubernetes: 'v1.34.4',
      cilium: { version: '1.18.6', image: 'quay.io/cilium/cilium:v1.18.6' },
      kernels: [
        { release: '5.19.6-200.fc36.x86_64', count: 1, nodes: ['cilium-nodes-control-plane'] },
        { release: '5.4.0-26-generic', count: 1, nodes: ['cilium-nodes-worker'] },
      ],
    });
    expect(doc.summary).toEqual({
      status: 'fail',
      findings: { fail: 2, warn: 3, unknown: 2, pass: 1, 'not-applicable': 0 },
      walkthroughs: { fail: 1, warn: 0, unknown: 0, pass: 1, 'not-applicable': 0 },
      policyLint: { error: 3, warning: 0, info: 1 },
    });
    expect(doc.policyLint.map((l) => l.severity)).toEqual(['error', 'error', 'error', 'info']);
    expect(doc.walkthroughs.map((w) => w.walkthroughId)).toEqual(['dns-default-deny', 'mtu-blackhole']);
  });

  it('accepts no walkthroughs, no lint and no facts, and says so', () => {
    const input = fixedInput();
    const doc = buildReportDocument({ run: input.run, generatedAt: input.generatedAt });
    expect(doc.walkthroughs).toEqual([]);
    expect(doc.policyLint).toEqual([]);
    expect(doc.versions).toEqual({ lab: 'datapath-lab 0.1.0', kubernetes: 'v1.34.4', cilium: null, cnis: [], kernels: [] });
    const md = renderDocument(doc, 'md').content;
    expect(md).toContain('No walkthroughs ran on this target.');
    expect(md).toContain('No policy lint findings');
    expect(md).toContain('Kernel releases: unknown.');
    expect(renderDocument(doc, 'html').content).toContain('No walkthroughs ran on this target.');
  });

  it('names a snapshot by its file name only, never the local path', () => {
    const doc = buildReportDocument({ ...fixedInput(), snapshot: { title: 'MTU pitfall', file: '/home/alice/work/snaps/mtu.json.gz' } });
    expect(doc.snapshot).toEqual({ title: 'MTU pitfall', file: 'mtu.json.gz' });
    expect(renderDocument(doc, 'html').content).not.toContain('/home/alice');
  });

  it('file names come from the target and the generation time', () => {
    expect(reportFileName({ target: { kind: 'cluster', name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod net', context: null, server: null }, generatedAt: '2025-01-02T03:04:05.678Z' }, 'html')).toBe(
      'datapath-lab-report-arn-aws-eks-eu-west-1-123456789012-cluster-prod-net-20250102-030405.html',
    );
  });

  it('withReportFacts asks the gatherer for the versions facts as well', async () => {
    let asked: string[] = [];
    const gather: GatherFn = async (keys) => {
      asked = keys;
      return { facts: {}, raw: {} };
    };
    await withReportFacts(gather)(['cilium.config'], {});
    expect(asked.sort()).toEqual(['cilium.config', 'k8s.nodes', 'k8s.version', 'k8s.workloads', 'node.kernel.release']);
  });
});

describe('HTML report', () => {
  const html = renderReport(fixedInput(), 'html').content;

  it('is self-contained: no scripts, no external resources, a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|@import|url\(|src=|javascript:/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'`);
    // every link goes to a documentation page or an anchor in the report
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^(#[A-Za-z0-9_-]+|https:\/\/)/);
  });

  it('folds evidence into <details> and shows fixes as code', () => {
    expect(html).toContain('<details><summary>Evidence (4)</summary>');
    expect(html).toContain('<pre aria-label="Commands"><code>kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns -o wide</code></pre>');
    expect(html).toMatch(/@media print\{[^]*details::details-content\{content-visibility:visible/);
  });

  it('escapes what it shows', () => {
    expect(html).toContain('the policy &lt;default-deny&gt; | blocks UDP 53');
    expect(html).not.toContain('<default-deny>');
  });
});

describe('Markdown report', () => {
  it('escapes Markdown and HTML in data', () => {
    const md = renderReport(fixedInput(), 'md').content;
    expect(md).toContain('the policy \\<default-deny\\> \\| blocks UDP 53 to kube-dns \\*before\\* any allow rule');
  });

  it('keeps tables whole when a value has pipes or backticks', () => {
    const input = fixedInput();
    input.run = { ...input.run, findings: [{ ...input.run.findings[0]!, evidence: [{ label: 'a|b', value: '`x` | y', source: 'c' }] }] };
    const md = renderReport(input, 'md').content;
    expect(md).toContain('| a\\|b | \\`x\\` \\| y | c |');
  });
});

describe('the final guard', () => {
  it('refuses a document that still holds a secret', () => {
    const doc = buildReportDocument(fixedInput());
    const leaky = { ...doc, findings: [{ ...doc.findings[0]!, summary: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----' }] };
    for (const f of REPORT_FORMATS) {
      let err: unknown;
      try {
        renderDocument(leaky, f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).message).toMatch(/refusing to produce the .* report: it would contain a PEM block/);
    }
  });
});
