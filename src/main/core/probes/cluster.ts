import { LabError } from '../../../shared/errors';
import { known, unknown, type Fact } from '../../../shared/facts';
import { findCiliumAgent } from '../checks/lib/cilium';
import {
  ciliumConfig,
  ciliumNodeSummary,
  daemonSetWorkload,
  deploymentWorkload,
  dnsService,
  endpointsOf,
  kubeadmNetworking,
  kubeProxyConfig,
  nodeSummary,
  serviceIP,
  type CiliumNodeObject,
  type ConfigMapObject,
  type DaemonSetObject,
  type DeploymentObject,
  type EndpointSliceObject,
  type NodeObject,
  type ServiceObject,
} from '../facts/from-k8s';
import { setFact } from '../facts/factset';
import { FACT_KEYS, isNodeFactKey, type CiliumNodeSummary, type FactKey, type FactSet, type FactValue, type NodeSummary } from '../facts/types';
import { ACCEPT_METADATA, ACCEPT_TABLE, type KubeClient } from '../kube/client';
import { ClusterApi, isFatal, unknownFrom, type ApiOptions, type ListPage } from './cluster-api';
import { countFromPage, listPodRows } from './cluster-pods';
import { listMeshDeployments, listSystemEvents, listSystemPods, meshDaemonSets, readMeshResources } from './cluster-diagnostics';

/**
 * The cluster probe: exactly the cluster facts asked for, through the Kubernetes API, at
 * the least cost the API allows (architecture.md, "Probes. Know the cost"):
 *
 * | fact | requests |
 * | --- | --- |
 * | k8s.version | GET /version (also the reachability check, first) |
 * | k8s.nodes | Nodes, paged (the summary needs labels, taints, conditions: no Table has them) |
 * | k8s.workloads | DaemonSets in all namespaces (CNIs and kube-proxy run in their own namespaces), Deployments in kube-system and Cilium's namespace, paged |
 * | cilium.config | GET <cilium DaemonSet's namespace>/cilium-config; when DaemonSets cannot be listed: kube-system, then a `metadata.name=cilium-config` field-selector list |
 * | kubeproxy.config, kubeadm.networking | GET kube-system/kube-proxy, kube-system/kubeadm-config |
 * | k8s.service.kubernetes, dns.service | GET default/kubernetes, kube-system/kube-dns |
 * | dns.endpoints | EndpointSlices in kube-system with `kubernetes.io/service-name=kube-dns` |
 * | k8s.serviceCount, k8s.podCount | one `limit=1` metadata list: items + remainingItemCount |
 * | k8s.pods | pod Tables (includeObject=None) per namespace + one `spec.hostNetwork=true` Table |
 * | cilium.nodes | CiliumNodes (cilium.io/v2), paged; a missing CRD means Cilium is not installed |
 * | k8s.systemPods, k8s.systemEvents, mesh.workloads, mesh.resources | see cluster-diagnostics.ts (label- and field-selected lists) |
 *
 * A forbidden, missing or slow request makes only the facts that needed it unknown (with
 * the permission that is missing); an unreachable server, bad credentials or a cancel end
 * the whole probe with the typed LabError.
 */

export type ProgressState = 'started' | 'done' | 'unknown';
export interface ProgressEvent {
  key: FactKey;
  state: ProgressState;
  detail?: string;
}
export type ProgressFn = (e: ProgressEvent) => void;

export const CLUSTER_FACT_KEYS: readonly FactKey[] = FACT_KEYS.filter((k) => !isNodeFactKey(k));

export interface ClusterProbeOptions extends ApiOptions {
  /** Page size of lists (default 500). */
  pageSize?: number;
  /** Page size of lists of full Nodes and CiliumNodes (default 50: ~150 KB of JSON a page, garbage V8's young generation takes). */
  heavyPageSize?: number;
  /**
   * Keep the raw API objects (default true; snapshots need them). A check run that only
   * evaluates can pass false: on 5,000 nodes that is ~40 MB less to hold while gathering.
   */
  raw?: boolean;
  onProgress?: ProgressFn;
}

export interface ClusterProbeResult {
  facts: FactSet;
  /**
   * The API objects the facts came from, by resource (nodes, daemonsets, deployments,
   * configmaps, services, endpointslices, ciliumnodes; version; pods as PodRows). Objects
   * carry kind and apiVersion (so factsFromObjects reads them back) and lose
   * metadata.managedFields and Node status.images, which no fact reads.
   */
  raw: Record<string, unknown[]>;
  /** Milliseconds from start to settle, per fact. */
  durations: Partial<Record<FactKey, number>>;
  /** API requests made (each page counts). */
  requests: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; err: unknown };

