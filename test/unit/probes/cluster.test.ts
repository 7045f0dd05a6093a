import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/main/core/kube/client';
import { CLUSTER_FACT_KEYS, probeCluster, type ProgressEvent } from '../../../src/main/core/probes/cluster';
import { Limiter } from '../../../src/main/core/probes/cluster-api';
import { countFromPage, HostNetworkIndex, phaseOfRow, podColumns } from '../../../src/main/core/probes/cluster-pods';
import { factsFromObjects } from '../../../src/main/core/facts';

/**
 * The probe's request plan and error handling against a local stand-in for the API server
 * (plain HTTP on 127.0.0.1). The real server is exercised in test/integration/gather.test.ts.
 */

type Handler = (url: URL, req: IncomingMessage) => { status?: number; body?: unknown; hang?: boolean } | undefined;

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

interface Fake {
  client: KubeClient;
  seen: string[];
  accepts: string[];
  maxInFlight: number;
}

async function fake(handler: Handler): Promise<Fake> {
  const state: Fake = { client: null as unknown as KubeClient, seen: [], accepts: [], maxInFlight: 0 };
  let inFlight = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.seen.push(`${url.pathname}${url.search}`);
    state.accepts.push(String(req.headers.accept));
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const r = handler(url, req) ?? { status: 404, body: { kind: 'Status', message: `${url.pathname} not found`, code: 404 } };
    if (r.hang) {
      req.on('close', () => inFlight--);
      return;
    }
    setTimeout(() => {
      inFlight--;
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(r.body ?? {}));
    }, 5);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }], currentContext: 'ctx' });
  state.client = new KubeClient(kc, 'ctx');
  return state;
}

const forbidden = (verb: string, res: string, group = '') => ({
  status: 403,
  body: { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: `${res} is forbidden: User "alice" cannot ${verb} resource "${res}" in API group "${group}" at the cluster scope` },
});

const node = (name: string) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name }, managedFields: [{ manager: 'kubelet' }] }, spec: { podCIDRs: ['10.244.0.0/24'] }, status: { images: [{ names: ['x'] }], nodeInfo: { kernelVersion: '6.8.0-85-generic' }, conditions: [{ type: 'Ready', status: 'True' }] } });

const POD_COLS = ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'].map((name) => ({ name }));
const podRow = (name: string, status: string, ip: string, nodeName: string, conditions?: unknown) => ({ cells: [name, '1/1', status, '0', '1m', ip || '<none>', nodeName || '<none>', '<none>', '<none>'], ...(conditions ? { conditions } : {}), object: null });

