// Cilium as a real install leaves it in the API: the CRDs with their schemas and the Helm
// release (DaemonSet, operator, cilium-config…) from the Cilium Go module's own files
// (downloaded with `go mod download`, never committed), plus what the agents would write at
// runtime: CiliumNodes, CiliumIdentities and CiliumEndpoints.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runOk } from '../exec';
import type { KubeObject } from '../kube';
import { versions } from '../paths';
import type { NodeLike, PodLike, SeedContext } from '../seed';
import { waitCrdsEstablished } from '../seed';

let moduleDirs = new Map<string, Promise<string>>();

/** Local folder of github.com/cilium/cilium@version in the Go module cache (downloads it once, ~40 MB). */
export function ciliumModuleDir(version = versions().CILIUM_VERSION): Promise<string> {
  let p = moduleDirs.get(version);
  if (!p) {
    p = (async () => {
      const out = await runOk('go', ['mod', 'download', '-json', `github.com/cilium/cilium@${version}`], {
        cwd: tmpdir(),
        env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
        timeoutMs: 10 * 60_000,
      }).catch((e: unknown) => {
        throw new Error(`could not download the Cilium module (needs Go and the module proxy): ${(e as Error).message}`);
      });
      const info = JSON.parse(out) as { Dir?: string; Error?: string };
      if (!info.Dir) throw new Error(`go mod download github.com/cilium/cilium@${version}: ${info.Error ?? 'no Dir'}`);
      return info.Dir;
    })();
    p.catch(() => moduleDirs.delete(version));
    moduleDirs.set(version, p);
  }
  return p;
}

/** Test seam: forget downloaded module folders. */
export function resetCiliumModuleCache(): void {
  moduleDirs = new Map();
}

/** Every CRD Cilium's operator would register (cilium.io v2 and v2alpha1), schemas included. */
export async function ciliumCrds(version?: string): Promise<KubeObject[]> {
  const base = join(await ciliumModuleDir(version), 'pkg', 'k8s', 'apis', 'cilium.io', 'client', 'crds');
  const out: KubeObject[] = [];
  for (const v of ['v2', 'v2alpha1']) {
    const dir = join(base, v);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
        const obj = doc.toJS() as KubeObject | null;
        if (obj?.kind === 'CustomResourceDefinition') out.push(obj);
      }
    }
  }
  return out;
}

export async function installCiliumCrds(ctx: SeedContext): Promise<void> {
  const crds = await ciliumCrds();
  ctx.log(`installing ${crds.length} Cilium CRDs`);
  await ctx.apply(crds, { concurrency: 4 });
  await waitCrdsEstablished(ctx, crds.map((c) => c.metadata.name));
}

export interface CiliumInstall {
  /** cluster.name (Cilium's own cluster name, used in identities) */
  clusterName: string;
  /** where agents reach the apiserver without kube-proxy (kind: <cluster>-control-plane:6443) */
  k8sServiceHost: string;
  k8sServicePort: number;
  /** extra --set values */
  set?: Record<string, string | number | boolean>;
}

/**
 * `helm upgrade --install cilium` from the chart inside the Cilium module, with the values
 * a kube-proxy-free kind install uses. Objects and the Helm release record go through the API.
 */
export async function helmInstallCilium(ctx: SeedContext, o: CiliumInstall): Promise<void> {
  const chart = join(await ciliumModuleDir(), 'install', 'kubernetes', 'cilium');
  const values: Record<string, string | number | boolean> = {
    kubeProxyReplacement: true,
    k8sServiceHost: o.k8sServiceHost,
    k8sServicePort: o.k8sServicePort,
    'ipam.mode': 'kubernetes',
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    'bpf.masquerade': true,
    'cluster.name': o.clusterName,
    'operator.replicas': 1,
    ...o.set,
  };
  ctx.log(`helm install cilium ${versions().CILIUM_VERSION}`);
  await ctx.helm([
    'upgrade', '--install', 'cilium', chart, '--namespace', 'kube-system',
    ...Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]),
  ]);
}

// ---- what the agents write ----

