// The Quick-start walkthrough against the real control plane (scripts/testcluster): steps 1–3
// run for real on the kind-bare profile (a kind cluster without CNI and kube-proxy), with the
// Helm and kubectl built from the Go module proxy and the Cilium chart of the Go module
// github.com/cilium/cilium. kwok runs the pods, so the DaemonSet and Deployments turn ready.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, ensureCluster, openSeedContext, releaseCluster, versions, type ClusterHandle } from '../../scripts/testcluster/index';
import { ciliumModuleDir, installCiliumCrds } from '../../scripts/testcluster/profiles/cilium';
import { kindLabDefaults } from '../../src/main/core/cilium-values';
import { Runner } from '../../src/main/core/runner/runner';
import { TargetRegistry, contextTargetId } from '../../src/main/core/targets/registry';
import { createWalkthroughService, walkthroughDeps, type WalkthroughService } from '../../src/main/core/walkthrough';
import type { StepProgress } from '../../src/shared/api/walkthrough';
import { LabError } from '../../src/shared/errors';

const QS = 'quick-start';
const timings: Record<string, number> = {};
const events: { event: string; payload: Record<string, unknown> }[] = [];
let handle: ClusterHandle;
let registry: TargetRegistry;
let runner: Runner;
let svc: WalkthroughService;
let target: string;
let chartDir: string;
let chartTgz: string;
const work = mkdtempSync(join(tmpdir(), 'dpl-quickstart-'));

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

const kubectl = (...args: string[]) => execFileSync(binaries().kubectl, ['--kubeconfig', handle.kubeconfig, '--context', handle.context, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  handle = await timed('cluster', () => ensureCluster('kind-bare', { hold: true, keep: process.env.DATAPATH_LAB_KEEP_TESTCLUSTERS === '1', log: () => {} }));
  chartDir = join(await timed('chart download', () => ciliumModuleDir(versions().CILIUM_VERSION)), 'install', 'kubernetes', 'cilium');
  // What `helm pull cilium/cilium --version V` gives on a connected machine.
  execFileSync(binaries().helm, ['package', chartDir, '--destination', work], { encoding: 'utf8' });
  chartTgz = join(work, `cilium-${versions().CILIUM_VERSION.replace(/^v/, '')}.tgz`);
  registry = new TargetRegistry({ env: { KUBECONFIG: handle.kubeconfig, PATH: process.env.PATH }, home: work });
  target = contextTargetId(handle.context);
  // The tools built from the Go module proxy; nothing else on the tool path (no cilium-cli).
  runner = new Runner({ started() {}, data() {}, exit() {} }, { toolPaths: () => ({ helm: binaries().helm, kubectl: binaries().kubectl }), pathEnv: () => '' });
  svc = createWalkthroughService({
    ...walkthroughDeps({ configDir: join(work, 'config'), runner, targets: registry, emit: (event, payload) => events.push({ event, payload: payload as Record<string, unknown> }) }),
    waitIntervalMs: 500,
  });
}, 900_000);

afterAll(async () => {
  registry?.close();
  await runner?.dispose();
  if (handle) await releaseCluster(handle.name, { log: () => {} });
  process.stderr.write(`[quickstart] timings (ms): ${JSON.stringify(timings)}\n`);
});

const stepResults = (p: StepProgress) => p.lastRun!.results.map((r) => `${r.kind}:${r.status}:${r.title}`);

