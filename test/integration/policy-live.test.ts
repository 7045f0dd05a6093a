import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { analyzeDir, analyzeObjects, connlistJSON, trace } from '../../src/main/core/policy';
import { fetchPolicyObjects } from '../../src/main/core/policy-live/fetch';
import { contextTargetId, TargetRegistry } from '../../src/main/core/targets/registry';
import { adminClient, testCluster } from '../helpers/testcluster';
import type { KubeObject } from '../../scripts/testcluster/index';

const EXAMPLE = join(__dirname, '../../resources/policies/example-shop');
/** A Cilium policy on top: cart may also be reached by the world on 9090 (metrics), through the CRD. */
const CNP = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'cart-metrics', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'cart' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }] },
};

let reg: TargetRegistry;
beforeAll(async () => {
  const admin = adminClient('kind-cilium');
  try {
    const docs = ['workloads.yaml', 'policies.yaml'].flatMap((f) => parseAllDocuments(readFileSync(join(EXAMPLE, f), 'utf8')).map((d) => d.toJS() as KubeObject));
    // Namespaces first; kube-system exists already.
    for (const o of docs.filter((d) => d.kind === 'Namespace' && d.metadata?.name !== 'kube-system')) await admin.apply(o);
    for (const o of docs.filter((d) => d.kind !== 'Namespace' && d.metadata?.namespace === 'shop')) await admin.apply(o);
    await admin.apply(CNP as unknown as KubeObject);
  } finally {
    admin.close();
  }
  reg = new TargetRegistry({ env: { KUBECONFIG: testCluster('kind-cilium').kubeconfig } });
});
afterAll(async () => {
  reg?.close();
  // Leave the shared cluster as we found it.
  const admin = adminClient('kind-cilium');
  try {
    await admin.delete('cilium.io/v2', 'CiliumNetworkPolicy', 'cart-metrics', 'shop');
    await admin.delete('v1', 'Namespace', 'shop');
  } finally {
    admin.close();
  }
});

describe('policy analysis on a live cluster (policies created through the API, Cilium CRDs included)', () => {
  it('reads workloads and both policy kinds, and answers like the files plus the Cilium policy', async () => {
    const live = await fetchPolicyObjects(reg.client(contextTargetId('kind-lab')));
    expect(live.issues.filter((i) => i.severity !== 'info')).toEqual([]);
    const a = analyzeObjects(live.objects, live.issues);
    expect(a.model.policies.map((p) => `${p.kind} ${p.namespace}/${p.name}`)).toEqual(
      expect.arrayContaining(['NetworkPolicy shop/default-deny', 'NetworkPolicy shop/cart', 'CiliumNetworkPolicy shop/cart-metrics']),
    );
    const shopOnly = (c: { src: string; dst: string }) => c.src.startsWith('shop/') && c.dst.startsWith('shop/');
    const fromFiles = connlistJSON((await analyzeDir(EXAMPLE)).connections()).connections.filter(shopOnly);
    const fromCluster = connlistJSON(a.connections()).connections.filter(shopOnly);
    expect(fromCluster).toEqual(fromFiles);
    // The Cilium policy adds world → cart:9090; the Kubernetes policies alone do not.
    expect(trace(a, { src: '203.0.113.7', dst: 'shop/cart[Deployment]', protocol: 'TCP', port: 9090 }).allowed).toBe(true);
    expect(trace(a, { src: '203.0.113.7', dst: 'shop/cart[Deployment]', protocol: 'TCP', port: 7070 }).allowed).toBe(false);
  });

  it('the CLI answers from --context', () => {
    const c = testCluster('kind-cilium');
    const r = spawnSync(process.execPath, ['node_modules/.bin/tsx', 'src/main/cli/index.ts', 'policy', 'trace', '--context', 'kind-lab', '--kubeconfig', c.kubeconfig, '--src', 'shop/frontend[Deployment]', '--dst', 'shop/cart[Deployment]', '--protocol', 'TCP', '--port', '7070', '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { allowed: boolean };
    expect(out.allowed).toBe(true);
  });
});
