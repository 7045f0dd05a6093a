import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TargetRegistry, contextTargetId } from '../../src/main/core/targets/registry';
import { LabError } from '../../src/shared/errors';
import type { TargetList } from '../../src/shared/api';
import { adminClient, testCluster, userKubeconfig } from '../helpers/testcluster';
import { startComponent, stopComponent, versions, binaries } from '../../scripts/testcluster/index';
import { testService } from '../helpers/service';

const registries: TargetRegistry[] = [];
afterAll(() => registries.forEach((r) => r.close()));
const registry = (kubeconfigs: string[], extra: Partial<ConstructorParameters<typeof TargetRegistry>[0]> = {}) => {
  const r = new TargetRegistry({ env: { KUBECONFIG: kubeconfigs.join(':'), PATH: process.env.PATH }, home: tmpdir(), ...extra });
  registries.push(r);
  return r;
};

describe('targets against the real control plane', () => {
  it('lists the contexts of two kubeconfigs and connects to each with the right server version', async () => {
    const cilium = testCluster('kind-cilium');
    const plain = testCluster('kind-default');
    const reg = registry([cilium.kubeconfig, plain.kubeconfig]);
    const list = reg.list();
    const ids = list.targets.map((t) => t.id);
    expect(ids).toEqual(['host', contextTargetId(cilium.context), contextTargetId(plain.context)]);
    expect(list.targets[1]).toMatchObject({ kind: 'kind', kindCluster: 'lab', server: cilium.server, authKind: 'client-certificate', problems: [] });
    for (const id of ids.slice(1)) {
      const conn = await reg.connect(id);
      expect(conn, id).toMatchObject({ state: 'connected', serverVersion: versions().KUBERNETES_VERSION, ready: 'ok', error: null });
      expect(conn.elapsedMs).toBeLessThan(5000);
    }
  });

  it('a user bound only to "get nodes" gets a forbidden message naming what it lacks', async () => {
    const c = testCluster('kind-cilium');
    const admin = adminClient('kind-cilium');
    try {
      await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'lab-get-nodes-only' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] });
      await admin.apply({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'lab-get-nodes-only' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'lab-get-nodes-only' },
        subjects: [{ kind: 'User', name: 'node-reader', apiGroup: 'rbac.authorization.k8s.io' }],
      });
    } finally {
      admin.close();
    }
    const kubeconfig = await userKubeconfig('kind-cilium', 'node-reader');
    const reg = registry([kubeconfig]);
    const id = reg.list().targets[1]!.id;
    expect((await reg.connect(id)).state).toBe('connected');
    const client = reg.client(id);
    // get one node: allowed.
    const node = await client.get<{ metadata: { name: string } }>('/api/v1/nodes/lab-control-plane', { what: 'node lab-control-plane' });
    expect(node.metadata.name).toBe('lab-control-plane');
    // list nodes, list pods: not allowed, and the message says exactly that.
    for (const [path, verb, res] of [['/api/v1/nodes', 'list', 'nodes'], ['/api/v1/namespaces/kube-system/pods', 'list', 'pods']] as const) {
      let err: unknown;
      try {
        await client.get(path, { verb });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('FORBIDDEN');
      expect((err as LabError).message).toContain(`node-reader cannot ${verb} ${res}`);
      expect((err as LabError).fix).toContain(`allows "${verb}" on "${res}"`);
    }
    expect(c.context).toBe('kind-lab');
  });

  it('a stopped API server is reported unreachable within seconds, and recovery is seen', async () => {
    const c = testCluster('kind-default');
    const reg = registry([c.kubeconfig], { connectTimeoutMs: 3000 });
    const id = reg.list().targets[1]!.id;
    expect((await reg.connect(id)).state).toBe('connected');
    await stopComponent(c.name, 'kube-apiserver');
    try {
      const down = await reg.connect(id);
      expect(down.state).toBe('error');
      expect(down.error).toMatchObject({ code: 'UNREACHABLE' });
      expect(down.error!.message).toContain('refused the connection');
      expect(down.elapsedMs).toBeLessThan(5000);
    } finally {
      await startComponent(c.name, 'kube-apiserver');
    }
    let back = await reg.connect(id);
    for (let i = 0; i < 60 && back.state !== 'connected'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      back = await reg.connect(id);
    }
    expect(back).toMatchObject({ state: 'connected', serverVersion: versions().KUBERNETES_VERSION });
  }, 180_000);

  it('a context added to a watched kubeconfig file appears live', async () => {
    const c = testCluster('kind-cilium');
    const file = join(mkdtempSync(join(tmpdir(), 'dlab-watch-')), 'config');
    copyFileSync(c.kubeconfig, file);
    const changes: TargetList[] = [];
    const reg = registry([file], { watchIntervalMs: 200, onChange: (l) => changes.push(l) });
    reg.watch();
    expect(reg.list().targets.map((t) => t.name)).toEqual(['this machine', 'kind-lab']);
    appendFileSync(file, ''); // no change in content: no event
    // What `kubectl config set-context kind-lab-netpol --cluster kind-lab --user kind-lab --namespace netpol-lab` does.
    const doc = parse(readFileSync(file, 'utf8')) as { contexts: unknown[] };
    doc.contexts.push({ name: 'kind-lab-netpol', context: { cluster: 'kind-lab', user: 'kind-lab', namespace: 'netpol-lab' } });
    writeFileSync(file, stringify(doc));
    const t0 = Date.now();
    const seen = () => changes.some((l) => l.targets.length === 3);
    while (!seen() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(changes.at(-1)?.targets.map((t) => t.name)).toEqual(['this machine', 'kind-lab', 'kind-lab-netpol']);
    expect(changes.at(-1)?.targets[2]).toMatchObject({ namespace: 'netpol-lab' });
  });

  it('a command on a cluster target runs with that kubeconfig and context, explicitly', async () => {
    const c = testCluster('kind-cilium');
    const service = testService({ env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    service.settings.update({ toolPaths: { kubectl: binaries().kubectl } });
    const ctx = { clientId: 't', transport: 'test' as const };
    const env = await service.dispatch('terminal.run', { tool: 'kubectl', args: ['get', 'nodes', '-o', 'name'], targetId: contextTargetId(c.context) }, ctx);
    expect(env.ok).toBe(true);
    const info = await service.runner.wait((env as { result: { sessionId: string } }).result.sessionId);
    expect(info.argv).toEqual(['kubectl', 'get', 'nodes', '-o', 'name', `--kubeconfig=${c.kubeconfig}`, '--context=kind-lab']);
    expect(info.exitCode).toBe(0);
    expect(service.runner.transcript(info.sessionId).text).toContain('node/lab-worker2');
    await service.dispose();
  });
});
