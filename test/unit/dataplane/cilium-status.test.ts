import { describe, expect, it } from 'vitest';
import { parseCiliumStatusJson, parseCiliumStatusText } from '../../../src/main/core/dataplane';
import { fixture, fixtureNames } from './helpers';

const DIR = 'cilium-status';

type Expected = {
  verdict: 'ok' | 'degraded' | 'failed';
  components: Record<string, string>;
  workloads: [kind: string, name: string, desired: number, ready: number, available: number, unavailable: number][];
  clusterPods: [managed: number, total: number] | null;
  helm: string | null;
  images: number;
  containers: Record<string, Record<string, number>>;
  errors: number;
  warnings: number;
  collectionErrors: number;
};

const TEXT_CASES: Record<string, Expected> = {
  'docs-v1.9.5.txt': {
    verdict: 'ok',
    components: { cilium: 'ok', operator: 'ok', hubbleRelay: 'disabled', clusterMesh: 'disabled' },
    workloads: [
      ['DaemonSet', 'cilium', 2, 2, 2, 0],
      ['Deployment', 'cilium-operator', 2, 2, 2, 0],
    ],
    clusterPods: null,
    helm: null,
    images: 2,
    containers: { 'cilium-operator': { Running: 2 }, cilium: { Running: 2 } },
    errors: 0,
    warnings: 0,
    collectionErrors: 0,
  },
  'cilium-cli-979-v1.11.6.txt': {
    verdict: 'ok',
    components: { cilium: 'ok', operator: 'ok', hubbleRelay: 'disabled', clusterMesh: 'disabled' },
    workloads: [
      ['Deployment', 'cilium-operator', 1, 1, 1, 0],
      ['DaemonSet', 'cilium', 5, 5, 5, 0],
    ],
    clusterPods: [6, 6],
    helm: null,
    images: 2,
    containers: { cilium: { Running: 5 }, 'cilium-operator': { Running: 1 } },
    errors: 0,
    warnings: 0,
    collectionErrors: 0,
  },
  'cilium-cli-788-v1.12.0-rc1.txt': {
    verdict: 'ok',
    components: { cilium: 'ok', operator: 'ok', hubbleRelay: 'disabled', clusterMesh: 'disabled' },
    workloads: [
      ['DaemonSet', 'cilium', 3, 3, 3, 0],
      ['Deployment', 'cilium-operator', 1, 1, 1, 0],
    ],
    clusterPods: [10, 10],
    helm: null,
    images: 2,
    containers: { cilium: { Running: 3 }, 'cilium-operator': { Running: 1 } },
    errors: 0,
    warnings: 0,
    collectionErrors: 0,
  },
  'cilium-34747-v1.16.0.txt': {
    verdict: 'ok',
    components: { cilium: 'ok', operator: 'ok', envoy: 'ok', hubbleRelay: 'disabled', clusterMesh: 'disabled' },
    workloads: [
      ['DaemonSet', 'cilium-envoy', 1, 1, 1, 0],
      ['DaemonSet', 'cilium', 1, 1, 1, 0],
      ['Deployment', 'cilium-operator', 1, 1, 1, 0],
    ],
    clusterPods: [2, 2],
    helm: '',
    images: 1,
    containers: { cilium: { Running: 1 }, 'cilium-operator': { Running: 1 }, 'cilium-envoy': { Running: 1 } },
    errors: 0,
    warnings: 0,
    collectionErrors: 0,
  },
  'kubeasz-1422-errors.txt': {
    verdict: 'failed',
    components: { cilium: 'errors', operator: 'errors', envoy: 'errors', hubbleRelay: 'warnings', clusterMesh: 'warnings' },
    workloads: [],
    clusterPods: [0, 0],
    helm: '',
    images: 0,
    containers: {},
    errors: 3,
    warnings: 3,
    collectionErrors: 1,
  },
};

