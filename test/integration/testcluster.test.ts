// Proves the test control plane: the profiles hold what real kind / Cilium clusters hold,
// CRDs validate with their real schemas, RBAC is enforced, and clusters stop cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterHandle, KubeObject } from '../../scripts/testcluster/index';
import {
  Kube,
  KubeError,
  binaries,
  clusterStatus,
  ensureCluster,
  issueUserKubeconfig,
  readState,
  startComponent,
  stopCluster,
  stopComponent,
} from '../../scripts/testcluster/index';
import { adminClient, kubeConfigFor, testCluster, userKubeconfig } from '../helpers/testcluster';

interface NodeObj extends KubeObject {
  spec: { podCIDRs?: string[]; taints?: Array<{ key: string; effect: string }> };
  status: { conditions: Array<{ type: string; status: string; reason?: string }>; addresses: Array<{ type: string; address: string }>; nodeInfo: Record<string, string> };
}
interface PodObj extends KubeObject {
  spec: { nodeName: string; hostNetwork?: boolean };
  status: { phase: string; podIP?: string };
}

const repoRoot = join(import.meta.dirname, '..', '..');
// Test runs in one working tree share the clusters: name what we create after this run.
const run = `${process.pid}`;

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base as string);
  return toInt(ip) >= start && toInt(ip) < start + size;
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof KubeError) return e.status;
    throw e;
  }
}

