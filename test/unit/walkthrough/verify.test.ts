import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateExpect, getPath, parseJsonOutput, podProblems, rolloutState, waitForWorkload, type Scope } from '../../../src/main/core/walkthrough';
import { LabError } from '../../../src/shared/errors';

const DP = join(__dirname, '../../fixtures/dataplane');
const fx = (p: string) => readFileSync(join(DP, p), 'utf8');
const scope: Scope = { params: { mode: 'kubernetes', values: { kubeProxyReplacement: true } }, files: {} };
const ok = (output: string, exitCode = 0) => ({ output, exitCode });

describe('expectations on command output (real outputs from test/fixtures/dataplane)', () => {
  it.each([
    ['cilium status text of cilium/cilium#34747 (1.16.0, all OK)', 'cilium-status/cilium-34747-v1.16.0.txt', 'cilium-status-text', true],
    ['cilium status JSON with errors', 'cilium-status/constructed-errors.json', 'cilium-status-json', false],
    ['cilium status text with errors (kubeasz#1422)', 'cilium-status/kubeasz-1422-errors.txt', 'cilium-status-text', false],
    ['agent status JSON (1.17.7)', 'agent-status/constructed-v1.17.7.json', 'agent-status-json', true],
    ['agent status with a failing controller (cilium#15457)', 'agent-status/cilium-15457-v1.9.90-ci-controller-failing.txt', 'agent-status-text', false],
  ] as const)('%s', (_, file, parse, pass) => {
    const r = evaluateExpect({ parse }, ok(fx(file)), scope);
    expect(r.ok).toBe(pass);
    expect(r.seen[0]).toMatch(pass ? /^verdict ok/ : /^verdict (failed|degraded)/);
    if (!pass) expect(r.failures[0]).toMatch(/^verdict (failed|degraded) \(expected ok\)/);
  });

  it('a degraded status passes only when the step accepts it', () => {
    const text = fx('agent-status/microk8s-604-health-warning.txt');
    const strict = evaluateExpect({ parse: 'agent-status-text' }, ok(text), scope);
    const lenient = evaluateExpect({ parse: 'agent-status-text', verdict: ['ok', 'degraded'] }, ok(text), scope);
    expect(strict.ok).toBe(false);
    expect(lenient.ok).toBe(true);
  });

  it('hubble flows: a DROPPED flow fails "no drops"; the service list has rows', () => {
    const noDrops = { parse: 'hubble-flows' as const, json: [{ path: 'counts.byVerdict.DROPPED', exists: false }] };
    expect(evaluateExpect(noDrops, ok(fx('hubble/cilium-18746-bare-dropped.jsonl')), scope)).toMatchObject({ ok: false, failures: ['counts.byVerdict.DROPPED: present (1)'] });
    expect(evaluateExpect(noDrops, ok(fx('hubble/hubble-otel-10-flows.jsonl')), scope).ok).toBe(true);
    const rows = evaluateExpect({ parse: 'service-list', json: [{ path: 'rows.0.frontend', exists: true }, { path: 'rows.length', equals: 4 }] }, ok(fx('service-list/docs-kubeproxy-free.txt')), scope);
    expect(rows).toMatchObject({ ok: true });
  });

  it('JSON paths compare with placeholders, loosely across string/number/boolean', () => {
    const cm = JSON.stringify({ data: { ipam: 'kubernetes', 'kube-proxy-replacement': 'true' } });
    const e = { json: [{ path: 'data.ipam', equals: '{{mode}}' }, { path: 'data.kube-proxy-replacement', equals: '{{values.kubeProxyReplacement}}' }] };
    expect(evaluateExpect(e, ok(`Warning: something\n${cm}\n`), scope)).toMatchObject({ ok: true });
    expect(evaluateExpect({ json: [{ path: 'data.ipam', equals: 'cluster-pool' }] }, ok(cm), scope).failures).toEqual(['data.ipam is "kubernetes" (expected "cluster-pool")']);
    expect(evaluateExpect({ json: [{ path: 'x', exists: true }] }, ok('not json'), scope).failures[0]).toMatch(/could not be parsed as JSON/);
  });

  it('exit codes, contained text and whole lines', () => {
    expect(evaluateExpect({}, ok('', 1), scope).failures).toEqual(['exit code 1 (expected 0)']);
    expect(evaluateExpect({ exitCode: [0, 1] }, ok('', 1), scope).ok).toBe(true);
    expect(evaluateExpect({}, { output: '', exitCode: null }, scope).failures).toEqual(['exit code none (expected 0)']);
    expect(evaluateExpect({ contains: ['{{mode}}'], notContains: ['Error'] }, ok('ipam: kubernetes'), scope).ok).toBe(true);
    expect(evaluateExpect({ lines: ['lab'] }, ok('kind\n lab \n'), scope).ok).toBe(true);
    expect(evaluateExpect({ lines: ['la'] }, ok('lab\n'), scope).failures).toEqual(['no output line is "la"']);
  });

  it('paths and JSON extraction', () => {
    expect(getPath({ a: [{ b: 1 }] }, '$.a.0.b')).toBe(1);
    expect(getPath({ a: [1, 2] }, 'a.length')).toBe(2);
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(parseJsonOutput('notice\n{"a":1}\n\n[datapath-lab] note')).toEqual({ a: 1 });
  });
});