/** Labels Cilium leaves out of identities (cilium's default label filter). */
const IGNORED_LABELS = [/^pod-template-hash$/, /^controller-revision-hash$/, /^pod-template-generation$/, /^io\.kubernetes\./, /^statefulset\.kubernetes\.io\/pod-name$/, /^batch\.kubernetes\.io\/controller-uid$/, /^controller-uid$/];

function securityLabels(pod: PodLike, namespaceLabels: Record<string, string>, cluster: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) if (!IGNORED_LABELS.some((r) => r.test(k))) out[`k8s:${k}`] = v;
  for (const [k, v] of Object.entries(namespaceLabels)) out[`k8s:io.cilium.k8s.namespace.labels.${k}`] = v;
  out['k8s:io.cilium.k8s.policy.cluster'] = cluster;
  out['k8s:io.cilium.k8s.policy.serviceaccount'] = pod.spec.serviceAccountName ?? 'default';
  out['k8s:io.kubernetes.pod.namespace'] = pod.metadata.namespace ?? 'default';
  return out;
}

function identityId(key: string, taken: Set<number>): number {
  // Cluster-local identities live in 256…65535; derive one from the label set, probe on collision.
  let n = 256 + (parseInt(createHash('sha256').update(key).digest('hex').slice(0, 8), 16) % (65536 - 256));
  while (taken.has(n)) n = n >= 65535 ? 256 : n + 1;
  taken.add(n);
  return n;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function intToIp(v: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
}

/** Router (CiliumInternalIP) and health addresses: the top of the node's podCIDR, clear of kwok's pod IPs (allocated from the bottom). */
function agentAddresses(podCIDR: string): { router: string; health: string } {
  const [base, bits] = podCIDR.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = ipToInt(base ?? '0.0.0.0');
  return { router: intToIp(first + size - 2), health: intToIp(first + size - 3) };
}

export interface AgentStateOptions {
  /** Cilium's cluster.name */
  clusterName: string;
  /**
   * Fill CiliumNode status.ipam.used with router, health and pod owners. Note: a real
   * 1.18 agent only writes it in CRD-backed IPAM modes (crd, eni, azure, alibabacloud);
   * in kubernetes/cluster-pool mode it stays empty (pkg/ipam: hostScope allocator).
   */
  ipamUsed?: boolean;
  /** one CiliumEndpoint per non-host-network pod (and the identities they reference) */
  endpoints?: boolean;
  concurrency?: number;
}

/**
 * Writes what running agents would: a CiliumNode per node (spec from the Node, podCIDRs as
 * allocated by the controller-manager), CiliumIdentities and CiliumEndpoints for the pods.
 * Call it once the pods are Running with IPs.
 */
export async function writeAgentState(ctx: SeedContext, o: AgentStateOptions): Promise<{ nodes: number; endpoints: number; identities: number }> {
  const concurrency = o.concurrency ?? 16;
  const nodes = await ctx.kube.list<NodeLike & { status?: { nodeInfo?: { bootID?: string } } }>('v1', 'Node', { limit: 2000 });
  const pods = (await ctx.kube.list<PodLike>('v1', 'Pod', { limit: 5000 })).filter((p) => p.status?.phase === 'Running' && p.status.podIP);
  const podNetworkPods = pods.filter((p) => !p.spec.hostNetwork);
  const byNode = new Map<string, PodLike[]>();
  for (const p of podNetworkPods) {
    const list = byNode.get(p.spec.nodeName ?? '') ?? [];
    list.push(p);
    byNode.set(p.spec.nodeName ?? '', list);
  }

  const ciliumNodes: KubeObject[] = [];
  const statuses: KubeObject[] = [];
  for (const n of nodes) {
    const podCIDRs = n.spec?.podCIDRs ?? [];
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const addrs = podCIDRs[0] ? agentAddresses(podCIDRs[0]) : undefined;
    const meta = { name: n.metadata.name, labels: n.metadata.labels ?? {}, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.metadata.name, uid: n.metadata.uid }] };
    ciliumNodes.push({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNode',
      metadata: meta,
      spec: {
        addresses: [...(ip ? [{ type: 'InternalIP', ip }] : []), ...(addrs ? [{ type: 'CiliumInternalIP', ip: addrs.router }] : [])],
        'alibaba-cloud': {},
        azure: {},
        bootid: n.status?.nodeInfo?.bootID ?? randomUUID(),
        encryption: {},
        eni: {},
        health: addrs ? { ipv4: addrs.health } : {},
        ingress: {},
        ipam: { podCIDRs, pools: {} },
      },
    });
    if (o.ipamUsed && addrs) {
      const used: Record<string, { owner: string }> = { [addrs.router]: { owner: 'router' }, [addrs.health]: { owner: 'health' } };
      for (const p of byNode.get(n.metadata.name) ?? []) used[String(p.status?.podIP)] = { owner: `${p.metadata.namespace}/${p.metadata.name}` };
      statuses.push({ apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: n.metadata.name }, status: { 'alibaba-cloud': {}, azure: {}, eni: {}, ipam: { 'operator-status': {}, used } } });
    }
  }
  await ctx.apply(ciliumNodes, { concurrency });
  if (statuses.length) await ctx.applyStatus(statuses, { concurrency });

  if (!o.endpoints) return { nodes: ciliumNodes.length, endpoints: 0, identities: 0 };

  const namespaces = await ctx.kube.list('v1', 'Namespace');
  const nsLabels = new Map(namespaces.map((x) => [x.metadata.name, x.metadata.labels ?? {}]));
  const identities = new Map<string, { id: number; labels: Record<string, string> }>();
  const taken = new Set<number>();
  const nodeIPs = new Map(nodes.map((n) => [n.metadata.name, n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address]));
  const endpoints: KubeObject[] = [];
  const endpointIds = new Map<string, number>();
  for (const p of podNetworkPods) {
    const labels = securityLabels(p, nsLabels.get(p.metadata.namespace ?? '') ?? {}, o.clusterName);
    const key = Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(';');
    let ident = identities.get(key);
    if (!ident) {
      ident = { id: identityId(key, taken), labels };
      identities.set(key, ident);
    }
    const node = p.spec.nodeName ?? '';
    const epId = (endpointIds.get(node) ?? 0) + 1 + Math.floor(Math.random() * 200);
    endpointIds.set(node, epId);
    const containerId = createHash('sha256').update(String(p.metadata.uid)).digest('hex');
    endpoints.push({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEndpoint',
      metadata: {
        name: p.metadata.name,
        namespace: p.metadata.namespace,
        labels: Object.fromEntries(Object.entries(p.metadata.labels ?? {})),
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid, blockOwnerDeletion: true }],
      },
      status: {
        encryption: {},
        'external-identifiers': {
          'cni-attachment-id': `${containerId}:eth0`,
          'container-id': containerId,
          'k8s-namespace': p.metadata.namespace,
          'k8s-pod-name': p.metadata.name,
          'pod-name': `${p.metadata.namespace}/${p.metadata.name}`,
        },
        id: epId,
        identity: { id: ident.id, labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort() },
        'named-ports': p.spec.containers.flatMap((c) => (c.ports ?? []).filter((x) => x.name).map((x) => ({ name: x.name, port: x.containerPort, protocol: x.protocol ?? 'TCP' }))),
        networking: { addressing: [{ ipv4: p.status?.podIP }], node: nodeIPs.get(node) },
        state: 'ready',
      },
    });
  }
  const identityObjects: KubeObject[] = [...identities.values()].map((i) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumIdentity',
    metadata: { name: String(i.id), labels: Object.fromEntries(Object.entries(i.labels).map(([k, v]) => [k.replace(/^k8s:/, ''), v] as const).filter(([k]) => !k.startsWith('io.cilium.k8s.namespace.labels.'))) },
    'security-labels': i.labels,
  }));
  await ctx.create(identityObjects, { concurrency, ignoreExists: true });
  await ctx.create(endpoints, { concurrency, ignoreExists: true });
  return { nodes: ciliumNodes.length, endpoints: endpoints.length, identities: identityObjects.length };
}
