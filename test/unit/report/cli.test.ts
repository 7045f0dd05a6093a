import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportFormatFor, runReportCommand } from '../../../src/main/cli/report';
import { ReportDocumentSchema } from '../../../src/shared/api/report';
import { makeSnapshot, writeSnapshot } from '../../../src/main/core/snapshot/snapshot';
import { fixedInput } from './fixture';

let dir: string;
let snap: string;
const POLICIES = join(__dirname, '../../fixtures/policy/broken');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlab-report-cli-'));
  snap = join(dir, 'kind-lab.json.gz');
  writeSnapshot(snap, makeSnapshot({ kind: 'kind', name: 'kind-cilium-nodes', context: 'kind-cilium-nodes', server: 'https://127.0.0.1:39847', serverVersion: 'v1.34.4' }, fixedInput().facts!, {}, { title: 'two nodes, one old kernel' }));
});

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  return { err, out };
}

afterEach(() => vi.restoreAllMocks());

describe('datapath-lab report', () => {
  it('writes an HTML report of a snapshot (format from the extension)', async () => {
    const io = capture();
    const out = join(dir, 'out', 'report.html');
    expect(await runReportCommand(['--snapshot', snap, '-o', out, '--quiet'])).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('two nodes, one old kernel');
    expect(html).toContain('(<code>kind-lab.json.gz</code>)');
    expect(html).not.toContain(dir);
    expect(io.err.join('\n')).toMatch(/wrote .*report\.html \(html\): \d+ failed/);
  });

  it('writes JSON to standard output with -o -', async () => {
    const io = capture();
    expect(await runReportCommand(['--snapshot', snap, '--format', 'json', '-o', '-', '--only', 'kernel.version'])).toBe(0);
    const doc = ReportDocumentSchema.parse(JSON.parse(io.out.join('')));
    expect(doc.findings.map((f) => f.checkId)).toEqual(['kernel.version']);
    expect(doc.versions.kernels.map((k) => k.release)).toEqual(['5.19.6-200.fc36.x86_64', '5.4.0-26-generic']);
  });

  it('adds the lint of a policy folder, with file names relative to it', async () => {
    capture();
    const out = join(dir, 'lint.md');
    expect(await runReportCommand(['--snapshot', snap, '--policies', POLICIES, '-o', out])).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('`deny.yaml:10`');
    expect(md).not.toContain(POLICIES);
  });

  it.each([
    [[], /choose exactly one target/],
    [['--host', '--snapshot', 'x.json', '-o', 'r.md'], /choose exactly one target/],
    [['--host'], /-o FILE is required/],
    [['--host', '-o', 'report.txt'], /cannot tell the format from "report.txt"/],
    [['--host', '-o', 'r.md', '--format', 'pdf'], /--format must be one of md, html, json, not pdf/],
    [['--host', '-o', 'r.md', '--policy-lint'], /--policy-lint needs a cluster or a snapshot/],
    [['--snapshot', 'x.json', '-o', 'r.md', '--policy-lint', '--policies', 'd'], /alternatives/],
    [['--kubeconfig', 'k', '--host', '-o', 'r.md'], /--kubeconfig goes with --context/],
    [['--host', '-o', 'r.md', '--bogus'], /Unknown option '--bogus'/],
  ])('usage error %j exits 2', async (args, message) => {
    const io = capture();
    expect(await runReportCommand(args)).toBe(2);
    expect(io.err.join('\n')).toMatch(message);
  });

  it('a snapshot that cannot be read exits 2 with the reason, and writes nothing', async () => {
    const io = capture();
    const out = join(dir, 'none.md');
    expect(await runReportCommand(['--snapshot', join(dir, 'missing.json'), '-o', out])).toBe(2);
    expect(io.err.join('\n')).toMatch(/cannot read .*missing\.json: no such file/);
    expect(existsSync(out)).toBe(false);
  });

  it('--help exits 0', async () => {
    const io = capture();
    expect(await runReportCommand(['--help'])).toBe(0);
    expect(io.out.join('\n')).toContain('datapath-lab report');
  });

  it('picks the format from -o', () => {
    expect(reportFormatFor(undefined, 'a/b.MD')).toBe('md');
    expect(reportFormatFor(undefined, 'b.htm')).toBe('html');
    expect(reportFormatFor('json', 'b.html')).toBe('json');
  });
});
