import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { runRecommendCommand } from '../../../src/main/cli/recommend';
import { makeSnapshot, writeSnapshot } from '../../../src/main/core/snapshot/snapshot';
import { RecommendationSchema } from '../../../src/shared/api/report';
import { fakeCluster } from './fixtures';

let dir: string;
let snapNew: string;
let snapOld: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlab-recommend-cli-'));
  const target = { kind: 'cluster' as const, name: 'prod', context: 'prod', server: 'https://10.0.0.1:6443', serverVersion: 'v1.34.4' };
  snapNew = join(dir, 'new.json');
  snapOld = join(dir, 'old.json.gz');
  writeSnapshot(snapNew, makeSnapshot(target, fakeCluster({ cni: 'flannel', kernel: '6.8.0-1015-aws' }), {}));
  writeSnapshot(snapOld, makeSnapshot(target, fakeCluster({ cni: 'flannel', kernel: '4.19.0-25-amd64' }), {}));
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

describe('datapath-lab recommend', () => {
  it('recommends from a snapshot and writes the values file (--json)', async () => {
    const io = capture();
    const values = join(dir, 'out', 'values.yaml');
    expect(await runRecommendCommand(['--snapshot', snapNew, '--egress-by-dns', '--audit', '--json', '--values', values, '--quiet'])).toBe(0);
    const rec = RecommendationSchema.parse(JSON.parse(io.out.join('')));
    expect(rec).toMatchObject({ choice: 'cilium-dns-egress', rule: 'R1', inputs: { nodes: 3, currentCni: 'Flannel 0.26.7', answers: { egressByDns: true, audit: true, multiCloud: false, latencySensitive: false } } });
    expect(parse(readFileSync(values, 'utf8'))).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: '172.18.0.2' });
    expect(io.err.join('\n')).toContain('(cilium-helm-values)');
  });

  it('an old kernel keeps the default CNI and says what is not met (text)', async () => {
    const io = capture();
    expect(await runRecommendCommand(['--snapshot', snapOld, '--latency-sensitive'])).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(/^Recommendation: Keep Flannel 0\.26\.7 with Kubernetes NetworkPolicy/);
    expect(text).toContain('Not met:');
    expect(text).toContain('Flannel does not enforce NetworkPolicy');
  });

  it.each([
    [[], /choose exactly one target/],
    [['--host', '--context', 'x'], /choose exactly one target/],
    [['--snapshot', 'x', '--values', ''], /--values needs a FILE/],
    [['--host', '--fast'], /Unknown option '--fast'/],
  ])('usage error %j exits 2', async (args, message) => {
    const io = capture();
    expect(await runRecommendCommand(args)).toBe(2);
    expect(io.err.join('\n')).toMatch(message);
  });

  it('an unreadable snapshot exits 2', async () => {
    const io = capture();
    expect(await runRecommendCommand(['--snapshot', join(dir, 'nope.json')])).toBe(2);
    expect(io.err.join('\n')).toMatch(/no such file/);
  });

  it('--help lists the questions and the rules', async () => {
    const io = capture();
    expect(await runRecommendCommand(['--help'])).toBe(0);
    const help = io.out.join('\n');
    expect(help).toContain('--egress-by-dns');
    expect(help).toMatch(/R7 {2}otherwise +→ default-cni/);
  });
});