describe('probeCluster request plan', () => {
  it('asks only for what the wanted facts need', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: { gitVersion: 'v1.34.4' } };
      if (u.pathname === '/api/v1/namespaces/kube-system/services/kube-dns') return { body: { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] } } };
      return undefined;
    });
    const r = await probeCluster(f.client, ['dns.service']);
    expect(f.seen).toEqual(['/version', '/api/v1/namespaces/kube-system/services/kube-dns']);
    expect(r.facts['dns.service']).toMatchObject({ state: 'known', value: { clusterIP: '10.96.0.10' } });
    expect(Object.keys(r.facts)).toEqual(['dns.service']);
    expect(r.requests).toBe(2);
  });

  it('pages lists with limit/continue, keeps raw objects without managedFields and node images, readable by factsFromObjects', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: { gitVersion: 'v1.34.4' } };
      if (u.pathname === '/api/v1/nodes') {
        expect(u.searchParams.get('limit')).toBe('2');
        return u.searchParams.get('continue') === 'page2'
          ? { body: { kind: 'NodeList', items: [node('n3')], metadata: {} } }
          : { body: { kind: 'NodeList', items: [node('n1'), node('n2')], metadata: { continue: 'page2', remainingItemCount: 1 } } };
      }
      return undefined;
    });
    const r = await probeCluster(f.client, ['k8s.nodes'], { pageSize: 2 });
    expect(f.seen).toEqual(['/version', '/api/v1/nodes?limit=2', '/api/v1/nodes?limit=2&continue=page2']);
    expect(r.facts['k8s.nodes']?.state === 'known' && r.facts['k8s.nodes'].value.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(r.raw.nodes).toHaveLength(3);
    expect(r.raw.nodes?.[0]).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    expect(JSON.stringify(r.raw.nodes)).not.toMatch(/managedFields|images/);
    expect(factsFromObjects(r.raw.nodes as never)['k8s.nodes']).toEqual({ ...r.facts['k8s.nodes'], source: 'objects: Node list' });
  });

  it('raw: false gathers the same facts and keeps no objects', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: { gitVersion: 'v1.34.4' } };
      if (u.pathname === '/api/v1/nodes') return { body: { kind: 'NodeList', items: [node('n1')], metadata: {} } };
      return undefined;
    });
    const a = await probeCluster(f.client, ['k8s.nodes', 'k8s.version']);
    const b = await probeCluster(f.client, ['k8s.nodes', 'k8s.version'], { raw: false });
    expect(b.facts).toEqual(a.facts);
    expect(Object.keys(a.raw).sort()).toEqual(['nodes', 'version']);
    expect(b.raw).toEqual({});
  });

  it('counts from a limit=1 metadata list (items + remainingItemCount)', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: {} };
      if (u.pathname === '/api/v1/services') return { body: { kind: 'PartialObjectMetadataList', items: [{}], metadata: { continue: 'x', remainingItemCount: 1233 } } };
      return undefined;
    });
    const r = await probeCluster(f.client, ['k8s.serviceCount']);
    expect(r.facts['k8s.serviceCount']).toMatchObject({ state: 'known', value: 1234 });
    expect(f.seen[1]).toBe('/api/v1/services?limit=1');
    expect(f.accepts[1]).toContain('as=PartialObjectMetadataList');
    expect(countFromPage({ items: [1, 2], metadata: {} })).toBe(2);
    expect(countFromPage({ items: [1], metadata: { continue: 'c' } })).toBeNull();
  });

  it('reads pods as Tables per namespace and joins hostNetwork on (name, node, IP); phases from row conditions', async () => {
    const f = await fake((u) => {
      const p = u.pathname;
      if (p === '/version') return { body: {} };
      if (p === '/api/v1/namespaces') return { body: { kind: 'Table', columnDefinitions: [{ name: 'Name' }, { name: 'Status' }], rows: [{ cells: ['a', 'Active'] }, { cells: ['b', 'Active'] }], metadata: {} } };
      if (p === '/api/v1/pods' && u.searchParams.get('fieldSelector') === 'spec.hostNetwork=true')
        return { body: { kind: 'Table', columnDefinitions: POD_COLS, rows: [podRow('agent', 'Running', '172.18.0.3', 'w1')], metadata: {} } };
      if (p === '/api/v1/namespaces/a/pods')
        return { body: { kind: 'Table', columnDefinitions: POD_COLS, rows: [podRow('agent', 'Running', '172.18.0.3', 'w1'), podRow('web', 'CrashLoopBackOff', '10.244.1.5', 'w1'), podRow('job', 'Completed', '10.244.1.6', 'w1', [{ type: 'Completed', status: 'True', reason: 'Succeeded' }])], metadata: {} } };
      if (p === '/api/v1/namespaces/b/pods')
        return { body: { kind: 'Table', columnDefinitions: POD_COLS, rows: [podRow('agent', 'Running', '10.244.1.9', 'w1'), podRow('new', 'ContainerCreating', '', ''), podRow('evicted', 'Evicted', '', 'w1', [{ type: 'Completed', status: 'True', reason: 'Failed' }])], metadata: {} } };
      return undefined;
    });
    const r = await probeCluster(f.client, ['k8s.pods', 'k8s.podCount']);
    expect(r.facts['k8s.pods']).toMatchObject({
      state: 'known',
      value: expect.arrayContaining([
        ['a', 'agent', 'w1', '172.18.0.3', true, 'Running'],
        ['a', 'web', 'w1', '10.244.1.5', false, 'Running'],
        ['a', 'job', 'w1', '10.244.1.6', false, 'Succeeded'],
        ['b', 'agent', 'w1', '10.244.1.9', false, 'Running'],
        ['b', 'new', '', '', false, 'Pending'],
        ['b', 'evicted', 'w1', '', false, 'Failed'],
      ]),
    });
    expect(r.facts['k8s.podCount']).toMatchObject({ state: 'known', value: 6 });
    expect(f.seen.filter((s) => s.includes('/pods')).every((s) => s.includes('includeObject=None'))).toBe(true);
    expect(f.accepts.filter((_a, i) => f.seen[i]!.includes('/pods')).every((a) => a.includes('as=Table'))).toBe(true);
    expect(r.raw.pods).toHaveLength(6);
  });

  it('finds cilium-config in the namespace of the Cilium DaemonSet', async () => {
    const ds = { metadata: { name: 'cilium', namespace: 'cilium' }, spec: { template: { spec: { containers: [{ image: 'quay.io/cilium/cilium:v1.18.6' }] } } }, status: {} };
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: {} };
      if (u.pathname === '/apis/apps/v1/daemonsets') return { body: { items: [ds], metadata: {} } };
      if (u.pathname === '/api/v1/namespaces/cilium/configmaps/cilium-config') return { body: { metadata: { name: 'cilium-config', namespace: 'cilium' }, data: { ipam: 'kubernetes' } } };
      if (u.pathname.endsWith('/deployments')) return { body: { items: [], metadata: {} } };
      return undefined;
    });
    const r = await probeCluster(f.client, ['cilium.config', 'k8s.workloads']);
    expect(r.facts['cilium.config']).toMatchObject({ state: 'known', value: { namespace: 'cilium', data: { ipam: 'kubernetes' } } });
    expect(f.seen).toContain('/apis/apps/v1/namespaces/cilium/deployments?limit=500');
    expect(f.seen).toContain('/apis/apps/v1/namespaces/kube-system/deployments?limit=500');
    expect(f.seen.filter((s) => s.startsWith('/apis/apps/v1/daemonsets'))).toHaveLength(1);
  });
});