describe('kind-cilium profile', () => {
  let kube: Kube;
  beforeAll(() => {
    kube = adminClient('kind-cilium');
  });
  afterAll(() => kube.close());

  it('is reachable with @kubernetes/client-node on context kind-lab and has 3 Ready kind nodes', async () => {
    const c = testCluster('kind-cilium');
    expect(c.context).toBe('kind-lab');
    expect(c.kubeconfig.endsWith(join('.testcluster', 'kind-cilium', 'kubeconfig'))).toBe(true);
    const api = kubeConfigFor('kind-cilium').makeApiClient(CoreV1Api);
    const nodes = (await api.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(['lab-control-plane', 'lab-worker', 'lab-worker2']);
    for (const n of nodes) {
      expect(n.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
      const info = n.status?.nodeInfo;
      expect(info?.osImage).toBe('Debian GNU/Linux 12 (bookworm)');
      expect(info?.kernelVersion).toMatch(/^\d+\.\d+\.\d+-\d+-generic$/);
      expect(info?.containerRuntimeVersion).toMatch(/^containerd:\/\/2\./);
      expect(info?.kubeletVersion).toMatch(/^v1\.34\./);
      expect(info?.architecture).toBe('amd64');
      expect(info?.operatingSystem).toBe('linux');
      const addresses = n.status?.addresses ?? [];
      expect(addresses.find((a) => a.type === 'InternalIP')?.address).toMatch(/^172\.18\.0\.\d+$/);
      expect(addresses.find((a) => a.type === 'Hostname')?.address).toBe(n.metadata?.name);
      expect(n.metadata?.labels?.['kubernetes.io/hostname']).toBe(n.metadata?.name);
      expect(n.spec?.podCIDRs?.length).toBe(1);
      expect(inCidr((n.spec?.podCIDRs?.[0] ?? '').split('/')[0] as string, '10.244.0.0/16')).toBe(true);
      expect(n.spec?.podCIDRs?.[0]).toMatch(/\/24$/);
      // Cilium's node condition, not kwok's cloud-route one
      expect(n.status?.conditions?.find((x) => x.type === 'NetworkUnavailable')?.reason).toBe('CiliumIsUp');
    }
    const cp = nodes.find((n) => n.metadata?.name === 'lab-control-plane');
    expect(cp?.metadata?.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
    expect(cp?.metadata?.labels).toHaveProperty('node.kubernetes.io/exclude-from-external-load-balancers', '');
    expect(cp?.spec?.taints).toContainEqual(expect.objectContaining({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }));
    expect(cp?.spec?.podCIDRs).toEqual(['10.244.0.0/24']);
  });

  it('answers the built kubectl with 3 Ready nodes', () => {
    const c = testCluster('kind-cilium');
    const r = spawnSync(binaries().kubectl, ['--kubeconfig', c.kubeconfig, '--context', c.context, 'get', 'nodes', '--no-headers'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.split(/\s+/)[1]).toBe('Ready');
  });

  it('runs CoreDNS behind kube-dns 10.96.0.10 with endpoints filled by the controller-manager', async () => {
    const svc = await kube.get<KubeObject & { spec: { clusterIP: string; ports: Array<{ port: number; protocol: string }> } }>('v1', 'Service', 'kube-dns', 'kube-system');
    expect(svc?.spec.clusterIP).toBe('10.96.0.10');
    expect(svc?.spec.ports.map((p) => `${p.port}/${p.protocol}`).sort()).toEqual(['53/TCP', '53/UDP', '9153/TCP']);
    const deploy = await kube.get<KubeObject & { spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } }>('apps/v1', 'Deployment', 'coredns', 'kube-system');
    expect(deploy?.spec.replicas).toBe(2);
    expect(deploy?.spec.template.spec.containers[0]?.image).toMatch(/^registry\.k8s\.io\/coredns\/coredns:v1\.12\./);
    const pods = await kube.list<PodObj>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    expect(pods).toHaveLength(2);
    const slices = await kube.list<KubeObject & { endpoints: Array<{ addresses: string[]; conditions: { ready: boolean } }> }>('discovery.k8s.io/v1', 'EndpointSlice', {
      namespace: 'kube-system',
      labelSelector: 'kubernetes.io/service-name=kube-dns',
    });
    const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions.ready).flatMap((e) => e.addresses);
    expect(ready.sort()).toEqual(pods.map((p) => p.status.podIP).sort());
    for (const ip of ready) expect(inCidr(ip, '10.244.0.0/16')).toBe(true);
  });

  it('has Cilium installed the way a real kube-proxy-free install leaves it', async () => {
    const cm = await kube.get<KubeObject & { data: Record<string, string> }>('v1', 'ConfigMap', 'cilium-config', 'kube-system');
    expect(cm?.data).toMatchObject({
      'kube-proxy-replacement': 'true',
      'routing-mode': 'tunnel',
      'tunnel-protocol': 'vxlan',
      ipam: 'kubernetes',
      'enable-bpf-masquerade': 'true',
    });
    expect(cm?.data.mtu ?? '0').toBe('0');
    const ds = await kube.get<KubeObject & { spec: { template: { spec: { hostNetwork: boolean; containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }> } } } }>(
      'apps/v1', 'DaemonSet', 'cilium', 'kube-system',
    );
    expect(ds?.metadata.labels?.['k8s-app']).toBe('cilium');
    const agent = ds?.spec.template.spec.containers[0];
    expect(agent?.image).toMatch(/^quay\.io\/cilium\/cilium:v1\.18\./);
    expect(agent?.env).toContainEqual(expect.objectContaining({ name: 'KUBERNETES_SERVICE_HOST', value: 'lab-control-plane' }));
    const agents = await kube.list<PodObj>('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=cilium' });
    const nodes = await kube.list<NodeObj>('v1', 'Node');
    expect(agents.map((p) => p.spec.nodeName).sort()).toEqual(nodes.map((n) => n.metadata.name).sort());
    for (const p of agents) {
      expect(p.status.phase).toBe('Running');
      expect(p.spec.hostNetwork).toBe(true);
      const node = nodes.find((n) => n.metadata.name === p.spec.nodeName);
      expect(p.status.podIP).toBe(node?.status.addresses.find((a) => a.type === 'InternalIP')?.address);
    }
    expect(await kube.get('apps/v1', 'Deployment', 'cilium-operator', 'kube-system')).toBeTruthy();
    const kubeProxy = (await kube.list('apps/v1', 'DaemonSet', { namespace: 'kube-system' })).filter((d) => d.metadata.name.includes('kube-proxy'));
    expect(kubeProxy).toEqual([]);
    expect(await kube.get('v1', 'Secret', 'sh.helm.release.v1.cilium.v1', 'kube-system')).toBeTruthy();
  });

  it('has CiliumNodes matching the node podCIDRs, with IPAM owners, and CiliumEndpoints for pod-network pods', async () => {
    const nodes = await kube.list<NodeObj>('v1', 'Node');
    const cns = await kube.list<KubeObject & { spec: { ipam: { podCIDRs: string[] } }; status: { ipam: { used: Record<string, { owner: string }> } } }>('cilium.io/v2', 'CiliumNode');
    expect(cns.map((c) => c.metadata.name).sort()).toEqual(nodes.map((n) => n.metadata.name).sort());
    const pods = await kube.list<PodObj>('v1', 'Pod');
    for (const cn of cns) {
      const node = nodes.find((n) => n.metadata.name === cn.metadata.name);
      expect(cn.spec.ipam.podCIDRs).toEqual(node?.spec.podCIDRs);
      const owners = Object.values(cn.status.ipam.used).map((u) => u.owner);
      expect(owners).toContain('router');
      expect(owners).toContain('health');
      for (const p of pods.filter((x) => x.spec.nodeName === cn.metadata.name && !x.spec.hostNetwork)) {
        expect(cn.status.ipam.used[p.status.podIP as string]?.owner).toBe(`${p.metadata.namespace}/${p.metadata.name}`);
      }
    }
    const ceps = await kube.list('cilium.io/v2', 'CiliumEndpoint');
    expect(ceps.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort()).toEqual(
      pods.filter((p) => !p.spec.hostNetwork).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
    );
  });

  it('serves the Cilium CRDs with their real schemas: a bad CiliumNetworkPolicy is rejected', async () => {
    const topLevel: Record<string, string> = { ciliumnodes: 'spec', ciliumnetworkpolicies: 'spec', ciliumclusterwidenetworkpolicies: 'spec', ciliumendpoints: 'status' };
    for (const [crd, field] of Object.entries(topLevel)) {
      const obj = await kube.get<KubeObject & { spec: { versions: Array<{ name: string; served: boolean; schema?: { openAPIV3Schema?: { properties?: Record<string, unknown> } } }> } }>(
        'apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${crd}.cilium.io`,
      );
      const v2 = obj?.spec.versions.find((v) => v.name === 'v2');
      expect(v2?.served).toBe(true);
      expect(Object.keys(v2?.schema?.openAPIV3Schema?.properties ?? {})).toContain(field);
    }
    const cnp = (name: string, protocol: string): KubeObject => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name, namespace: 'default' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol }] }] }] },
    });
    const bad = await kube.create(cnp('itest-bad', 'HTTP'), { retries: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(KubeError);
    expect((bad as KubeError).status).toBe(422);
    expect((bad as KubeError).message).toMatch(/protocol/);
    const wrongType = await kube.create({ ...cnp('itest-bad2', 'TCP'), spec: { endpointSelector: 'app=web' } }, { retries: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((wrongType as KubeError).status).toBe(422);
    await kube.create(cnp(`itest-good-${run}`, 'TCP'));
    expect(await kube.delete('cilium.io/v2', 'CiliumNetworkPolicy', `itest-good-${run}`, 'default')).toBe(true);
  });

  it('enforces RBAC: a minted user is forbidden until bound, then only gets what the role allows', async () => {
    const readerName = `itest-node-reader-${run}`;
    const role = `itest-get-nodes-${run}`;
    const nobody = Kube.fromKubeconfig(await userKubeconfig('kind-cilium', `itest-nobody-${run}`, ['itest-group']), 'kind-lab');
    const reader = Kube.fromKubeconfig(await userKubeconfig('kind-cilium', readerName), 'kind-lab');
    try {
      expect(await statusOf(nobody.list('v1', 'Node'))).toBe(403);
      expect(await statusOf(nobody.get('v1', 'Node', 'lab-worker'))).toBe(403);
      await kube.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] });
      await kube.apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: readerName }],
      });
      // RBAC changes reach the authorizer's cache within moments.
      const deadline = Date.now() + 10_000;
      while ((await statusOf(reader.get('v1', 'Node', 'lab-worker'))) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await statusOf(reader.get('v1', 'Node', 'lab-worker'))).toBe(200);
      expect(await statusOf(reader.list('v1', 'Node'))).toBe(403);
      expect(await statusOf(reader.list('v1', 'Pod', { namespace: 'kube-system' }))).toBe(403);
      expect(await statusOf(nobody.get('v1', 'Node', 'lab-worker'))).toBe(403);
    } finally {
      nobody.close();
      reader.close();
      await kube.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', role);
      await kube.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', role);
    }
  });
});