describe.sequential('Quick start on a cluster without a CNI (kind-bare)', () => {
  it('the target is the kind cluster, reached with the kubeconfig kind would write', () => {
    expect(registry.find(target)).toMatchObject({ kind: 'kind', kindCluster: 'bare', server: handle.server });
    const nodes = kubectl('get', 'nodes', '-o', 'name').trim().split('\n');
    expect(nodes).toEqual(['node/bare-control-plane', 'node/bare-worker', 'node/bare-worker2']);
    expect(kubectl('-n', 'kube-system', 'get', 'daemonsets', '-o', 'name').trim()).toBe('');
  });

  it('step 1: the kernel checks on the nodes (release from Node status; BTF and config need node access)', async () => {
    const p = await timed('step 1 run', async () => (await svc.runStep(QS, 'kernel', target)).done);
    expect(p.state).toBe('passed');
    const [version, btf, config] = p.lastRun!.results;
    expect(version).toMatchObject({ kind: 'check', status: 'pass' });
    expect(version!.summary).toMatch(/^pass: 3 nodes/);
    expect(JSON.stringify(version!.finding)).toContain('6.8.0-85-generic');
    // No container engine here: the kind node containers cannot be read, and the step says so.
    expect(btf!.status).toBe('unknown');
    expect(config!.status).toBe('unknown');
    expect(p.reason).toMatch(/^passed with notes: check kernel\.btf: unknown/);
  });

  it('step 2 plan: the values linter reads the live cluster (nodes, no kube-proxy, the API server endpoint)', async () => {
    const values = { ...kindLabDefaults('bare'), k8sServiceHost: undefined, k8sServicePort: undefined, operator: { replicas: 4 } };
    const plan = await timed('step 2 plan (lint with facts)', () => svc.planStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartTgz, values }));
    expect(plan.lint.map((f) => `${f.rule}:${f.severity}`)).toEqual(['kpr-apiserver-address:error', 'operator-replicas:warning']);
    const kpr = plan.lint[0]!;
    expect(kpr.message).toMatch(/runs no kube-proxy/);
    expect(kpr.patch).toEqual({ k8sServiceHost: '172.18.0.2', k8sServicePort: 6443 });
    expect(plan.lint[1]!.message).toMatch(/only 3 nodes can take an operator pod/);
    expect(plan.blocked).toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(svc.runStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartTgz, values })).rejects.toThrow(/k8sServiceHost/);
    // The lab defaults of a cluster named "lab" on the cluster named "bare": a warning, not an error.
    const wrong = await svc.planStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartTgz, values: kindLabDefaults('lab') });
    expect(wrong.lint.map((f) => `${f.rule}:${f.severity}`)).toEqual(['kpr-apiserver-address:warning']);
    expect(wrong.lint[0]!.message).toMatch(/lab-control-plane is not a node.*its control plane is bare-control-plane/);
    expect(wrong.blocked).toBeNull();
  });

  it('step 2 with cilium-cli: it is not installed here, and the step says where it looked and how to install it', async () => {
    const plan = await svc.planStep(QS, 'install', target, { installMethod: 'cilium-cli', values: kindLabDefaults('bare') });
    expect(plan.blocked).toMatchObject({ code: 'TOOL_NOT_FOUND', message: 'Step "Install Cilium" needs cilium: cilium was not found (looked in: (PATH is empty))' });
    expect(plan.blocked!.fix).toMatch(/cilium-cli/);
    let err: unknown;
    try {
      await svc.runStep(QS, 'install', target, { installMethod: 'cilium-cli', values: kindLabDefaults('bare') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('TOOL_NOT_FOUND');
    expect(svc.progress(QS, target).steps.find((s) => s.stepId === 'install')).toMatchObject({ state: 'failed', reason: expect.stringMatching(/cilium was not found/) });
  });

  it('step 2 with Helm and the packaged chart: Cilium installed, the waits pass as kwok runs the pods, cilium-config holds the values', async () => {
    const values = kindLabDefaults('bare');
    const before = events.length;
    const p = await timed('step 2 run (helm + waits)', async () => (await svc.runStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartTgz, values })).done);
    expect(p.reason).toBeNull();
    expect(p.state).toBe('passed');
    expect(stepResults(p)).toEqual([
      'precondition:pass:precondition kernel.version',
      'wait:pass:DaemonSet kube-system/cilium ready',
      'wait:pass:Deployment kube-system/cilium-operator ready',
      'wait:pass:Envoy DaemonSet ready (1.16+)',
      'wait:pass:Deployment kube-system/hubble-relay ready',
      'wait:pass:Deployment kube-system/hubble-ui ready',
      'command:pass:cilium-config holds the chosen values',
    ]);
    expect(p.lastRun!.sessions.map((s) => s.argv.slice(0, 5))).toEqual([
      ['helm', 'upgrade', '--install', 'cilium', chartTgz],
      ['kubectl', '-n', 'kube-system', 'get', 'configmap'],
    ]);
    // helm got the target explicitly
    expect(p.lastRun!.sessions[0]!.argv.slice(-2)).toEqual([`--kubeconfig=${handle.kubeconfig}`, `--kube-context=${handle.context}`]);
    // the waits reported progress while kwok started the pods
    const progress = events.slice(before).filter((e) => e.event === 'walkthrough.activity' && e.payload.progress).map((e) => String(e.payload.message));
    expect(progress.some((m) => /^DaemonSet kube-system\/cilium: 3 of 3 pods ready$/.test(m))).toBe(true);
    // what the chart created, through the API
    const ds = JSON.parse(kubectl('-n', 'kube-system', 'get', 'daemonset', 'cilium', '-o', 'json')) as { status: { numberReady: number }; spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } } };
    expect(ds.status.numberReady).toBe(3);
    const env = ds.spec.template.spec.containers.find((c) => c.name === 'cilium-agent')!.env!;
    expect(env).toContainEqual({ name: 'KUBERNETES_SERVICE_HOST', value: 'bare-control-plane' });
    const cm = JSON.parse(kubectl('-n', 'kube-system', 'get', 'configmap', 'cilium-config', '-o', 'json')) as { data: Record<string, string> };
    expect(cm.data).toMatchObject({ 'kube-proxy-replacement': 'true', ipam: 'kubernetes', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'enable-bpf-masquerade': 'true' });
    expect(kubectl('-n', 'kube-system', 'get', 'configmaps', '-o', 'name')).toMatch(/configmap\/cilium-envoy-config/);
  }, 600_000);

  it('step 2 again (re-run) from the chart folder with two operator replicas: an upgrade, verified again', async () => {
    const values = { ...kindLabDefaults('bare'), operator: { replicas: 2 } };
    const plan = await svc.planStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartDir, values });
    expect(plan.lint).toEqual([]);
    const p = await timed('step 2 re-run (upgrade)', async () => (await svc.runStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartDir, values })).done);
    expect(p.state).toBe('passed');
    const dep = JSON.parse(kubectl('-n', 'kube-system', 'get', 'deployment', 'cilium-operator', '-o', 'json')) as { spec: { replicas: number }; status: { readyReplicas: number } };
    expect(dep).toMatchObject({ spec: { replicas: 2 }, status: { readyReplicas: 2 } });
    expect(kubectl('-n', 'kube-system', 'get', 'secrets', '-l', 'owner=helm,name=cilium', '-o', 'name').trim().split('\n')).toHaveLength(2);
  }, 600_000);

  it('step 3: baseline NetworkPolicies: compared with the cluster, applied with kubectl, read back through the API', async () => {
    const params = { policyNamespace: 'lab-apps', policyFlavor: 'kubernetes' };
    const plan = await timed('step 3 plan', () => svc.planStep(QS, 'baseline', target, params));
    expect(plan.clusterDiff.map((d) => d.state)).toEqual(['absent', 'absent', 'absent', 'absent']);
    expect(plan.files[1]!.content).toContain('cidr: 172.18.0.2/32');
    expect(plan.notes[0]).toBe('API server: 172.18.0.2 port 6443 (from EndpointSlice default/kubernetes).');
    const p = await timed('step 3 run', async () => (await svc.runStep(QS, 'baseline', target, params)).done);
    expect(p.state).toBe('passed');
    expect(stepResults(p)).toEqual(['readBack:pass:Namespace read back', 'readBack:pass:Policies read back as applied']);
    expect(kubectl('-n', 'lab-apps', 'get', 'networkpolicies', '-o', 'name').trim().split('\n').sort()).toEqual([
      'networkpolicy.networking.k8s.io/allow-apiserver-egress',
      'networkpolicy.networking.k8s.io/allow-dns-egress',
      'networkpolicy.networking.k8s.io/default-deny-all',
    ]);
    // now the plan finds them as applied, and kubectl diff has nothing to show
    const again = await svc.planStep(QS, 'baseline', target, params);
    expect(again.clusterDiff.map((d) => d.state)).toEqual(['same', 'same', 'same', 'same']);
    const preview = await timed('step 3 preview (kubectl diff)', async () => (await svc.previewStep(QS, 'baseline', target, params)).done);
    const run = events.filter((e) => e.event === 'walkthrough.done' && e.payload.kind === 'preview').at(-1)!;
    expect(run.payload).toMatchObject({ outcome: 'passed' });
    expect(preview.state).toBe('passed');
  });

  it('step 3: a policy changed in the cluster shows up in the diff and fails the read-back', async () => {
    kubectl('-n', 'lab-apps', 'patch', 'networkpolicy', 'allow-dns-egress', '--type=json', '-p', '[{"op":"replace","path":"/spec/egress/0/ports/0/port","value":5353}]');
    const plan = await svc.planStep(QS, 'baseline', target, { policyNamespace: 'lab-apps' });
    expect(plan.clusterDiff.find((d) => d.name === 'allow-dns-egress')).toMatchObject({ state: 'differs', differences: ['spec.egress[0].ports[0].port: applied 53, in the cluster 5353'] });
    const v = await (await svc.verifyStep(QS, 'baseline', target, { policyNamespace: 'lab-apps' })).done;
    expect(v.state).toBe('failed');
    expect(v.reason).toMatch(/1 of 3 objects differ/);
    // running the step again puts it back
    const p = await (await svc.runStep(QS, 'baseline', target, { policyNamespace: 'lab-apps' })).done;
    expect(p.state).toBe('passed');
  });

  it('step 3 with CiliumNetworkPolicy once the operator has registered the Cilium CRDs', async () => {
    const params = { policyNamespace: 'lab-cilium', policyFlavor: 'cilium' };
    // Without the CRDs kubectl cannot apply them, and the step says why.
    const failed = await (await svc.runStep(QS, 'baseline', target, params)).done;
    expect(failed.state).toBe('failed');
    expect(failed.lastRun!.results.at(-1)!.details.join('\n')).toMatch(/no matches for kind "CiliumNetworkPolicy"|ensure CRDs are installed first/);
    // The operator registers the CRDs when it starts; kwok runs no operator, so do what it does.
    const ctx = openSeedContext(handle.name, () => {});
    try {
      await timed('CRDs (as the operator)', () => installCiliumCrds(ctx));
    } finally {
      ctx.close();
    }
    const p = await timed('step 3 run (cilium flavor)', async () => (await svc.runStep(QS, 'baseline', target, params)).done);
    expect(p.state).toBe('passed');
    const cnp = JSON.parse(kubectl('-n', 'lab-cilium', 'get', 'ciliumnetworkpolicy', 'allow-apiserver-egress', '-o', 'json')) as { spec: unknown };
    expect(cnp.spec).toMatchObject({ egress: [{ toEntities: ['kube-apiserver'] }] });
    const deny = JSON.parse(kubectl('-n', 'lab-cilium', 'get', 'ciliumnetworkpolicy', 'default-deny-all', '-o', 'json')) as { spec: unknown };
    // the empty rules survive the CRD's structural schema (they are what makes it deny)
    expect(deny.spec).toMatchObject({ endpointSelector: {}, ingress: [{}], egress: [{}] });
  });

  it('progress is remembered per target, across a restart of the service', () => {
    const again = createWalkthroughService(walkthroughDeps({ configDir: join(work, 'config'), runner, targets: registry }));
    expect(again.progress(QS, target).steps.map((s) => `${s.stepId}:${s.state}`)).toEqual(['lab-cluster:not-started', 'kernel:passed', 'install:passed', 'baseline:passed', 'dataplane:not-started', 'connectivity:not-started']);
    expect(again.progress(QS, 'host').steps.every((s) => s.state === 'not-started')).toBe(true);
  });

  it('cleanup: the baseline policies deleted, Cilium uninstalled with helm; the cluster is bare again', async () => {
    const b = await timed('step 3 cleanup', async () => (await svc.cleanupStep(QS, 'baseline', target, { policyNamespace: 'lab-apps' })).done);
    expect(b).toMatchObject({ state: 'not-started', reason: 'cleaned up' });
    expect(kubectl('-n', 'lab-apps', 'get', 'networkpolicies', '-o', 'name').trim()).toBe('');
    // the cleanup deleted what its own parameters made: the CiliumNetworkPolicies of lab-cilium stay
    expect(kubectl('-n', 'lab-cilium', 'get', 'ciliumnetworkpolicies', '-o', 'name').trim().split('\n')).toHaveLength(3);
    const i = await timed('step 2 cleanup (helm uninstall)', async () => (await svc.cleanupStep(QS, 'install', target, { installMethod: 'helm-local', chart: chartTgz })).done);
    expect(i.state).toBe('not-started');
    expect(kubectl('-n', 'kube-system', 'get', 'daemonsets', '-o', 'name').trim()).toBe('');
    expect(existsSync(chartTgz)).toBe(true);
    expect(readFileSync((svc as unknown as { progressStore: { fileOf(t: string): string } }).progressStore.fileOf(target), 'utf8')).toContain('"cleaned up"');
  }, 300_000);
});