describe('probeCluster errors', () => {
  it('forbidden: those facts unknown naming the verb and resource; the rest gathered', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: { gitVersion: 'v1.34.4' } };
      if (u.pathname === '/api/v1/nodes') return { body: { items: [node('n1')], metadata: {} } };
      if (u.pathname === '/apis/apps/v1/daemonsets') return forbidden('list', 'daemonsets', 'apps');
      if (u.pathname === '/api/v1/namespaces') return forbidden('list', 'namespaces');
      if (u.pathname === '/api/v1/pods') return forbidden('list', 'pods');
      if (u.pathname.startsWith('/api/v1/namespaces/kube-system/configmaps/')) return forbidden('get', 'configmaps');
      if (u.pathname === '/api/v1/configmaps') return forbidden('list', 'configmaps');
      if (u.pathname === '/apis/cilium.io/v2/ciliumnodes') return forbidden('list', 'ciliumnodes', 'cilium.io');
      return undefined;
    });
    const events: ProgressEvent[] = [];
    const r = await probeCluster(f.client, ['k8s.nodes', 'k8s.workloads', 'k8s.pods', 'cilium.config', 'cilium.nodes', 'kubeproxy.config'], { onProgress: (e) => events.push(e) });
    expect(r.facts['k8s.nodes']?.state).toBe('known');
    expect(r.facts['k8s.workloads']).toMatchObject({ state: 'unknown', reason: 'forbidden' });
    expect(r.facts['k8s.workloads']?.state === 'unknown' && r.facts['k8s.workloads'].detail).toMatch(/^alice cannot list daemonsets \(API group apps\) at cluster scope \(Ask a cluster admin .*"list" on "daemonsets"/);
    expect(r.facts['k8s.pods']).toMatchObject({ state: 'unknown', reason: 'forbidden' });
    expect(r.facts['cilium.nodes']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('alice cannot list ciliumnodes (API group cilium.io)') });
    expect(r.facts['kubeproxy.config']).toMatchObject({ state: 'unknown', reason: 'forbidden', detail: expect.stringContaining('alice cannot get configmaps') });
    expect(r.facts['cilium.config']).toMatchObject({ state: 'unknown', reason: 'forbidden' });
    expect(events.filter((e) => e.state === 'started').map((e) => e.key).sort()).toEqual(['cilium.config', 'cilium.nodes', 'k8s.nodes', 'k8s.pods', 'k8s.workloads', 'kubeproxy.config']);
    expect(events.find((e) => e.key === 'k8s.nodes' && e.state === 'done')).toBeTruthy();
    expect(events.find((e) => e.key === 'k8s.workloads' && e.state === 'unknown')?.detail).toMatch(/^forbidden: alice cannot list daemonsets/);
  });

  it('not found: no CiliumNode CRD means Cilium is not installed; missing ConfigMaps are not-found', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: {} };
      if (u.pathname === '/apis/apps/v1/daemonsets') return { body: { items: [], metadata: {} } };
      return undefined;
    });
    const r = await probeCluster(f.client, ['cilium.nodes', 'cilium.config', 'kubeadm.networking', 'k8s.service.kubernetes']);
    expect(r.facts['cilium.nodes']).toMatchObject({ state: 'unknown', reason: 'not-found', detail: expect.stringContaining('Cilium is not installed') });
    expect(r.facts['cilium.config']).toMatchObject({ state: 'unknown', reason: 'not-found', detail: expect.stringContaining('Cilium is not installed') });
    expect(r.facts['kubeadm.networking']).toMatchObject({ state: 'unknown', reason: 'not-found' });
    expect(r.facts['k8s.service.kubernetes']).toMatchObject({ state: 'unknown', reason: 'not-found' });
  });

  it('a slow request makes its facts unknown (timeout); the others are gathered', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: {} };
      if (u.pathname === '/api/v1/nodes') return { hang: true };
      if (u.pathname === '/api/v1/namespaces/default/services/kubernetes') return { body: { spec: { clusterIP: '10.96.0.1' } } };
      return undefined;
    });
    const t0 = Date.now();
    const r = await probeCluster(f.client, ['k8s.nodes', 'k8s.service.kubernetes'], { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.facts['k8s.nodes']).toMatchObject({ state: 'unknown', reason: 'timeout', detail: expect.stringContaining('no answer within 300 ms') });
    expect(r.facts['k8s.service.kubernetes']?.state).toBe('known');
  });

  it('unreachable: fails fast with the typed error', async () => {
    const f = await fake(() => undefined);
    const port = (servers[0]!.address() as AddressInfo).port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const t0 = Date.now();
    await expect(probeCluster(f.client, CLUSTER_FACT_KEYS)).rejects.toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a server that stops answering /version is unreachable, not a pile of timeouts', async () => {
    const f = await fake(() => ({ hang: true }));
    await expect(probeCluster(f.client, CLUSTER_FACT_KEYS, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('/version') });
  });

  it('cancel: rejects CANCELLED and stops the requests in flight', async () => {
    const f = await fake((u) => (u.pathname === '/version' ? { body: {} } : { hang: true }));
    const ctl = new AbortController();
    const p = probeCluster(f.client, CLUSTER_FACT_KEYS, { signal: ctl.signal, timeoutMs: 10_000 });
    setTimeout(() => ctl.abort(), 100);
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('never more than `concurrency` requests in flight', async () => {
    const f = await fake((u) => {
      if (u.pathname === '/version') return { body: {} };
      if (u.pathname === '/api/v1/namespaces') return { body: { kind: 'Table', columnDefinitions: [{ name: 'Name' }], rows: Array.from({ length: 30 }, (_, i) => ({ cells: [`ns${i}`] })), metadata: {} } };
      if (u.pathname.endsWith('/pods')) return { body: { kind: 'Table', columnDefinitions: POD_COLS, rows: [], metadata: {} } };
      return { body: { items: [], metadata: {} } };
    });
    await probeCluster(f.client, CLUSTER_FACT_KEYS, { concurrency: 3 });
    expect(f.maxInFlight).toBeLessThanOrEqual(3);
    expect(f.seen.length).toBeGreaterThan(30);
  });
});

