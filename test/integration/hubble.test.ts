// The Hubble CLI for real: hubble v1.18.6 built from Cilium's own Go module by
// scripts/testcluster/build.sh. The lab's composed `hubble observe` arguments are accepted by
// the real flag parser, the real CLI's JSON output is what the lab parses, and the CLI talks
// to the target's cluster — not to the kubeconfig's current-context.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { binaries } from '../../scripts/testcluster/index';
import { hubbleObserveCommand, parseHubbleFlows, toolErrorFix } from '../../src/main/core/dataplane';
import { contextTargetId } from '../../src/main/core/targets/registry';
import { outputFromTranscript } from '../../src/main/core/walkthrough/verify';
import { testCluster } from '../helpers/testcluster';
import { testService } from '../helpers/service';

const FIXTURES = join(__dirname, '..', 'fixtures', 'dataplane', 'hubble');
// Real flows published by others (see SOURCES.md), in the envelope `hubble observe -o json` prints.
const REAL = ['hubble-otel-10-flows.jsonl', 'hubble-otel-5-http-flows.jsonl', 'hubble-otel-5-dns-flows.jsonl', 'hubble-otel-icmpv4-flows.jsonl', 'docs-exporter-fieldmask.jsonl'];
const ctx = { clientId: 't', transport: 'test' as const };
const work = mkdtempSync(join(tmpdir(), 'dlab-hubble-'));
let service: ReturnType<typeof testService>;
let kubeconfig: string;
let flowsFile: string;
const inputFlows = REAL.flatMap((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n').filter(Boolean));

async function run(args: string[]) {
  const env = await service.dispatch('terminal.run', { tool: 'hubble', args, targetId: contextTargetId('kind-lab') }, ctx);
  if (!env.ok) throw new Error(JSON.stringify(env));
  const info = await service.runner.wait((env.result as { sessionId: string }).sessionId);
  // The output as the walkthrough reads it: the transcript without the lab's own header lines.
  return { info, output: outputFromTranscript(service.runner.transcript(info.sessionId).text) };
}

beforeAll(() => {
  const c = testCluster('kind-cilium');
  expect(existsSync(binaries().hubble), `hubble is built by scripts/testcluster/build.sh into ${binaries().hubble}`).toBe(true);
  // A kubeconfig whose current-context is a decoy (nothing listens on port 1): only an explicit
  // --kube-context reaches the test cluster.
  const doc = parse(readFileSync(c.kubeconfig, 'utf8')) as { clusters: { name: string; cluster: Record<string, unknown> }[]; contexts: { name: string; context: Record<string, unknown> }[]; 'current-context': string };
  doc.clusters.push({ name: 'decoy', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } });
  doc.contexts.push({ name: 'decoy', context: { cluster: 'decoy', user: doc.contexts[0]!.context.user } });
  doc['current-context'] = 'decoy';
  kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, stringify(doc));
  flowsFile = join(work, 'flows.jsonl');
  writeFileSync(flowsFile, `${inputFlows.join('\n')}\n`);
  service = testService({ env: { ...process.env, KUBECONFIG: kubeconfig } });
  service.settings.update({ toolPaths: { hubble: binaries().hubble } });
});

afterAll(async () => {
  await service?.dispose();
});

describe('hubble observe, the real CLI', () => {
  it('its JSON output of 40 real flows parses into the same 40 flows', async () => {
    const cmd = hubbleObserveCommand({ last: 100 });
    const { info, output } = await run([...cmd.args, '--input-file', flowsFile]);
    expect(info.exitCode).toBe(0);
    // The lab adds the target explicitly, in hubble's own spelling.
    expect(info.argv).toEqual(['hubble', 'observe', '-o', 'json', '--last', '100', '--input-file', flowsFile, `--kubeconfig=${kubeconfig}`, '--kube-context=kind-lab']);
    const r = parseHubbleFlows(output);
    expect(r.problems).toEqual([]);
    expect(r.flows).toHaveLength(inputFlows.length);
    expect(r.counts.byVerdict).toEqual({ FORWARDED: 38, DROPPED: 2 });
    const drop = r.flows.find((f) => f.dropReason === 'POLICY_DENIED');
    expect(drop).toMatchObject({ verdict: 'DROPPED', source: expect.objectContaining({ namespace: 'default' }) });
    expect(r.flows.some((f) => f.l7?.type === 'dns' || f.flowType === 'L7')).toBe(true);
  });

  it('the lab’s filters are the real CLI’s: --verdict and --namespace select what they should', async () => {
    const dropped = await run([...hubbleObserveCommand({ verdict: 'DROPPED' }).args, '--input-file', flowsFile]);
    expect(parseHubbleFlows(dropped.output).flows.map((f) => f.verdict)).toEqual(['DROPPED', 'DROPPED']);
    const bookinfo = await run([...hubbleObserveCommand({ namespace: 'bookinfo' }).args, '--input-file', flowsFile]);
    const flows = parseHubbleFlows(bookinfo.output).flows;
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.every((f) => f.source.namespace === 'bookinfo' || f.destination.namespace === 'bookinfo')).toBe(true);
  });

  it('--port-forward reaches the target’s cluster (not the decoy current-context) and a missing relay gets a fix', async () => {
    const cmd = hubbleObserveCommand({ namespace: 'kube-system', verdict: 'DROPPED', last: 20, portForward: true });
    const { info, output } = await run(cmd.args);
    expect(info.exitCode).not.toBe(0);
    // hubble asked the test cluster's API for the relay Service: the target was used, and the
    // CLI accepted every flag the lab composed.
    expect(output).toContain('services "hubble-relay" not found');
    expect(output).not.toMatch(/127\.0\.0\.1:1\b|unknown flag/);
    expect(toolErrorFix('hubble', output)).toMatch(/hubble\.relay\.enabled=true/);
  });
});