interface Meta {
  metadata?: { name?: string; namespace?: string; managedFields?: unknown };
  status?: { images?: unknown };
}

const isNotFound = (err: unknown) => err instanceof LabError && err.code === 'NOT_FOUND';

export async function probeCluster(client: KubeClient, keys: readonly FactKey[], opts: ClusterProbeOptions = {}): Promise<ClusterProbeResult> {
  const want = new Set(keys.filter((k) => !isNodeFactKey(k)));
  const api = new ClusterApi(client, opts);
  const limit = opts.pageSize ?? 500;
  const heavyLimit = opts.heavyPageSize ?? Math.min(limit, 50);
  const facts: FactSet = {};
  const raw: Record<string, unknown[]> = {};
  const durations: Partial<Record<FactKey, number>> = {};

  const rawWanted = opts.raw !== false;
  const keep = (bucket: string, apiVersion: string, kind: string, obj: Meta & Record<string, unknown>) => {
    if (!rawWanted) return;
    // New objects without the dropped fields (a `delete` would leave V8 objects in slow, larger dictionary mode).
    const { managedFields: _mf, ...metadata } = obj.metadata ?? {};
    const out: Record<string, unknown> = { apiVersion, kind, ...obj, metadata };
    if (kind === 'Node' && obj.status) {
      const { images: _im, ...status } = obj.status;
      out.status = status;
    }
    (raw[bucket] ??= []).push(out);
  };

  /** Memoised fetch: several facts share one request; failures are values, fatal errors rethrow. */
  const once = <T>(fn: () => Promise<T>): (() => Promise<Outcome<T>>) => {
    let p: Promise<Outcome<T>> | null = null;
    return () =>
      (p ??= fn().then(
        (value) => ({ ok: true, value }),
        (err: unknown) => ({ ok: false, err }),
      ));
  };
  const fail = (o: { err: unknown }, prefix = ''): Fact<never> => {
    if (api.failed) throw api.failed;
    if (isFatal(o.err)) throw o.err;
    const u = unknownFrom(o.err);
    return unknown(u.reason, prefix + u.detail, `Kubernetes API (context ${client.contextName})`);
  };
  const getObj = <T>(path: string, what: string) => api.get<T>(path, { what });

  // ---- fetches (each at most once)

  const version = once(() => api.get<{ gitVersion?: string; platform?: string }>('/version', { what: 'the server version' }));

  // Full objects are converted and stripped page by page: a page's managedFields are garbage
  // before the next page arrives (5,000 Nodes with managedFields would otherwise peak at once).
  const nodes = once(async () => {
    const out: NodeSummary[] = [];
    await api.list<NodeObject>('/api/v1/nodes', { what: 'nodes', limit: heavyLimit, heavy: true, drop: ['managedFields', 'images'] }, (page) => {
      for (const n of page.items ?? []) {
        out.push(nodeSummary(n));
        keep('nodes', 'v1', 'Node', n as Meta & Record<string, unknown>);
      }
    });
    return out;
  });

  const daemonSets = once(async () => {
    const out: DaemonSetObject[] = [];
    await api.list<DaemonSetObject>('/apis/apps/v1/daemonsets', { what: 'daemonsets', limit }, (page) => {
      for (const d of page.items ?? []) {
        keep('daemonsets', 'apps/v1', 'DaemonSet', d as Meta & Record<string, unknown>);
        out.push(d);
      }
    });
    return out;
  });

  /** The Cilium agent's namespace, from the DaemonSet list (null: no agent, or the list failed). */
  const ciliumAgent = async () => {
    const ds = await daemonSets();
    if (!ds.ok) return { listed: false as const, err: ds.err };
    const agent = findCiliumAgent(ds.value.map(daemonSetWorkload));
    return { listed: true as const, agent };
  };

  const deployments = once(async () => {
    const a = await ciliumAgent();
    const namespaces = ['kube-system', ...(a.listed && a.agent && a.agent.namespace !== 'kube-system' ? [a.agent.namespace] : [])];
    const out: DeploymentObject[] = [];
    await Promise.all(
      namespaces.map((ns) => api.list<DeploymentObject>(`/apis/apps/v1/namespaces/${ns}/deployments`, { what: `deployments in namespace ${ns}`, limit }, (page) => out.push(...(page.items ?? [])))),
    );
    for (const d of out) keep('deployments', 'apps/v1', 'Deployment', d as Meta & Record<string, unknown>);
    return { items: out, namespaces };
  });

  const configMap = (ns: string, name: string) =>
    once(async () => {
      const cm = await getObj<ConfigMapObject>(`/api/v1/namespaces/${ns}/configmaps/${name}`, `ConfigMap ${ns}/${name}`);
      keep('configmaps', 'v1', 'ConfigMap', cm as Meta & Record<string, unknown>);
      return cm;
    });
  const kubeProxyCm = configMap('kube-system', 'kube-proxy');
  const kubeadmCm = configMap('kube-system', 'kubeadm-config');

  const service = (ns: string, name: string) =>
    once(async () => {
      const s = await getObj<ServiceObject>(`/api/v1/namespaces/${ns}/services/${name}`, `Service ${ns}/${name}`);
      keep('services', 'v1', 'Service', s as Meta & Record<string, unknown>);
      return s;
    });
  const kubernetesSvc = service('default', 'kubernetes');
  const kubeDnsSvc = service('kube-system', 'kube-dns');

  const dnsSlices = once(async () => {
    const out: EndpointSliceObject[] = [];
    await api.list<EndpointSliceObject>('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices', { what: 'endpointslices in namespace kube-system', limit, labelSelector: 'kubernetes.io/service-name=kube-dns' }, (page) =>
      out.push(...(page.items ?? [])),
    );
    for (const s of out) keep('endpointslices', 'discovery.k8s.io/v1', 'EndpointSlice', s as Meta & Record<string, unknown>);
    return out;
  });

  /** Count of a collection: a limit=1 metadata list; pages through a Table when the server gives no remainingItemCount. */
  const countOf = async (path: string, what: string): Promise<{ n: number; how: string }> => {
    const page = await api.get<ListPage<unknown>>(`${path}?limit=1`, { accept: ACCEPT_METADATA, what, verb: 'list' });
    const n = countFromPage(page);
    if (n !== null) return { n, how: 'limit=1 metadata list (remainingItemCount)' };
    let count = 0;
    await api.list(path, { accept: ACCEPT_TABLE, what, limit, query: { includeObject: 'None' } }, (p) => {
      count += (p.rows ?? []).length;
    });
    return { n: count, how: 'Table list (includeObject=None), counted' };
  };

  const pods = once(() => listPodRows(api, limit));

  const ciliumNodes = once(async () => {
    const out: CiliumNodeSummary[] = [];
    await api.list<CiliumNodeObject>('/apis/cilium.io/v2/ciliumnodes', { what: 'ciliumnodes (cilium.io/v2)', limit: heavyLimit, heavy: true, drop: ['managedFields'] }, (page) => {
      for (const c of page.items ?? []) {
        out.push(ciliumNodeSummary(c));
        keep('ciliumnodes', 'cilium.io/v2', 'CiliumNode', c as Meta & Record<string, unknown>);
      }
    });
    return out;
  });

  const keepRaw = (bucket: string, apiVersion: string, kind: string, o: Record<string, unknown>) => keep(bucket, apiVersion, kind, o as Meta & Record<string, unknown>);

  // ---- facts

  const producers: { [K in FactKey]?: () => Promise<Fact<FactValue<K>>> } = {
    'k8s.version': async () => {
      const v = await version();
      if (!v.ok) return fail(v);
      if (rawWanted) (raw.version ??= []).push(v.value);
      return known({ gitVersion: v.value.gitVersion ?? '', ...(v.value.platform ? { platform: v.value.platform } : {}) }, 'GET /version');
    },
    'k8s.nodes': async () => {
      const n = await nodes();
      if (!n.ok) return fail(n);
      return known(n.value, `Node list (${n.value.length})`);
    },
    'k8s.workloads': async () => {
      const ds = await daemonSets();
      if (!ds.ok) return fail(ds);
      const deps = await deployments();
      if (!deps.ok) return fail(deps);
      const ws = [...ds.value.map(daemonSetWorkload), ...deps.value.items.map(deploymentWorkload)];
      return known(ws, `DaemonSets in all namespaces (${ds.value.length}), Deployments in ${deps.value.namespaces.join(', ')} (${deps.value.items.length})`);
    },
    'cilium.config': async () => {
      const a = await ciliumAgent();
      const ns = a.listed && a.agent ? a.agent.namespace : 'kube-system';
      const cm = await configMap(ns, 'cilium-config')();
      if (cm.ok) return known(ciliumConfig(cm.value), `ConfigMap ${ns}/cilium-config${a.listed && a.agent ? ` (namespace of DaemonSet ${a.agent.namespace}/${a.agent.name})` : ''}`);
      if (!isNotFound(cm.err)) return fail(cm);
      if (a.listed) {
        return a.agent
          ? unknown('not-found', `the Cilium DaemonSet ${a.agent.namespace}/${a.agent.name} runs but ConfigMap ${ns}/cilium-config does not exist`, `ConfigMap ${ns}/cilium-config`)
          : unknown('not-found', 'no Cilium agent DaemonSet and no ConfigMap kube-system/cilium-config: Cilium is not installed', 'DaemonSets in all namespaces, ConfigMap kube-system/cilium-config');
      }
      // DaemonSets could not be listed: look for cilium-config in every namespace, by name.
      try {
        const found: ConfigMapObject[] = [];
        await api.list<ConfigMapObject>('/api/v1/configmaps', { what: 'configmaps named cilium-config', limit, fieldSelector: 'metadata.name=cilium-config' }, (page) => found.push(...(page.items ?? [])));
        const first = found[0];
        if (!first) return unknown('not-found', 'no ConfigMap named cilium-config in any namespace: Cilium is not installed', 'configmaps with metadata.name=cilium-config');
        keep('configmaps', 'v1', 'ConfigMap', first as Meta & Record<string, unknown>);
        return known(ciliumConfig(first), `ConfigMap ${first.metadata?.namespace ?? '?'}/cilium-config (found by name; DaemonSets could not be listed)`);
      } catch (err) {
        return fail({ err }, 'ConfigMap kube-system/cilium-config does not exist and other namespaces cannot be searched: ');
      }
    },
    'kubeproxy.config': async () => {
      const cm = await kubeProxyCm();
      if (!cm.ok) return isNotFound(cm.err) ? unknown('not-found', 'no ConfigMap kube-system/kube-proxy (kube-proxy not installed by kubeadm)', 'ConfigMap kube-system/kube-proxy') : fail(cm);
      const conf = cm.value.data?.['config.conf'];
      if (conf === undefined) return unknown('not-found', 'ConfigMap kube-system/kube-proxy has no config.conf', 'ConfigMap kube-system/kube-proxy');
      try {
        return known(kubeProxyConfig(conf), 'ConfigMap kube-system/kube-proxy config.conf');
      } catch (err) {
        return unknown('error', `config.conf of ConfigMap kube-system/kube-proxy is not YAML: ${(err as Error).message}`, 'ConfigMap kube-system/kube-proxy');
      }
    },
    'kubeadm.networking': async () => {
      const cm = await kubeadmCm();
      if (!cm.ok) return isNotFound(cm.err) ? unknown('not-found', 'no ConfigMap kube-system/kubeadm-config (not a kubeadm cluster?)', 'ConfigMap kube-system/kubeadm-config') : fail(cm);
      const conf = cm.value.data?.['ClusterConfiguration'];
      if (conf === undefined) return unknown('not-found', 'ConfigMap kube-system/kubeadm-config has no ClusterConfiguration', 'ConfigMap kube-system/kubeadm-config');
      try {
        return known(kubeadmNetworking(conf), 'ConfigMap kube-system/kubeadm-config ClusterConfiguration');
      } catch (err) {
        return unknown('error', `ClusterConfiguration of ConfigMap kube-system/kubeadm-config is not YAML: ${(err as Error).message}`, 'ConfigMap kube-system/kubeadm-config');
      }
    },
    'k8s.service.kubernetes': async () => {
      const s = await kubernetesSvc();
      if (!s.ok) return isNotFound(s.err) ? unknown('not-found', 'no Service default/kubernetes', 'Service default/kubernetes') : fail(s);
      return known(serviceIP(s.value), 'Service default/kubernetes');
    },
    'dns.service': async () => {
      const s = await kubeDnsSvc();
      if (!s.ok) return isNotFound(s.err) ? unknown('not-found', 'no Service kube-system/kube-dns', 'Service kube-system/kube-dns') : fail(s);
      return known(dnsService(s.value), 'Service kube-system/kube-dns');
    },
    'dns.endpoints': async () => {
      const [sl, svc] = await Promise.all([dnsSlices(), kubeDnsSvc()]);
      if (!sl.ok) return fail(sl);
      if (sl.value.length === 0 && !svc.ok && isNotFound(svc.err)) return unknown('not-found', 'no kube-dns Service or EndpointSlices', 'EndpointSlices kubernetes.io/service-name=kube-dns');
      return known(endpointsOf(sl.value), 'EndpointSlices kubernetes.io/service-name=kube-dns');
    },
    'k8s.serviceCount': async () => {
      try {
        const c = await countOf('/api/v1/services', 'services');
        return known(c.n, `Services in all namespaces: ${c.how}`);
      } catch (err) {
        return fail({ err });
      }
    },
    'k8s.podCount': async () => {
      if (want.has('k8s.pods')) {
        const p = await pods();
        if (p.ok) return known(p.value.rows.length, `Pods in all namespaces: ${p.value.source}`);
      }
      try {
        const c = await countOf('/api/v1/pods', 'pods');
        return known(c.n, `Pods in all namespaces: ${c.how}`);
      } catch (err) {
        return fail({ err });
      }
    },
    'k8s.pods': async () => {
      const p = await pods();
      if (!p.ok) return fail(p);
      if (rawWanted) raw.pods = p.value.rows;
      return known(p.value.rows, p.value.source);
    },
    'cilium.nodes': async () => {
      const c = await ciliumNodes();
      if (!c.ok) return isNotFound(c.err) ? unknown('not-found', 'the CiliumNode CRD (cilium.io/v2) is not installed: Cilium is not installed', 'ciliumnodes.cilium.io') : fail(c);
      return known(c.value, `CiliumNode list (${c.value.length})`);
    },
    'k8s.systemPods': async () => {
      const a = await ciliumAgent();
      try {
        const r = await listSystemPods(api, a.listed && a.agent ? a.agent.namespace : 'kube-system', heavyLimit, keepRaw);
        return known(r.pods, r.source);
      } catch (err) {
        return fail({ err });
      }
    },
    'k8s.systemEvents': async () => {
      const a = await ciliumAgent();
      try {
        const r = await listSystemEvents(api, ['kube-system', ...(a.listed && a.agent ? [a.agent.namespace] : [])], limit, keepRaw);
        return known(r.events, r.source);
      } catch (err) {
        return fail({ err });
      }
    },
    'mesh.workloads': async () => {
      const ds = await daemonSets();
      if (!ds.ok) return fail(ds);
      try {
        const deps = await listMeshDeployments(api, limit, keepRaw);
        const ws = [...meshDaemonSets(ds.value), ...deps];
        return known(ws, `DaemonSets in all namespaces with Istio or Linkerd images, Deployments app=istiod and linkerd.io/control-plane-component (${ws.length})`);
      } catch (err) {
        return fail({ err });
      }
    },
    'mesh.resources': async () => {
      try {
        const r = await readMeshResources(api, limit, keepRaw);
        return known(r, `CRDs of *.istio.io and *.linkerd.io (${r.crds.length}), their PeerAuthentications and AuthorizationPolicies, Namespace labels`);
      } catch (err) {
        return fail({ err });
      }
    },
  };

  const run = async <K extends FactKey>(key: K): Promise<void> => {
    const produce = producers[key] as (() => Promise<Fact<FactValue<K>>>) | undefined;
    if (!produce) return;
    const t0 = performance.now();
    opts.onProgress?.({ key, state: 'started' });
    const fact = await produce();
    durations[key] = Math.round(performance.now() - t0);
    setFact(facts, key, fact);
    opts.onProgress?.(fact.state === 'known' ? { key, state: 'done' } : { key, state: 'unknown', detail: `${fact.reason}: ${fact.detail}` });
  };

  try {
    // Reachability first: a server that does not answer /version ends the probe here,
    // instead of every fact timing out on its own.
    const v = await version();
    if (!v.ok) {
      if (api.failed) throw api.failed;
      if (v.err instanceof LabError && v.err.code === 'TIMEOUT')
        throw new LabError('UNREACHABLE', `context ${client.contextName}: ${client.server} did not answer /version in time`, 'Check the network path (VPN, firewall, proxy) to the API server, or whether the cluster is running.');
    }
    await Promise.all([...want].map((k) => run(k)));
  } catch (err) {
    if (err instanceof LabError && isFatal(err)) throw err;
    throw api.failed ?? err;
  }
  return { facts, raw, durations, requests: api.requests };
}