describe('kind-default profile', () => {
  let kube: Kube;
  beforeAll(() => {
    kube = adminClient('kind-default');
  });
  afterAll(() => kube.close());

  it('is a plain kind cluster: context kind-kind, kindnet, kube-proxy in iptables mode, CoreDNS, no Cilium', async () => {
    expect(testCluster('kind-default').context).toBe('kind-kind');
    const nodes = await kube.list<NodeObj>('v1', 'Node');
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['kind-control-plane', 'kind-worker', 'kind-worker2']);
    for (const n of nodes) {
      expect(n.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.status.conditions.find((c) => c.type === 'NetworkUnavailable')).toBeUndefined();
      expect(n.status.nodeInfo.osImage).toBe('Debian GNU/Linux 12 (bookworm)');
    }
    const cm = await kube.get<KubeObject & { data: Record<string, string> }>('v1', 'ConfigMap', 'kube-proxy', 'kube-system');
    const conf = cm?.data['config.conf'] ?? '';
    expect(conf).toMatch(/^kind: KubeProxyConfiguration$/m);
    expect(conf).toMatch(/^mode: iptables$/m);
    expect(conf).toMatch(/^clusterCIDR: 10\.244\.0\.0\/16$/m);
    for (const [ds, sel] of [['kube-proxy', 'k8s-app=kube-proxy'], ['kindnet', 'app=kindnet']] as const) {
      expect(await kube.get('apps/v1', 'DaemonSet', ds, 'kube-system')).toBeTruthy();
      const pods = await kube.list<PodObj>('v1', 'Pod', { namespace: 'kube-system', labelSelector: sel });
      expect(pods.filter((p) => p.status.phase === 'Running')).toHaveLength(3);
    }
    expect(await kube.get('apps/v1', 'DaemonSet', 'cilium', 'kube-system')).toBeUndefined();
    const crds = await kube.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    expect(crds.filter((c) => c.metadata.name.endsWith('.cilium.io'))).toEqual([]);
    const slices = await kube.list<KubeObject & { endpoints?: Array<{ conditions: { ready: boolean } }> }>('discovery.k8s.io/v1', 'EndpointSlice', {
      namespace: 'kube-system',
      labelSelector: 'kubernetes.io/service-name=kube-dns',
    });
    expect(slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions.ready)).toHaveLength(2);
  });
});

