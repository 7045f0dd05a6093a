import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kindLabDefaults } from '../../../src/main/core/cilium-values';
import { LabError } from '../../../src/shared/errors';
import type { StepProgress } from '../../../src/shared/api/walkthrough';
import { KIND_API_SLICES, fakeApi, finding, makeFake, service, type Fake } from './helpers';

const QS = 'quick-start';
const TARGET = 'context:kind-lab';
const fakes: Fake[] = [];
const fresh = (tools?: string[]) => {
  const f = makeFake(tools);
  fakes.push(f);
  return f;
};
afterEach(() => {
  fakes.length = 0;
});

async function expectLabError(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp): Promise<LabError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a LabError').toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  if (message) expect((err as LabError).message).toMatch(message);
  return err as LabError;
}

/** The status of a DaemonSet or Deployment after `n` reads: not ready at first, then ready. */
function rollingOut(kind: 'DaemonSet' | 'Deployment', total: number, readyAfter: number) {
  let reads = 0;
  return () => {
    reads++;
    const ready = reads > readyAfter ? total : Math.min(total - 1, reads - 1);
    return kind === 'DaemonSet'
      ? { metadata: { generation: 1 }, spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } } }, status: { observedGeneration: 1, desiredNumberScheduled: total, updatedNumberScheduled: total, numberReady: ready, numberAvailable: ready } }
      : { metadata: { generation: 1 }, spec: { replicas: total, selector: { matchLabels: { 'io.cilium/app': 'operator' } } }, status: { observedGeneration: 1, replicas: total, updatedReplicas: total, readyReplicas: ready, availableReplicas: ready } };
  };
}

const DS = (name: string) => `/apis/apps/v1/namespaces/kube-system/daemonsets/${name}`;
const DEP = (name: string) => `/apis/apps/v1/namespaces/kube-system/deployments/${name}`;

describe('walkthrough definitions', () => {
  it('lists the quick start with its six steps and guide', () => {
    const { s } = service(fresh());
    expect(s.loadErrors()).toEqual([]);
    const [qs] = s.listWalkthroughs();
    expect(qs).toMatchObject({ id: QS, steps: 6, guides: [{ file: 'offline-install.md' }] });
    expect(s.getWalkthrough(QS).steps.map((x) => x.id)).toEqual(['lab-cluster', 'kernel', 'install', 'baseline', 'dataplane', 'connectivity']);
    expect(s.guide('offline-install.md').markdown).toMatch(/kind load docker-image/);
  });

  it('names what is unknown', async () => {
    const { s } = service(fresh());
    expect(() => s.getWalkthrough('nope')).toThrow(/no walkthrough nope/);
    await expectLabError(s.planStep(QS, 'nope', TARGET), 'NOT_FOUND', /has no step nope/);
    expect(() => s.guide('../../package.json')).toThrow(/not a guide name/);
    expect(() => s.guide('missing.md')).toThrow(/no guide/);
  });
});