describe('waiting for workloads', () => {
  const ds = (s: Record<string, number>, gen = 1, observed = 1) => ({ metadata: { generation: gen }, status: { observedGeneration: observed, ...s } });

  it.each([
    ['controller has not seen the spec', 'DaemonSet', ds({ desiredNumberScheduled: 3 }, 2, 1), false, 'waiting for the controller to see the new spec'],
    ['no node yet', 'DaemonSet', ds({ desiredNumberScheduled: 0 }), false, 'no node runs it yet (0 desired)'],
    ['rolling update', 'DaemonSet', ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberReady: 3, numberAvailable: 3 }), false, '1 of 3 pods updated'],
    ['pods starting', 'DaemonSet', ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 2, numberAvailable: 2 }), false, '2 of 3 pods ready'],
    ['ready', 'DaemonSet', ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3, numberAvailable: 3 }), true, '3 of 3 pods ready'],
    ['operator: old replica terminating', 'Deployment', { metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } }, false, '1 old replicas are terminating'],
    ['operator: anti-affinity leaves one Pending', 'Deployment', { metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 } }, false, '1 of 2 replicas ready'],
    ['operator ready', 'Deployment', { metadata: { generation: 3 }, spec: { replicas: 1 }, status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } }, true, '1 of 1 replicas ready'],
  ] as const)('%s', (_, kind, obj, ready, message) => {
    expect(rolloutState(kind, obj)).toMatchObject({ ready, message });
  });

  it('explains pods that are not ready', () => {
    expect(
      podProblems({
        items: [
          { metadata: { name: 'a' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
          { metadata: { name: 'b' }, spec: { nodeName: 'n1' }, status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "quay.io/cilium/cilium:v1.18.6"' } } }] } },
          { metadata: { name: 'c' }, spec: { nodeName: 'n2' }, status: { phase: 'Running', containerStatuses: [{ state: { terminated: { reason: 'Error', exitCode: 1 } } }] } },
          { metadata: { name: 'd' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', message: 'containers with unready status: [cilium-agent]' }] } },
        ],
      }),
    ).toEqual([
      'b on n1: ImagePullBackOff: Back-off pulling image "quay.io/cilium/cilium:v1.18.6"',
      'c on n2: terminated Error (exit 1)',
      'd: Running, Ready False: containers with unready status: [cilium-agent]',
    ]);
  });

  it('waits through "not created yet", reports changes once, and stops when cancelled', async () => {
    let n = 0;
    const reader = {
      async get<T>(): Promise<T> {
        n++;
        if (n < 3) throw new LabError('NOT_FOUND', 'not found');
        return ds({ desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberReady: n > 4 ? 1 : 0, numberAvailable: n > 4 ? 1 : 0 }) as T;
      },
    };
    const seen: string[] = [];
    const r = await waitForWorkload(reader, { kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', timeoutMs: 5000 }, { intervalMs: 5, onProgress: (p) => seen.push(p.message) });
    expect(r.status).toBe('pass');
    expect(seen).toEqual(['DaemonSet kube-system/cilium: not created yet', 'DaemonSet kube-system/cilium: 0 of 1 pods ready', 'DaemonSet kube-system/cilium: 1 of 1 pods ready']);
    const ac = new AbortController();
    const pending = waitForWorkload({ get: async <T,>() => ds({ desiredNumberScheduled: 1 }) as T }, { kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', timeoutMs: 60_000 }, { intervalMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(pending).rejects.toThrow(/stopped waiting/);
    const absent = await waitForWorkload({ get: async () => { throw new LabError('NOT_FOUND', 'x'); } }, { kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium-envoy', timeoutMs: 1000, mayBeAbsent: true });
    expect(absent).toMatchObject({ status: 'skipped', summary: 'DaemonSet kube-system/cilium-envoy is not deployed (optional)' });
    await expect(waitForWorkload({ get: async () => { throw new LabError('FORBIDDEN', 'forbidden: get daemonsets'); } }, { kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', timeoutMs: 1000 })).rejects.toThrow(/forbidden/);
  });
});