describe('cluster lifecycle', () => {
  const name = `itest-lifecycle-${run}`;
  let h: ClusterHandle;
  beforeAll(async () => {
    h = await ensureCluster('kind-default', { name, log: () => {} });
  }, 180_000);
  afterAll(async () => {
    await stopCluster(name, { log: () => {} });
    if (h) rmSync(h.dir, { recursive: true, force: true }); // logs of a per-run instance
  });

  it('reuses a healthy running cluster instead of starting another', async () => {
    const shared = testCluster('kind-cilium');
    const again = await ensureCluster('kind-cilium', { log: () => {} });
    expect(again.server).toBe(shared.server);
  });

  it('loses and regains the apiserver with stopComponent / startComponent', async () => {
    const kube = Kube.fromKubeconfig(h.kubeconfig, h.context);
    try {
      expect((await kube.list('v1', 'Node')).length).toBe(3);
      await stopComponent(name, 'kube-apiserver');
      const down = await kube.request('GET', '/api/v1/nodes', { timeoutMs: 3000 }).then(
        () => undefined,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(down?.code).toBe('ECONNREFUSED');
      const st = (await clusterStatus(name))[0];
      expect(st?.ready).toBe(false);
      expect(st?.components.find((c) => c.component === 'kube-apiserver')?.running).toBe(false);
      await startComponent(name, 'kube-apiserver', { log: () => {} });
      expect((await kube.list('v1', 'Node')).length).toBe(3);
      expect((await clusterStatus(name))[0]?.ready).toBe(true);
    } finally {
      kube.close();
    }
  });

  it('mints user kubeconfigs signed by the cluster CA', async () => {
    const out = await issueUserKubeconfig(name, { user: 'jane', groups: ['devs'] });
    expect(readFileSync(out, 'utf8')).toContain('current-context: kind-kind');
    const jane = Kube.fromKubeconfig(out);
    try {
      expect(await statusOf(jane.list('v1', 'Pod', { namespace: 'default' }))).toBe(403);
    } finally {
      jane.close();
    }
  });

  it('`down` stops every process it started and leaves none running', () => {
    const pids = Object.values(readState(name)?.components ?? {}).map((r) => r?.pid);
    expect(pids).toHaveLength(5);
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repoRoot, 'scripts', 'testcluster', 'cli.ts'), 'down', '--name', name], {
      encoding: 'utf8',
      cwd: repoRoot,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${name}: stopped 5 process(es)`);
    for (const pid of pids) {
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      // gone, or a zombie waiting for its reaper
      expect(stat === '' || / [ZX] /.test(stat.slice(stat.lastIndexOf(')')))).toBe(true);
    }
    expect(readState(name)).toBeUndefined();
    // a second down tolerates the missing state
    const again = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repoRoot, 'scripts', 'testcluster', 'cli.ts'), 'down', '--name', name], { encoding: 'utf8', cwd: repoRoot });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing was running');
  });
});