describe('planning a step', () => {
  it('baseline: files rendered with validated values, argv with the file paths, diff against the cluster', async () => {
    const fake = fresh();
    const { s } = service(fake);
    const plan = await s.planStep(QS, 'baseline', TARGET, { policyNamespace: 'shop' });
    expect(plan.params).toMatchObject({ policyNamespace: 'shop', policyFlavor: 'kubernetes' });
    const [ns, policies] = plan.files;
    expect(ns!.content).toContain('name: shop');
    expect(policies!.content).toContain('cidr: 172.18.0.2/32');
    expect(policies!.content).toContain('port: 6443');
    expect(plan.commands.map((c) => [c.phase, c.argv.join(' ')])).toEqual([
      ['preview', `kubectl diff -f ${policies!.path}`],
      ['action', `kubectl apply -f ${ns!.path}`],
      ['action', `kubectl apply -f ${policies!.path}`],
      ['cleanup', `kubectl delete -f ${policies!.path} --ignore-not-found`],
    ]);
    expect(plan.clusterDiff.map((d) => `${d.kind}/${d.name}:${d.state}`)).toEqual(['Namespace/shop:absent', 'NetworkPolicy/default-deny-all:absent', 'NetworkPolicy/allow-dns-egress:absent', 'NetworkPolicy/allow-apiserver-egress:absent']);
    expect(plan.notes.join(' ')).toMatch(/from EndpointSlice default\/kubernetes/);
    expect(plan.tools).toEqual([expect.objectContaining({ name: 'kubectl', path: join(fake.bin, 'kubectl') })]);
    expect(plan.blocked).toBeNull();
    // nothing ran, nothing was written
    expect(fake.calls()).toEqual([]);
    expect(existsSync(policies!.path)).toBe(false);
  });

  it('rejects bad parameters, each named, before anything else', async () => {
    const { s } = service(fresh());
    const e = await expectLabError(s.planStep(QS, 'baseline', TARGET, { policyNamespace: 'Shop_1', policyFlavor: 'calico' }), 'INVALID_REQUEST');
    expect(e.message).toMatch(/policyNamespace.*namespace name/);
    expect(e.message).toMatch(/policyFlavor.*one of kubernetes, cilium/);
  });

  it('install: picks the action for the chosen method; placeholders into object parameters', async () => {
    const fake = fresh();
    const chartDir = join(fake.dir, 'cilium');
    mkdirSync(chartDir);
    const { s } = service(fake);
    const argv = async (params: Record<string, unknown>) => (await s.planStep(QS, 'install', TARGET, params)).commands.filter((c) => c.phase === 'action').map((c) => c.argv);
    const values = join(fake.configDir, 'walkthroughs/files');
    const [helmRepo] = await argv({ installMethod: 'helm', ciliumVersion: 'v1.18.6' });
    expect(helmRepo).toEqual(['helm', 'upgrade', '--install', 'cilium', 'cilium', '--repo', 'https://helm.cilium.io', '--version', '1.18.6', '--namespace', 'kube-system', '--values', expect.stringContaining(values)]);
    expect(await argv({ installMethod: 'cilium-cli' })).toEqual([['cilium', 'install', '--version', '1.18.6', '--values', expect.any(String)]]);
    expect(await argv({ installMethod: 'cilium-cli', chartDirectory: chartDir })).toEqual([['cilium', 'install', '--version', '1.18.6', '--values', expect.any(String), '--chart-directory', chartDir]]);
    const plan = await s.planStep(QS, 'install', TARGET, { installMethod: 'helm-local', chart: chartDir });
    expect(plan.commands.find((c) => c.phase === 'action')!.argv.slice(0, 4)).toEqual(['helm', 'upgrade', '--install', 'cilium']);
    expect(plan.commands.find((c) => c.phase === 'action')!.argv[4]).toBe(chartDir);
    expect(plan.verification.map((v) => v.title)).toEqual([
      'DaemonSet kube-system/cilium ready',
      'Deployment kube-system/cilium-operator ready',
      'Envoy DaemonSet ready (1.16+)',
      'Deployment kube-system/hubble-relay ready',
      'Deployment kube-system/hubble-ui ready',
      'cilium-config holds the chosen values',
    ]);
    const noHubble = await s.planStep(QS, 'install', TARGET, { values: { ...kindLabDefaults(), hubble: { relay: { enabled: false }, ui: { enabled: false } } } });
    expect(noHubble.verification.map((v) => v.title)).not.toContain('Deployment kube-system/hubble-relay ready');
    expect(plan.files[0]!.content).toContain('ipam:\n  # cluster-pool (the operator hands out pod CIDRs) or kubernetes (the Node podCIDRs), …\n  mode: kubernetes');
  });

  it.each([
    [{ installMethod: 'helm-local' }, /Local Cilium chart \(chart\): required for this choice/],
    [{ installMethod: 'helm-local', chart: 'charts/cilium.tgz' }, /must be an absolute path/],
    [{ installMethod: 'helm-local', chart: '/nonexistent/cilium-1.18.6.tgz' }, /does not exist/],
    [{ installMethod: 'helm-local', chart: '/etc/hostname' }, /must end in \.tgz or \.tar\.gz/],
    [{ installMethod: 'cilium-cli', chartDirectory: '/etc/hostname' }, /is not a folder/],
    [{ ciliumVersion: '1.13.4' }, /must be 1\.14\.0 or later/],
    [{ ciliumVersion: 'latest' }, /release version such as 1\.18\.6/],
    [{ values: { ...kindLabDefaults(), bpf: { masquerade: true, datapathMode: 'ipvlan' } } }, /Cilium values \(values\): bpf\.datapathMode/],
  ])('install parameters: %j', async (params, message) => {
    const { s } = service(fresh());
    await expectLabError(s.planStep(QS, 'install', TARGET, params), 'INVALID_REQUEST', message);
  });

  it('a missing tool blocks the step before it runs: which tool, where it was looked for, how to install it', async () => {
    const fake = fresh(['kubectl']);
    const { s } = service(fake);
    const plan = await s.planStep(QS, 'install', TARGET, { installMethod: 'helm' });
    expect(plan.tools.find((t) => t.name === 'helm')).toMatchObject({ path: null, searched: [fake.bin] });
    expect(plan.blocked).toMatchObject({ code: 'TOOL_NOT_FOUND', message: `Step "Install Cilium" needs helm: helm was not found (looked in: ${fake.bin})` });
    expect(plan.blocked!.fix).toContain('https://helm.sh/docs/intro/install/');
    await expectLabError(s.runStep(QS, 'install', TARGET, { installMethod: 'helm' }), 'TOOL_NOT_FOUND', /needs helm/);
    const p = s.progress(QS, TARGET).steps.find((x) => x.stepId === 'install')!;
    expect(p).toMatchObject({ state: 'failed', reason: expect.stringMatching(/helm was not found .*helm\.sh/) });
    expect(fake.calls()).toEqual([]);
  });

  it('lint errors block the install; the plan shows them', async () => {
    const fake = fresh();
    const { s } = service(fake, { facts: async () => ({}) });
    const values = { ...kindLabDefaults(), kubeProxyReplacement: 'strict' as const };
    const plan = await s.planStep(QS, 'install', TARGET, { values });
    expect(plan.lint.map((l) => `${l.rule}:${l.severity}`)).toEqual(['kpr-legacy-mode:error']);
    expect(plan.blocked).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/kubeProxyReplacement: kubeProxyReplacement "strict" was removed/) });
    await expectLabError(s.runStep(QS, 'install', TARGET, { values }), 'INVALID_REQUEST', /1 error/);
    expect(fake.calls()).toEqual([]);
  });

  it('steps that need a cluster say so for the host target; step 0 does not need one', async () => {
    const fake = fresh();
    const { s } = service(fake);
    const plan = await s.planStep(QS, 'baseline', 'host', { apiServerAddress: '10.0.0.1/32' });
    expect(plan.blocked).toMatchObject({ code: 'INVALID_REQUEST', message: 'the host target has no cluster' });
    const lab = await s.planStep(QS, 'lab-cluster', 'host', { clusterName: 'demo', workers: 1 });
    expect(lab.blocked).toBeNull();
    expect(lab.files[0]!.content).toContain('disableDefaultCNI: true');
    expect(lab.files[0]!.content).toContain('kubeProxyMode: none');
    expect(lab.commands.map((c) => c.argv)).toEqual([
      ['kind', 'create', 'cluster', '--name', 'demo', '--config', lab.files[0]!.path, '--kubeconfig', fake.kubeconfig, '--wait', '120s'],
      ['kind', 'get', 'clusters'],
      ['kind', 'delete', 'cluster', '--name', 'demo', '--kubeconfig', fake.kubeconfig],
    ]);
    await expectLabError(s.planStep(QS, 'lab-cluster', 'host', { clusterName: '-rf' }), 'INVALID_REQUEST', /DNS label/);
  });
});

