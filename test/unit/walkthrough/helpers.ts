// Test doubles for the walkthrough engine: stand-in kubectl/helm/kind/cilium programs run by the
// app's real Runner (so argv, target flags, sessions and transcripts are the real ones), and an
// in-memory Kubernetes API that serves what the stand-in kubectl applied.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { objectPath, type ApiReader } from '../../../src/main/core/baseline';
import { Runner } from '../../../src/main/core/runner/runner';
import { TOOLS } from '../../../src/main/core/runner/tools';
import { createWalkthroughService, type WalkthroughDeps } from '../../../src/main/core/walkthrough';
import type { Finding } from '../../../src/shared/api/checks-types';
import { LabError } from '../../../src/shared/errors';

export const DATAPLANE = join(__dirname, '../../fixtures/dataplane');

/**
 * One shell script behind every tool name. It appends its argv (tab-separated) to calls.log,
 * fails when a file fail-<tool> exists (printing it), and answers the few commands the
 * walkthroughs read from state files.
 */
const SCRIPT = (state: string) => `#!/bin/sh
tool=$(basename "$0")
state='${state}'
line="$tool"
for a in "$@"; do line="$line	$a"; done
printf '%s\\n' "$line" >> "$state/calls.log"
if [ -f "$state/fail-$tool" ]; then cat "$state/fail-$tool" >&2; exit 1; fi
if [ -f "$state/sleep-$tool" ]; then echo "working"; sleep "$(cat "$state/sleep-$tool")"; fi
case "$tool $*" in
  "kubectl apply -f "*)
    n=$(ls "$state/applied" | wc -l)
    cp "$3" "$state/applied/$n.yaml"
    echo "applied $3" ;;
  "kubectl diff -f "*) echo "+ kind: NetworkPolicy"; exit 1 ;;
  "kubectl -n kube-system get configmap cilium-config -o json"*) cat "$state/cilium-config.json" ;;
  *"cilium-dbg status -o json"*) cat "$state/agent-status.json" ;;
  *"cilium-dbg service list"*) cat "$state/service-list.txt" ;;
  "cilium status "*) cat "$state/cilium-status.json" ;;
  "kind get clusters"*) echo lab ;;
  "helm upgrade "*) echo 'Release "cilium" has been upgraded. Happy Helming!' ;;
  *) echo "ok: $tool $*" ;;
esac
`;

export interface Fake {
  dir: string;
  bin: string;
  state: string;
  configDir: string;
  kubeconfig: string;
  /** argv of every call, tool first (target flags included, as the Runner added them). */
  calls(): string[][];
  fail(tool: string, stderr: string): void;
  write(name: string, text: string): void;
  /** Objects kubectl applied so far. */
  applied(): Record<string, unknown>[];
}

export function makeFake(tools: readonly string[] = ['kubectl', 'helm', 'kind', 'cilium', 'hubble']): Fake {
  const dir = mkdtempSync(join(tmpdir(), 'dpl-walk-'));
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  mkdirSync(bin);
  mkdirSync(join(state, 'applied'), { recursive: true });
  const script = join(dir, 'fake-tool.sh');
  writeFileSync(script, SCRIPT(state));
  chmodSync(script, 0o755);
  for (const t of tools) symlinkSync(script, join(bin, t));
  copyFileSync(join(DATAPLANE, 'cilium-status/constructed-v1.16.0.json'), join(state, 'cilium-status.json'));
  copyFileSync(join(DATAPLANE, 'agent-status/constructed-v1.17.7.json'), join(state, 'agent-status.json'));
  copyFileSync(join(DATAPLANE, 'service-list/docs-kubeproxy-free.txt'), join(state, 'service-list.txt'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  return {
    dir,
    bin,
    state,
    configDir: join(dir, 'config'),
    kubeconfig,
    calls: () => (existsSync(join(state, 'calls.log')) ? readFileSync(join(state, 'calls.log'), 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => l.split('\t')) : []),
    fail: (tool, stderr) => writeFileSync(join(state, `fail-${tool}`), stderr),
    write: (name, text) => writeFileSync(join(state, name), text),
    applied: () =>
      readdirSync(join(state, 'applied'))
        .sort((a, b) => Number(basename(a, '.yaml')) - Number(basename(b, '.yaml')))
        .flatMap((f) => parseAllDocuments(readFileSync(join(state, 'applied', f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>)),
  };
}

/** Serves applied objects (with server-set metadata), fixed objects by path, and workloads whose status changes per read. */
export function fakeApi(fake: Fake, o: { objects?: Record<string, unknown>; workloads?: Record<string, () => unknown>; forbidden?: string[] } = {}): ApiReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async get<T>(path: string): Promise<T> {
      reads.push(path);
      if (o.forbidden?.some((f) => path.startsWith(f))) throw new LabError('FORBIDDEN', `forbidden: ${path}`);
      const w = o.workloads?.[path];
      if (w) {
        const v = w();
        if (v === undefined) throw new LabError('NOT_FOUND', `${path} was not found (404)`);
        return v as T;
      }
      if (o.objects && path in o.objects) return structuredClone(o.objects[path]) as T;
      for (const obj of fake.applied().reverse()) {
        if (objectPath(obj) === path) {
          const m = obj.metadata as Record<string, unknown>;
          return { ...obj, metadata: { ...m, uid: 'uid-1', resourceVersion: '42', labels: { ...(m.labels as object), ...(obj.kind === 'Namespace' ? { 'kubernetes.io/metadata.name': m.name } : {}) } } } as T;
        }
      }
      throw new LabError('NOT_FOUND', `${path} was not found (404)`);
    },
  };
}

/** EndpointSlice default/kubernetes as kind's API server writes it. */
export const KIND_API_SLICES = {
  '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes': {
    items: [{ addressType: 'IPv4', endpoints: [{ addresses: ['172.18.0.2'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  },
};

export interface Recorded {
  events: { event: string; payload: Record<string, unknown> }[];
}

export function service(fake: Fake, over: Omit<Partial<WalkthroughDeps>, 'reader'> & { pathEnv?: string; reader?: ApiReader; findings?: Finding[] } = {}) {
  const { pathEnv, reader: givenReader, findings, ...rest } = over;
  const rec: Recorded = { events: [] };
  const runner = new Runner({ started() {}, data() {}, exit() {} }, { tools: TOOLS, pathEnv: () => pathEnv ?? fake.bin, killGraceMs: 200 });
  const reader = givenReader ?? fakeApi(fake, { objects: KIND_API_SLICES });
  const s = createWalkthroughService({
    configDir: fake.configDir,
    runner,
    kubeTarget: (targetId) => {
      if (targetId === 'host') throw new LabError('INVALID_REQUEST', 'the host target has no cluster', 'Pick a cluster target for kubectl, helm, cilium and hubble.');
      return { kubeconfigs: [fake.kubeconfig], context: 'kind-lab' };
    },
    reader: () => reader,
    server: () => 'https://127.0.0.1:6443',
    checks: findings ? async (_t, ids) => findings.filter((f) => ids.includes(f.checkId)) : undefined,
    kindKubeconfig: () => fake.kubeconfig,
    emit: (event, payload) => rec.events.push({ event, payload: payload as Record<string, unknown> }),
    waitIntervalMs: 20,
    ...rest,
  });
  return { s, rec, runner, reader };
}

export function finding(checkId: string, status: Finding['status'], summary = `${checkId} ${status}`): Finding {
  return { checkId, title: checkId, category: 'kernel', status, summary, evidence: [], fix: status === 'fail' ? { text: `fix ${checkId}` } : null, reference: 'test' };
}