describe('parseCiliumStatusText on real outputs', () => {
  it('has an expectation for every text fixture', () => {
    expect(fixtureNames(DIR, '.txt').sort()).toEqual(Object.keys(TEXT_CASES).sort());
  });

  for (const [name, exp] of Object.entries(TEXT_CASES)) {
    it(name, () => {
      const text = fixture(DIR, name);
      const s = parseCiliumStatusText(text);
      expect(s.problems).toEqual([]);
      expect(s.verdict).toBe(exp.verdict);
      expect(Object.fromEntries(s.components.map((c) => [c.key, c.state]))).toEqual(exp.components);
      expect(s.workloads.map((w) => [w.kind, w.name, w.desired, w.ready, w.available, w.unavailable])).toEqual(exp.workloads);
      expect(s.clusterPods ? [s.clusterPods.managed, s.clusterPods.total] : null).toEqual(exp.clusterPods);
      expect(s.helmChartVersion).toBe(exp.helm);
      expect(s.images).toHaveLength(exp.images);
      expect(Object.fromEntries(s.containers.map((c) => [c.workload, c.phases]))).toEqual(exp.containers);
      expect(s.errors).toHaveLength(exp.errors);
      expect(s.warnings).toHaveLength(exp.warnings);
      expect(s.collectionErrors).toHaveLength(exp.collectionErrors);

      // Cross-check against the raw text itself.
      expect(s.workloads).toHaveLength((text.match(/Desired: \d+/g) ?? []).length);
      for (const w of s.workloads) expect(text).toMatch(new RegExp(`${w.kind}\\s+${w.name}\\s+Desired: ${w.desired}, Ready: ${w.ready}/${w.desired}`));
      for (const img of s.images) expect(text).toContain(`${img.image}: ${img.count}`);
      const cp = /Cluster Pods:\s+(\d+)\/(\d+)/.exec(text);
      expect(cp ? [Number(cp[1]), Number(cp[2])] : null).toEqual(exp.clusterPods);
    });
  }

  it('reads the image versions and counts', () => {
    const s = parseCiliumStatusText(fixture(DIR, 'cilium-cli-979-v1.11.6.txt'));
    expect(s.images).toEqual([
      { workload: 'cilium', image: 'quay.io/cilium/cilium:v1.11.6@sha256:f7f93c26739b6641a3fa3d76b1e1605b15989f25d06625260099e01c8243f54c', count: 5 },
      { workload: 'cilium-operator', image: 'quay.io/cilium/operator-generic:v1.11.6@sha256:9f6063c7bcaede801a39315ec7c166309f6a6783e98665f6693939cf1701bc17', count: 1 },
    ]);
  });

  it('groups errors and warnings by workload and keeps the messages', () => {
    const s = parseCiliumStatusText(fixture(DIR, 'kubeasz-1422-errors.txt'));
    expect(s.issues.map((g) => [g.workload, g.errors.length, g.warnings.length])).toEqual([
      ['cilium-operator', 1, 0],
      ['cilium', 1, 0],
      ['cilium-envoy', 1, 0],
      ['hubble-relay', 0, 1],
      ['hubble-ui', 0, 1],
      ['clustermesh-apiserver', 0, 1],
    ]);
    expect(s.errors[1]).toEqual({
      workload: 'cilium',
      pod: 'cilium',
      message: 'Get "http://localhost:8080/apis/apps/v1/namespaces/kube-system/daemonsets/cilium": dial tcp 127.0.0.1:8080: connect: connection refused',
    });
    expect(s.warnings[0]?.message).toBe('hubble relay is not deployed');
    expect(s.collectionErrors[0]).toMatch(/^status check failed: \[Get /);
    expect(s.reasons[0]).toMatch(/status could not be collected/);
  });

  it('reads the old "Hubble:" row as the Hubble Relay component', () => {
    const s = parseCiliumStatusText(fixture(DIR, 'cilium-cli-979-v1.11.6.txt'));
    expect(s.components.find((c) => c.key === 'hubbleRelay')).toMatchObject({ label: 'Hubble', state: 'disabled' });
  });

  it('strips colours and reads counts of errors and warnings together', () => {
    const text = [
      '    /¯¯\\',
      ' /¯¯\\__/¯¯\\    Cilium:             \u001b[31m2 errors\u001b[0m, \u001b[33m1 warnings\u001b[0m',
      ' \\__/¯¯\\__/    Operator:           \u001b[32mOK\u001b[0m',
      ' /¯¯\\__/¯¯\\    Envoy DaemonSet:    \u001b[36mdisabled (using embedded mode)\u001b[0m',
      '',
      'DaemonSet              cilium             Desired: 3, Ready: \u001b[33m1/3\u001b[0m, Available: \u001b[33m1/3\u001b[0m, Unavailable: \u001b[31m2/3\u001b[0m',
      'Cluster Pods:          4/9 managed by Cilium',
    ].join('\n');
    const s = parseCiliumStatusText(text);
    expect(s.problems).toEqual([]);
    expect(s.components.find((c) => c.key === 'cilium')).toMatchObject({ errors: 2, warnings: 1, state: 'errors' });
    expect(s.components.find((c) => c.key === 'envoy')).toMatchObject({ state: 'disabled', disabled: true });
    expect(s.workloads[0]).toEqual({ kind: 'DaemonSet', name: 'cilium', desired: 3, ready: 1, available: 1, unavailable: 2 });
    expect(s.verdict).toBe('failed');
  });

  it('is degraded, not failed, when only optional parts are unhealthy', () => {
    const text = [
      ' /¯¯\\__/¯¯\\    Cilium:             OK',
      ' \\__/¯¯\\__/    Operator:           OK',
      ' \\__/¯¯\\__/    Hubble Relay:       1 errors',
      'DaemonSet              cilium             Desired: 2, Ready: 2/2, Available: 2/2',
      'Deployment             hubble-relay       Desired: 1, Unavailable: 1/1',
      'Cluster Pods:          5/7 managed by Cilium',
    ].join('\n');
    const s = parseCiliumStatusText(text);
    expect(s.verdict).toBe('degraded');
    expect(s.reasons).toEqual([
      'Hubble Relay: 1 errors',
      'Deployment hubble-relay: 0/1 ready, 1 unavailable',
      '2 of 7 cluster pods are not managed by Cilium',
    ]);
  });
});

describe('newer and failing text layouts', () => {
  it('reads Containers: rows that name a workload without pods (cilium-cli ≥ 0.18 layout)', () => {
    const s = parseCiliumStatusText(
      [
        'Containers:            cilium                   Running: 3',
        '                       clustermesh-apiserver    ',
        '                       hubble-relay             Running: 1',
        'Helm chart version:    1.18.3',
      ].join('\n'),
    );
    expect(s.problems).toEqual([]);
    expect(s.containers).toEqual([
      { workload: 'cilium', phases: { Running: 3 } },
      { workload: 'clustermesh-apiserver', phases: {} },
      { workload: 'hubble-relay', phases: { Running: 1 } },
    ]);
    expect(s.helmChartVersion).toBe('1.18.3');
  });

  it('records the timeout of --wait as a collection error', () => {
    const s = parseCiliumStatusText(
      ' /¯¯\\__/¯¯\\    Cilium:             1 errors\nError: Unable to determine status:  timeout while waiting for status to become successful: context deadline exceeded',
    );
    expect(s.collectionErrors).toEqual(['Unable to determine status:  timeout while waiting for status to become successful: context deadline exceeded']);
    expect(s.verdict).toBe('failed');
    expect(s.problems).toEqual([]);
  });
});

describe('parseCiliumStatusJson', () => {
  it('gives the same summary as the text for the same cluster (constructed JSON for cilium/cilium#34747)', () => {
    const fromJson = parseCiliumStatusJson(fixture(DIR, 'constructed-v1.16.0.json'));
    const fromText = parseCiliumStatusText(fixture(DIR, 'cilium-34747-v1.16.0.txt'));
    expect(fromJson.problems).toEqual([]);
    expect(fromJson.verdict).toBe('ok');
    const byName = <T extends { name?: string; workload?: string }>(xs: T[]) => [...xs].sort((a, b) => String(a.name ?? a.workload).localeCompare(String(b.name ?? b.workload)));
    expect(byName(fromJson.workloads)).toEqual(byName(fromText.workloads));
    expect(byName(fromJson.containers)).toEqual(byName(fromText.containers));
    expect(fromJson.images).toEqual(fromText.images);
    expect(fromJson.clusterPods).toEqual(fromText.clusterPods);
    const states = (s: typeof fromJson) => Object.fromEntries(s.components.map((c) => [c.key, c.state]));
    expect(states(fromJson)).toEqual(states(fromText));
    expect(fromJson.helmChartVersion).toBeNull();
  });

  it('counts errors whose messages Go marshalled as {}', () => {
    const s = parseCiliumStatusJson(fixture(DIR, 'constructed-errors.json'));
    expect(s.verdict).toBe('failed');
    expect(s.errors).toHaveLength(3);
    expect(s.warnings).toHaveLength(3);
    expect(s.errors[0]?.message).toBe('(no message in the JSON output)');
    expect(s.collectionErrors).toHaveLength(1);
    expect(Object.fromEntries(s.components.map((c) => [c.key, c.state]))).toEqual({
      cilium: 'errors',
      operator: 'errors',
      envoy: 'errors',
      hubbleRelay: 'warnings',
      clusterMesh: 'warnings',
    });
  });

  it('reads error and warning messages as strings, as current cilium-cli marshals them', () => {
    // The two ErrorCount objects are verbatim the expected output of cilium-cli's own test
    // (gh:cilium/cilium cilium-cli/status/status_test.go, TestErrorCountMarshalJSON, at
    // a97003770ba5ba4bd3031764eb4892ce9d711089); the workloads and pods around them are made up.
    const withErrors = '{\n "Errors": [\n  "error 1",\n  "error 2"\n ],\n "Warnings": [\n  "warning 1"\n ],\n "Disabled": false\n}';
    const clean = '{\n "Errors": [],\n "Warnings": [],\n "Disabled": false\n}';
    const s = parseCiliumStatusJson(`{"errors": {"cilium": {"cilium-abcde": ${withErrors}}, "cilium-operator": {"cilium-operator-xyz": ${clean}}}}`);
    expect(s.problems).toEqual([]);
    expect(s.errors).toEqual([
      { workload: 'cilium', pod: 'cilium-abcde', message: 'error 1' },
      { workload: 'cilium', pod: 'cilium-abcde', message: 'error 2' },
    ]);
    expect(s.warnings).toEqual([{ workload: 'cilium', pod: 'cilium-abcde', message: 'warning 1' }]);
    const comp = (k: string) => s.components.find((c) => c.key === k);
    expect(comp('cilium')).toMatchObject({ state: 'errors', errors: 2, warnings: 1, text: '2 errors, 1 warnings' });
    expect(comp('operator')).toMatchObject({ state: 'ok', errors: 0, warnings: 0 });
    expect(s.verdict).toBe('failed');
  });

  it('reads agent states and helm chart version when present', () => {
    const s = parseCiliumStatusJson(
      JSON.stringify({
        helm_chart_version: '1.18.3',
        pod_state: { cilium: { Type: 'DaemonSet', Desired: 2, Ready: 2, Available: 2, Unavailable: 0 } },
        cilium_status: { 'cilium-abcde': { cilium: { state: 'Warning', msg: 'something' } } },
      }),
    );
    expect(s.helmChartVersion).toBe('1.18.3');
    expect(s.agents).toEqual([{ pod: 'cilium-abcde', state: 'Warning', message: 'something' }]);
    expect(s.verdict).toBe('degraded');
  });

  it.each([
    ['', 'empty input'],
    ['not json at all', 'no JSON object in the input'],
    ['{"pod_state": ', 'invalid JSON'],
    ['[1,2]', 'no JSON object in the input'],
  ])('reports %j without throwing', (input, reason) => {
    const s = parseCiliumStatusJson(input);
    expect(s.problems[0]?.reason).toContain(reason);
    expect(s.verdict).toBe('failed');
  });

  it('skips text before the JSON (a warning on stderr merged into stdout)', () => {
    const s = parseCiliumStatusJson(`level=warning msg=x\n${fixture(DIR, 'constructed-v1.16.0.json')}`);
    expect(s.workloads).toHaveLength(3);
    expect(s.problems.map((p) => p.reason)).toEqual(['text before the JSON object ignored']);
  });
});

describe('parseCiliumStatusText on bad input', () => {
  it('reports what it does not understand and keeps the rest', () => {
    const s = parseCiliumStatusText(
      [
        ' /¯¯\\__/¯¯\\    Cilium:             OK',
        'this is not cilium output',
        'DaemonSet              cilium             Desired: banana',
        'Cluster Pods:          2/2 managed by Cilium',
      ].join('\n'),
    );
    expect(s.components).toHaveLength(1);
    expect(s.clusterPods).toEqual({ managed: 2, total: 2 });
    expect(s.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'unrecognised line'],
      [3, 'unrecognised workload row'],
    ]);
  });

  it('handles empty and non-string input', () => {
    expect(parseCiliumStatusText('').problems[0]?.reason).toBe('empty input');
    expect(parseCiliumStatusText('').verdict).toBe('failed');
    expect(() => parseCiliumStatusText(undefined as unknown as string)).not.toThrow();
  });

  it('survives every truncation of a real output', () => {
    const text = fixture(DIR, 'kubeasz-1422-errors.txt');
    for (let i = 0; i <= text.length; i += 7) expect(() => parseCiliumStatusText(text.slice(0, i))).not.toThrow();
  });
});