describe('helpers', () => {
  it('Limiter runs at most n at once, in order', async () => {
    const l = new Limiter(2);
    let active = 0;
    let max = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        l.run(async () => {
          active++;
          max = Math.max(max, active);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          active--;
        }),
      ),
    );
    expect(max).toBe(2);
    expect(order).toHaveLength(6);
  });

  it('hostNetwork join: exact first, and a pod scheduled or given its IP between the two lists still matches once', () => {
    const h = new HostNetworkIndex();
    h.add('cilium-abcde', 'w1', '172.18.0.3');
    h.add('cilium-envoy-x', '', '');
    h.add('kube-proxy-q', 'w2', '');
    expect(h.take('cilium-abcde', 'w1', '10.244.1.7')).toBe(false); // same name, other IP: a pod-network pod elsewhere
    expect(h.take('cilium-abcde', 'w1', '172.18.0.3')).toBe(true);
    expect(h.take('cilium-abcde', 'w1', '172.18.0.3')).toBe(false); // once only
    expect(h.take('cilium-envoy-x', 'w3', '172.18.0.5')).toBe(true); // was unscheduled when listed
    expect(h.take('kube-proxy-q', 'w2', '172.18.0.4')).toBe(true); // got its IP meanwhile
    expect(h.take('kube-proxy-q', 'w9', '172.18.0.4')).toBe(false);
  });

  it('pod phases from Table rows', () => {
    const row = (conditions?: { type: string; status: string; reason?: string }[]) => ({ cells: [], conditions });
    expect(phaseOfRow(row(), 'Running', '10.0.0.1')).toBe('Running');
    expect(phaseOfRow(row(), 'Init:0/1', '')).toBe('Pending');
    expect(phaseOfRow(row(), 'Terminating', '10.0.0.1')).toBe('Running');
    expect(phaseOfRow(row(), 'ImagePullBackOff', '')).toBe('Pending');
    expect(phaseOfRow(row([{ type: 'Completed', status: 'True', reason: 'Succeeded' }]), 'Completed', '10.0.0.1')).toBe('Succeeded');
    expect(phaseOfRow(row([{ type: 'Completed', status: 'True', reason: 'Failed' }]), 'Error', '10.0.0.1')).toBe('Failed');
    expect(() => podColumns([{ name: 'Age' }])).toThrow(/no Name column/);
  });
});