describe('running steps', () => {
  it('baseline: applies with kubectl on the target, reads back through the API, remembers the result', async () => {
    const fake = fresh();
    const { s, rec } = service(fake);
    const { done } = await s.runStep(QS, 'baseline', TARGET, { policyNamespace: 'shop', policyFlavor: 'cilium' });
    const p = await done;
    expect(p).toMatchObject({ state: 'passed', reason: null });
    expect(fake.calls().map((c) => c.slice(0, 2).join(' '))).toEqual(['kubectl apply', 'kubectl apply']);
    // the Runner gave kubectl the target explicitly
    expect(fake.calls()[0]!.slice(-2)).toEqual([`--kubeconfig=${fake.kubeconfig}`, '--context=kind-lab']);
    expect(fake.applied().map((o) => o.kind)).toEqual(['Namespace', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy']);
    expect(p.lastRun!.results.map((r) => `${r.title}:${r.status}:${r.summary}`)).toEqual(['Namespace read back:pass:1 object read back as applied', 'Policies read back as applied:pass:3 objects read back as applied']);
    expect(p.lastRun!.sessions).toHaveLength(2);
    const kinds = rec.events.map((e) => `${e.event}${e.event === 'walkthrough.step' ? `:${(e.payload.progress as StepProgress).state}` : ''}`);
    expect(kinds[0]).toBe('walkthrough.step:running');
    expect(kinds.at(-2)).toBe('walkthrough.step:passed');
    expect(kinds.at(-1)).toBe('walkthrough.done');
    expect(rec.events.filter((e) => e.event === 'walkthrough.activity' && e.payload.sessionId).length).toBe(2);
    // a new service (the app restarted) sees the same progress
    const again = service(fake).s.progress(QS, TARGET);
    expect(again.steps.find((x) => x.stepId === 'baseline')).toMatchObject({ state: 'passed' });
    expect(again.steps.find((x) => x.stepId === 'install')).toMatchObject({ state: 'not-started' });
  });

  it('baseline: a read-back that differs fails the step and says where', async () => {
    const fake = fresh();
    const api = fakeApi(fake, { objects: KIND_API_SLICES });
    const reader = {
      async get<T>(path: string): Promise<T> {
        const o = await api.get<Record<string, unknown>>(path);
        if (o.kind === 'NetworkPolicy' && (o.metadata as { name: string }).name === 'allow-dns-egress') {
          (o.spec as { egress: { ports: { port: number }[] }[] }).egress[0]!.ports[0]!.port = 5353;
        }
        return o as T;
      },
    };
    const { s } = service(fake, { reader });
    const p = await (await s.runStep(QS, 'baseline', TARGET, {})).done;
    expect(p.state).toBe('failed');
    expect(p.reason).toMatch(/Policies read back as applied: 1 of 3 objects differ/);
    expect(p.lastRun!.results[1]!.details).toContain('  spec.egress[0].ports[0].port: applied 53, in the cluster 5353');
  });

  it('a failing command stops the step with its exit code and the end of its output', async () => {
    const fake = fresh();
    fake.fail('kubectl', 'error: unable to recognize "policies.yaml": no matches for kind "CiliumNetworkPolicy" in version "cilium.io/v2"\nensure CRDs are installed first');
    const { s } = service(fake);
    const p = await (await s.runStep(QS, 'baseline', TARGET, { policyFlavor: 'cilium' })).done;
    expect(p.state).toBe('failed');
    expect(p.reason).toMatch(/^kubectl apply -f .*namespace\.yaml: exited with 1$/);
    expect(p.lastRun!.results[0]!.details.join('\n')).toContain('ensure CRDs are installed first');
    expect(fake.calls()).toHaveLength(1);
  });

  it('a cleanup deletes what its own parameters made, not what the last run wrote', async () => {
    const fake = fresh();
    const { s } = service(fake);
    await (await s.runStep(QS, 'baseline', TARGET, { policyNamespace: 'one', policyFlavor: 'cilium' })).done;
    await (await s.cleanupStep(QS, 'baseline', TARGET, { policyNamespace: 'two', policyFlavor: 'kubernetes', apiServerAddress: '10.0.0.1/32' })).done;
    const del = fake.calls().at(-1)!;
    expect(del.slice(0, 2)).toEqual(['kubectl', 'delete']);
    const text = readFileSync(del[3]!, 'utf8');
    expect(text).toContain('namespace: two');
    expect(text).toContain('kind: NetworkPolicy');
  });

  it('preview runs kubectl diff (exit 1 = differences) without touching the step state', async () => {
    const fake = fresh();
    const { s } = service(fake);
    const p = await (await s.previewStep(QS, 'baseline', TARGET, {})).done;
    expect(p.state).toBe('not-started');
    expect(fake.calls()[0]!.slice(0, 2)).toEqual(['kubectl', 'diff']);
  });

  it('install: preconditions first; a failing kernel check stops it before helm runs', async () => {
    const fake = fresh();
    const { s } = service(fake, { findings: [finding('kernel.version', 'fail', 'kind-worker runs 4.9.0: Cilium 1.18 needs 5.10')] });
    const p = await (await s.runStep(QS, 'install', TARGET, {})).done;
    expect(p).toMatchObject({ state: 'failed', reason: 'precondition kernel.version: fail: kind-worker runs 4.9.0: Cilium 1.18 needs 5.10' });
    expect(p.lastRun!.results[0]!.details).toEqual(['fix: fix kernel.version']);
    expect(fake.calls()).toEqual([]);
  });

  it('install: helm, then waits with progress until the agents and the operator are ready, then checks cilium-config', async () => {
    const fake = fresh();
    fake.write('cilium-config.json', JSON.stringify({ kind: 'ConfigMap', data: { ipam: 'kubernetes', 'kube-proxy-replacement': 'true', 'routing-mode': 'tunnel', 'datapath-mode': 'veth' } }));
    const reader = fakeApi(fake, {
      objects: KIND_API_SLICES,
      workloads: {
        [DS('cilium')]: rollingOut('DaemonSet', 3, 3),
        [DEP('cilium-operator')]: rollingOut('Deployment', 1, 1),
        [DS('cilium-envoy')]: () => undefined,
        [DEP('hubble-relay')]: rollingOut('Deployment', 1, 0),
        [DEP('hubble-ui')]: rollingOut('Deployment', 1, 0),
      },
    });
    const { s, rec } = service(fake, { reader, findings: [finding('kernel.version', 'pass')] });
    const p = await (await s.runStep(QS, 'install', TARGET, {})).done;
    expect(p.reason).toBeNull();
    expect(p.state).toBe('passed');
    expect(fake.calls().map((c) => c[0])).toEqual(['helm', 'kubectl']);
    const progress = rec.events.filter((e) => e.event === 'walkthrough.activity' && e.payload.progress).map((e) => [e.payload.message, e.payload.progress]);
    expect(progress).toContainEqual(['DaemonSet kube-system/cilium: 1 of 3 pods ready', { done: 1, total: 3 }]);
    expect(progress).toContainEqual(['DaemonSet kube-system/cilium: 3 of 3 pods ready', { done: 3, total: 3 }]);
    expect(p.lastRun!.results.map((r) => `${r.kind}:${r.status}`)).toEqual(['precondition:pass', 'wait:pass', 'wait:pass', 'wait:skipped', 'wait:pass', 'wait:pass', 'command:pass']);
    expect(p.lastRun!.results[3]!.summary).toMatch(/cilium-envoy is not deployed/);
    // the values file the helm command got is the rendered form
    const valuesPath = fake.calls()[0]![fake.calls()[0]!.indexOf('--values') + 1]!;
    expect(readFileSync(valuesPath, 'utf8')).toContain('k8sServiceHost: lab-control-plane');
  });

  it('install: cilium-config that does not hold the values fails with what differs', async () => {
    const fake = fresh();
    fake.write('cilium-config.json', JSON.stringify({ data: { ipam: 'cluster-pool', 'kube-proxy-replacement': 'false', 'routing-mode': 'tunnel', 'datapath-mode': 'veth' } }));
    const ready = { [DS('cilium')]: rollingOut('DaemonSet', 1, 0), [DEP('cilium-operator')]: rollingOut('Deployment', 1, 0), [DS('cilium-envoy')]: rollingOut('DaemonSet', 1, 0), [DEP('hubble-relay')]: rollingOut('Deployment', 1, 0), [DEP('hubble-ui')]: rollingOut('Deployment', 1, 0) };
    const { s } = service(fake, { reader: fakeApi(fake, { objects: KIND_API_SLICES, workloads: ready }), findings: [finding('kernel.version', 'pass')] });
    const p = await (await s.runStep(QS, 'install', TARGET, {})).done;
    expect(p.state).toBe('failed');
    expect(p.reason).toBe('cilium-config holds the chosen values: kubectl -n kube-system get configmap cilium-config -o json: data.ipam is "cluster-pool" (expected "kubernetes")');
    expect(p.lastRun!.results.at(-1)!.details[0]).toMatch(/data.kube-proxy-replacement is "false" \(expected true\)/);
  });

  it('install: a wait that times out says which pods are not ready and why', async () => {
    const fake = fresh();
    const pending = {
      items: [
        { metadata: { name: 'cilium-operator-7d9f-abcde' }, spec: { nodeName: 'lab-worker' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
        {
          metadata: { name: 'cilium-operator-7d9f-fghij' },
          status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules." }] },
        },
      ],
    };
    const stuck = () => ({ metadata: { generation: 1 }, spec: { replicas: 2, selector: { matchLabels: { 'io.cilium/app': 'operator' } } }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 } });
    const reader = fakeApi(fake, {
      objects: { ...KIND_API_SLICES, '/api/v1/namespaces/kube-system/pods?labelSelector=io.cilium%2Fapp%3Doperator&limit=50': pending },
      workloads: { [DS('cilium')]: rollingOut('DaemonSet', 1, 0), [DEP('cilium-operator')]: stuck },
    });
    const w = service(fake, { reader, findings: [finding('kernel.version', 'pass')] }).s;
    // a walkthrough of our own with a short timeout (the quick start waits 10 minutes)
    const text = readFileSync(join(__dirname, '../../../resources/walkthroughs/quick-start.yaml'), 'utf8').replace(/timeoutSeconds: 600/g, 'timeoutSeconds: 1');
    const dir = join(fake.dir, 'walkthroughs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'quick-start.yaml'), text);
    writeFileSync(join(dir, 'offline-install.md'), '# offline\n');
    const s = service(fake, { reader, findings: [finding('kernel.version', 'pass')], dir }).s;
    void w;
    const p = await (await s.runStep(QS, 'install', TARGET, { values: { ...kindLabDefaults(), operator: { replicas: 2 }, hubble: { relay: { enabled: false }, ui: { enabled: false } } } })).done;
    expect(p.state).toBe('failed');
    expect(p.reason).toMatch(/^Deployment kube-system\/cilium-operator ready: Deployment kube-system\/cilium-operator was not ready after 1 s: 1 of 2 replicas ready/);
    expect(p.lastRun!.results.find((r) => r.title.includes('cilium-operator'))!.details).toEqual([
      "cilium-operator-7d9f-fghij: Pending, not scheduled: 0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.",
    ]);
  });

  it('kernel step: checks decide; accepted unknowns pass with a note', async () => {
    const fake = fresh();
    const { s } = service(fake, { findings: [finding('kernel.version', 'pass'), finding('kernel.btf', 'unknown', 'node facts not gathered'), finding('kernel.config', 'warn', 'CONFIG_NETKIT is not set')] });
    const p = await (await s.runStep(QS, 'kernel', TARGET, {})).done;
    expect(p.state).toBe('passed');
    expect(p.lastRun!.results.map((r) => r.status)).toEqual(['pass', 'unknown', 'warn']);
    expect(p.reason).toBe('passed with notes: check kernel.btf: unknown: node facts not gathered; check kernel.config: warn: CONFIG_NETKIT is not set');
    const failed = service(fresh(), { findings: [finding('kernel.version', 'unknown'), finding('kernel.btf', 'pass'), finding('kernel.config', 'fail')] }).s;
    const f = await (await failed.runStep(QS, 'kernel', TARGET, {})).done;
    expect(f.state).toBe('failed');
    expect(f.lastRun!.results.map((r) => r.status)).toEqual(['fail', 'pass', 'fail']);
    const none = await (await service(fresh()).s.runStep(QS, 'kernel', TARGET, {})).done;
    expect(none.reason).toMatch(/kernel\.version could not run: the checks engine is not available/);
  });

  it('dataplane: the dataplane parsers judge cilium status, the agent status and the service list; cilium-cli is optional', async () => {
    const fake = fresh(['kubectl']);
    const { s } = service(fake);
    const p = await (await s.verifyStep(QS, 'dataplane', TARGET, {})).done;
    expect(p.state).toBe('passed');
    expect(p.lastRun!.results.map((r) => `${r.title}:${r.status}`)).toEqual(['cilium status:warn', 'agent status (cilium-dbg status):pass', 'agent service list:pass']);
    expect(p.lastRun!.results[0]!.summary).toBe(`optional: cilium was not found (looked in: ${fake.bin})`);
    expect(p.lastRun!.results[0]!.details[0]).toContain('Install cilium-cli');
    expect(p.lastRun!.results[1]!.summary).toBe('verdict ok');
    expect(p.reason).toMatch(/^passed with notes: cilium status: optional: cilium was not found/);
    const withCli = fresh();
    const q = await (await service(withCli).s.verifyStep(QS, 'dataplane', TARGET, {})).done;
    expect(q.lastRun!.results[0]).toMatchObject({ status: 'pass', summary: 'verdict ok' });
    expect(withCli.calls()[0]!.slice(0, 6)).toEqual(['cilium', 'status', '--wait', '--wait-duration', '5m', '-o']);
  });

  it('dataplane: a failing status (real cilium status JSON with errors) fails the step', async () => {
    const fake = fresh();
    fake.write('cilium-status.json', readFileSync(join(__dirname, '../../fixtures/dataplane/cilium-status/constructed-errors.json'), 'utf8'));
    fake.write('agent-status.json', '{"cilium":{"state":"Failure","msg":"kvstore: not reachable"}}');
    const { s, rec } = service(fake, {});
    // the agent status is retried 10 times 10 s apart: not in a unit test
    const { runId, done } = await s.verifyStep(QS, 'dataplane', TARGET, {});
    const results = () => rec.events.filter((e) => e.event === 'walkthrough.activity' && e.payload.result).map((e) => e.payload.result as { title: string; status: string; summary: string });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (results().length >= 1 && rec.events.some((e) => e.event === 'walkthrough.activity' && String(e.payload.message).includes('attempt 1 of 10 failed'))) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    expect(results()[0]).toMatchObject({ title: 'cilium status', status: 'warn', summary: expect.stringMatching(/^optional: .*verdict failed/) });
    s.cancelRun(runId);
    const end = await done;
    expect(end).toMatchObject({ state: 'failed', reason: 'cancelled' });
  });

  it('connectivity: commands from the dataplane builders, hubble optional, the test namespace deleted afterwards', async () => {
    const fake = fresh(['kubectl']);
    const { s } = service(fake);
    const p = await (await s.runStep(QS, 'connectivity', TARGET, { testNamespace: 'dpl-test' })).done;
    expect(p.state).toBe('passed');
    const calls = fake.calls().map((c) => c.slice(0, c.indexOf(`--kubeconfig=${fake.kubeconfig}`)).join(' '));
    expect(calls[0]).toBe('kubectl create namespace dpl-test');
    expect(calls).toContain('kubectl -n dpl-test exec deploy/client -- nslookup echo.dpl-test.svc.cluster.local');
    expect(calls.at(-1)).toBe('kubectl delete namespace dpl-test --ignore-not-found --wait=false');
    expect(p.lastRun!.results.map((r) => `${r.title}:${r.status}`)).toEqual(['DNS and HTTP from the client:pass', 'Hubble sees no dropped flows:warn']);
  });

  it('lab cluster: kind from the kind builders, verified by kind get clusters; runs on the host target', async () => {
    const fake = fresh(['kind']);
    const { s } = service(fake);
    const p = await (await s.runStep(QS, 'lab-cluster', 'host', {})).done;
    expect(p.state).toBe('passed');
    expect(fake.calls().map((c) => c.slice(0, 3).join(' '))).toEqual(['kind create cluster', 'kind get clusters']);
    const other = await (await s.runStep(QS, 'lab-cluster', 'host', { clusterName: 'other' })).done;
    expect(other).toMatchObject({ state: 'failed', reason: 'kind lists the cluster: kind get clusters: no output line is "other"' });
  });
});

describe('progress: skip, reset, cancel, conflicts, restarts', () => {
  it('skips only skippable steps, with a reason; resets one or all', async () => {
    const fake = fresh();
    const { s, rec } = service(fake);
    expect(() => s.skipStep(QS, 'kernel', TARGET, 'no')).toThrow(/cannot be skipped/);
    expect(() => s.skipStep(QS, 'lab-cluster', TARGET, '   ')).toThrow(/say why/);
    expect(s.skipStep(QS, 'lab-cluster', TARGET, 'I have an EKS cluster')).toMatchObject({ state: 'skipped', reason: 'I have an EKS cluster' });
    expect(rec.events.at(-1)).toMatchObject({ event: 'walkthrough.step', payload: { targetId: TARGET, walkthroughId: QS, progress: { stepId: 'lab-cluster', state: 'skipped' } } });
    // per target
    expect(s.progress(QS, 'context:other').steps[0]!.state).toBe('not-started');
    await (await s.runStep(QS, 'baseline', TARGET, {})).done;
    expect(s.resetStep(QS, TARGET, 'lab-cluster').steps.map((x) => x.state)).toEqual(['not-started', 'not-started', 'not-started', 'passed', 'not-started', 'not-started']);
    expect(s.resetStep(QS, TARGET).steps.every((x) => x.state === 'not-started')).toBe(true);
  });

  it('one run per step and target; cancel stops a wait', async () => {
    const fake = fresh();
    const never = () => ({ metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 0, numberAvailable: 0 } });
    const { s, rec } = service(fake, { reader: fakeApi(fake, { objects: KIND_API_SLICES, workloads: { [DS('cilium')]: never } }), findings: [finding('kernel.version', 'pass')] });
    const { runId, done } = await s.runStep(QS, 'install', TARGET, {});
    await expectLabError(s.runStep(QS, 'install', TARGET, {}), 'CONFLICT', /already running/);
    expect(() => s.resetStep(QS, TARGET, 'install')).toThrow(/is running/);
    expect(s.progress(QS, TARGET).steps.find((x) => x.stepId === 'install')!.state).toBe('running');
    await new Promise((r) => setTimeout(r, 300));
    s.cancelRun(runId);
    const p = await done;
    expect(p).toMatchObject({ state: 'failed', reason: 'cancelled' });
    expect(rec.events.at(-1)).toMatchObject({ event: 'walkthrough.done', payload: { outcome: 'cancelled' } });
    // free again
    s.resetStep(QS, TARGET, 'install');
  });

  it('cancel stops a running command (its process group) and nothing after it runs', async () => {
    const fake = fresh();
    fake.write('sleep-helm', '30');
    const { s, runner } = service(fake, { findings: [finding('kernel.version', 'pass')] });
    const t0 = Date.now();
    const { runId, done } = await s.runStep(QS, 'install', TARGET, {});
    await new Promise((r) => setTimeout(r, 400));
    s.cancelRun(runId);
    const p = await done;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(p).toMatchObject({ state: 'failed', reason: 'cancelled' });
    expect(p.lastRun!.sessions).toEqual([expect.objectContaining({ state: 'cancelled', argv: expect.arrayContaining(['helm', 'upgrade']) })]);
    expect(runner.list().every((x) => x.state !== 'running')).toBe(true);
    expect(fake.calls().map((c) => c[0])).toEqual(['helm']);
  });

  it('the kernel step also runs on the host target (kind nodes share its kernel)', async () => {
    const { s } = service(fresh(), { findings: [finding('kernel.version', 'pass'), finding('kernel.btf', 'pass'), finding('kernel.config', 'pass')] });
    expect((await s.planStep(QS, 'kernel', 'host')).blocked).toBeNull();
    expect(await (await s.runStep(QS, 'kernel', 'host')).done).toMatchObject({ state: 'passed', reason: null });
  });

  it('a step left running by an app that stopped is failed: interrupted', () => {
    const fake = fresh();
    const { s } = service(fake);
    s.skipStep(QS, 'lab-cluster', TARGET, 'x');
    const file = (s as unknown as { progressStore: { fileOf(t: string): string } }).progressStore.fileOf(TARGET);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { walkthroughs: Record<string, Record<string, StepProgress>> };
    data.walkthroughs[QS]!['install'] = { stepId: 'install', state: 'running', reason: null, updatedAt: '2026-01-01T00:00:00.000Z', lastRun: null };
    writeFileSync(file, JSON.stringify(data));
    const after = service(fake).s.progress(QS, TARGET).steps.find((x) => x.stepId === 'install');
    expect(after).toMatchObject({ state: 'failed', reason: 'interrupted: the app stopped while the step ran' });
  });

  it('a corrupt progress file is kept aside and progress starts empty', () => {
    const fake = fresh();
    const { s } = service(fake);
    s.skipStep(QS, 'lab-cluster', TARGET, 'x');
    const file = (s as unknown as { progressStore: { fileOf(t: string): string } }).progressStore.fileOf(TARGET);
    writeFileSync(file, '{"version":1,');
    const fresh2 = service(fake).s;
    expect(fresh2.progress(QS, TARGET).steps[0]!.state).toBe('not-started');
    expect(existsSync(file)).toBe(false);
  });
});
