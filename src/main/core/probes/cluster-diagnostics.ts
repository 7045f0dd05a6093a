import { LabError } from '../../../shared/errors';
import { parseImage } from '../checks/lib/cilium';
import { daemonSetWorkload, deploymentWorkload, type DaemonSetObject, type DeploymentObject } from '../facts/from-k8s';
import { POD_PHASES, type ClusterEvent, type ContainerState, type MeshId, type MeshResources, type SystemPod, type Workload } from '../facts/types';
import { ACCEPT_METADATA } from '../kube/client';
import type { ClusterApi } from './cluster-api';

/**
 * Diagnostic facts for the pitfall walkthroughs, read from the API at small cost:
 *
 * | fact | requests |
 * | --- | --- |
 * | k8s.systemPods | Pods `k8s-app=cilium` in the agent's namespace, `k8s-app=kube-dns` in kube-system (label-selected lists) |
 * | k8s.systemEvents | Warning Events in kube-system (and the agent's namespace), `type=Warning` field selector; `reason=FailedCreatePodSandBox` Events in all namespaces |
 * | mesh.workloads | DaemonSets (the probe's shared list) whose images are Istio's or Linkerd's; Deployments `app=istiod` and `linkerd.io/control-plane-component` in all namespaces |
 * | mesh.resources | CRD names (metadata list); PeerAuthentications and AuthorizationPolicies when their CRDs exist; Namespace metadata (injection labels) |
 *
 * Why these: Cilium records no Kubernetes Events for BPF load failures (its EventRecorder
 * serves Hubble drop events and BGP only); what reaches the API is the kubelet's Warning Events
 * about the agent pod (probe failures, back-off) and the agent container's termination message,
 * which the Cilium chart sets to FallbackToLogsOnError: the tail of the log of the run that
 * died, verifier output included. Pod sandboxes the cilium-cni plugin could not set up carry the
 * plugin's error (IPAM exhaustion, endpoint creation) in FailedCreatePodSandBox Events.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Longest message kept; longer ones keep their head and tail (verifier output names the program first and the limit last). */
export const MAX_MESSAGE = 4000;
/** At most this many Events are kept (newest first). */
export const MAX_EVENTS = 100;

export function boundMessage(text: string, max = MAX_MESSAGE): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.4);
  const tail = max - head - 40;
  return `${text.slice(0, head)}\n[… ${text.length - head - tail} characters left out …]\n${text.slice(text.length - tail)}`;
}

// ---------------------------------------------------------------------------------------
// System pods

function containerState(c: Obj, status: Obj | undefined, init: boolean): ContainerState {
  const s = status ?? {};
  const last = obj(obj(s.lastState).terminated);
  const hasLast = isObj(obj(s.lastState).terminated);
  const waiting = isObj(obj(s.state).waiting) ? str(obj(obj(s.state).waiting).reason) || 'Waiting' : null;
  return {
    name: str(c.name),
    init,
    ready: s.ready === true,
    restarts: int(s.restartCount),
    waiting,
    lastTerminated: hasLast ? { reason: str(last.reason), exitCode: int(last.exitCode), message: boundMessage(str(last.message)), finishedAt: str(last.finishedAt) || null } : null,
  };
}

/** A pod object (from the API or kubectl -o json) as a system pod row. */
export function systemPod(p: unknown, app: SystemPod['app']): SystemPod {
  const o = obj(p);
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const byName = (list: unknown) => new Map(arr(list).filter(isObj).map((s) => [str(s.name), s]));
  const cs = byName(status.containerStatuses);
  const ics = byName(status.initContainerStatuses);
  const phase = str(status.phase);
  const ready = arr(status.conditions).some((c) => isObj(c) && c.type === 'Ready' && c.status === 'True');
  return {
    app,
    namespace: str(meta.namespace),
    name: str(meta.name),
    node: str(spec.nodeName),
    phase: (POD_PHASES as readonly string[]).includes(phase) ? (phase as SystemPod['phase']) : 'Unknown',
    ready,
    containers: [
      ...arr(spec.initContainers).filter(isObj).map((c) => containerState(c, ics.get(str(c.name)), true)),
      ...arr(spec.containers).filter(isObj).map((c) => containerState(c, cs.get(str(c.name)), false)),
    ],
  };
}

/** A pod with something to say: not ready, restarted, waiting, or with a previous run's termination. */
export const podHasTrouble = (p: SystemPod): boolean => !p.ready || p.containers.some((c) => c.restarts > 0 || c.waiting !== null || c.lastTerminated !== null);

export interface Keep {
  (bucket: string, apiVersion: string, kind: string, o: Obj): void;
}

/** Agent pods (k8s-app=cilium in the agent's namespace) and CoreDNS pods (k8s-app=kube-dns in kube-system). */
export async function listSystemPods(api: ClusterApi, agentNamespace: string | null, limit: number, keep: Keep): Promise<{ pods: SystemPod[]; source: string }> {
  const out: SystemPod[] = [];
  const sources: string[] = [];
  const one = async (ns: string, selector: string, app: SystemPod['app']) => {
    let n = 0;
    await api.list<Obj>(`/api/v1/namespaces/${ns}/pods`, { what: `pods ${selector} in namespace ${ns}`, limit, labelSelector: selector, heavy: true, drop: ['managedFields'] }, (page) => {
      for (const p of page.items ?? []) {
        const row = systemPod(p, app);
        out.push(row);
        n++;
        // Raw objects only for pods in trouble: 5,000 healthy agents would weigh megabytes.
        if (podHasTrouble(row)) {
          const meta = obj(p.metadata);
          delete meta.managedFields;
          keep('systempods', 'v1', 'Pod', { metadata: meta, spec: { nodeName: obj(p.spec).nodeName }, status: p.status });
        }
      }
    });
    sources.push(`${n} pod(s) ${selector} in ${ns}`);
  };
  await Promise.all([...(agentNamespace ? [one(agentNamespace, 'k8s-app=cilium', 'cilium-agent')] : []), one('kube-system', 'k8s-app=kube-dns', 'coredns')]);
  out.sort((a, b) => a.app.localeCompare(b.app) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { pods: out, source: `Pods: ${sources.join(', ')}` };
}

// ---------------------------------------------------------------------------------------
// Events

export function clusterEvent(e: unknown): ClusterEvent {
  const o = obj(e);
  const meta = obj(o.metadata);
  const inv = obj(o.involvedObject);
  const series = obj(o.series);
  const count = int(o.count) || int(series.count) || 1;
  return {
    namespace: str(meta.namespace),
    object: { kind: str(inv.kind), name: str(inv.name), namespace: str(inv.namespace) },
    type: str(o.type),
    reason: str(o.reason),
    message: boundMessage(str(o.message)),
    count,
    lastSeen: str(o.lastTimestamp) || str(series.lastObservedTime) || str(o.eventTime) || str(meta.creationTimestamp) || null,
    component: str(obj(o.source).component) || str(o.reportingComponent),
  };
}

/** Objects of Cilium (agent, operator, envoy) and CoreDNS by name, as Events name them. */
export const isSystemObject = (name: string): boolean => /^(cilium|coredns)(-|$)/.test(name);
/** A sandbox the Cilium CNI plugin failed to set up (its error is in the message). */
export const isCiliumCniFailure = (e: ClusterEvent): boolean => e.reason === 'FailedCreatePodSandBox' && /cilium/i.test(e.message);

export async function listSystemEvents(api: ClusterApi, namespaces: readonly string[], limit: number, keep: Keep): Promise<{ events: ClusterEvent[]; source: string }> {
  const found: { ev: ClusterEvent; raw: Obj }[] = [];
  const seen = new Set<string>();
  const add = (raw: Obj, ev: ClusterEvent) => {
    const uid = str(obj(raw.metadata).uid) || `${ev.namespace}/${str(obj(raw.metadata).name)}`;
    if (seen.has(uid)) return;
    seen.add(uid);
    found.push({ ev, raw });
  };
  await Promise.all([
    ...[...new Set(namespaces)].map((ns) =>
      api.list<Obj>(`/api/v1/namespaces/${ns}/events`, { what: `events in namespace ${ns}`, limit, fieldSelector: 'type=Warning' }, (page) => {
        for (const raw of page.items ?? []) {
          const ev = clusterEvent(raw);
          if (isSystemObject(ev.object.name)) add(raw, ev);
        }
      }),
    ),
    api.list<Obj>('/api/v1/events', { what: 'events with reason FailedCreatePodSandBox', limit, fieldSelector: 'reason=FailedCreatePodSandBox' }, (page) => {
      for (const raw of page.items ?? []) {
        const ev = clusterEvent(raw);
        if (isCiliumCniFailure(ev)) add(raw, ev);
      }
    }),
  ]);
  // Newest first, then by object: the order must not depend on which list answered first.
  found.sort((a, b) => (b.ev.lastSeen ?? '').localeCompare(a.ev.lastSeen ?? '') || `${a.ev.namespace}/${a.ev.object.name}/${a.ev.reason}`.localeCompare(`${b.ev.namespace}/${b.ev.object.name}/${b.ev.reason}`));
  const kept = found.slice(0, MAX_EVENTS);
  for (const { raw } of kept) {
    delete obj(raw.metadata).managedFields;
    keep('events', 'v1', 'Event', raw);
  }
  return {
    events: kept.map((k) => k.ev),
    source: `Warning Events in ${[...new Set(namespaces)].join(', ')} about cilium*/coredns* objects, FailedCreatePodSandBox Events naming cilium (${kept.length}${found.length > kept.length ? ` of ${found.length}, newest` : ''})`,
  };
}

// ---------------------------------------------------------------------------------------
// Service meshes

/** Image names (last path component) of the meshes' control- and data-plane workloads, and the repositories they come from. */
const MESH_SIGNATURES: Record<MeshId, { repo: RegExp; images: readonly string[] }> = {
  // istiod (pilot), istio-cni-node (install-cni), ambient's ztunnel, gateways (proxyv2): docker.io/istio/*, gcr.io/istio-release/*
  istio: { repo: /(^|\/)istio(-release)?\//, images: ['pilot', 'install-cni', 'ztunnel', 'proxyv2'] },
  // Linkerd's controller (destination, identity), policy controller, proxy, CNI plugin: cr.l5d.io/linkerd/*
  linkerd: { repo: /(^|\/)linkerd\//, images: ['controller', 'policy-controller', 'proxy', 'cni-plugin', 'proxy-init'] },
};

/** The mesh a workload belongs to, by its images. */
export function meshOf(w: Workload): MeshId | null {
  for (const img of [...w.images, ...w.initImages]) {
    const ref = parseImage(img);
    for (const [mesh, sig] of Object.entries(MESH_SIGNATURES) as [MeshId, (typeof MESH_SIGNATURES)[MeshId]][]) {
      if (sig.repo.test(ref.repository) && sig.images.includes(ref.name)) return mesh;
    }
  }
  return null;
}

/** Mesh Deployments by their labels (istiod: app=istiod; Linkerd's control plane: linkerd.io/control-plane-component). */
export async function listMeshDeployments(api: ClusterApi, limit: number, keep: Keep): Promise<Workload[]> {
  const out: Workload[] = [];
  const seen = new Set<string>();
  await Promise.all(
    ['app=istiod', 'linkerd.io/control-plane-component'].map((sel) =>
      api.list<DeploymentObject & Obj>('/apis/apps/v1/deployments', { what: `deployments ${sel}`, limit, labelSelector: sel }, (page) => {
        for (const d of page.items ?? []) {
          const w = deploymentWorkload(d);
          const key = `${w.namespace}/${w.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          delete obj(d.metadata).managedFields;
          keep('meshobjects', 'apps/v1', 'Deployment', d);
          out.push(w);
        }
      }),
    ),
  );
  // The two lists answer in either order: sort so the fact does not depend on it.
  return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export function meshDaemonSets(ds: readonly DaemonSetObject[]): Workload[] {
  return ds.map(daemonSetWorkload).filter((w) => meshOf(w) !== null);
}

const MESH_GROUP = /\.(istio\.io|linkerd\.io)$/;

function peerAuthentication(o: Obj): MeshResources['peerAuthentications'][number] {
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const portLevel: Record<string, string> = {};
  for (const [port, v] of Object.entries(obj(spec.portLevelMtls))) portLevel[port] = str(obj(v).mode);
  return { namespace: str(meta.namespace), name: str(meta.name), mode: str(obj(spec.mtls).mode), selector: isObj(spec.selector) && Object.keys(obj(obj(spec.selector).matchLabels)).length > 0, portLevel };
}

/** Istio AuthorizationPolicy: L7 when a rule's `to.operation` names methods, paths, hosts or ports of HTTP, or a `when` reads request.* keys. */
function istioAuthz(o: Obj): MeshResources['authorizationPolicies'][number] {
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const l7 = arr(spec.rules).some((r) => {
    const rule = obj(r);
    const ops = arr(rule.to).some((t) => {
      const op = obj(obj(t).operation);
      return ['methods', 'paths', 'hosts', 'notMethods', 'notPaths', 'notHosts'].some((k) => arr(op[k]).length > 0);
    });
    const when = arr(rule.when).some((w) => /^request\./.test(str(obj(w).key)));
    return ops || when;
  });
  return { mesh: 'istio', namespace: str(meta.namespace), name: str(meta.name), action: str(spec.action) || 'ALLOW', l7 };
}

/** Linkerd AuthorizationPolicy (policy.linkerd.io): L7 when it targets an HTTPRoute or GRPCRoute. */
function linkerdAuthz(o: Obj): MeshResources['authorizationPolicies'][number] {
  const meta = obj(o.metadata);
  const kind = str(obj(obj(o.spec).targetRef).kind);
  return { mesh: 'linkerd', namespace: str(meta.namespace), name: str(meta.name), action: 'ALLOW', l7: kind === 'HTTPRoute' || kind === 'GRPCRoute' };
}

/** How a namespace joins a mesh, from its labels and annotations (null: it does not). */
export function meshNamespace(meta: Obj): MeshResources['namespaces'][number] | null {
  const labels = obj(meta.labels);
  const ann = obj(meta.annotations);
  const ns = str(meta.name);
  if (labels['istio-injection'] === 'enabled') return { namespace: ns, mesh: 'istio', how: 'label istio-injection=enabled (sidecars)' };
  if (typeof labels['istio.io/rev'] === 'string' && labels['istio-injection'] !== 'disabled') return { namespace: ns, mesh: 'istio', how: `label istio.io/rev=${str(labels['istio.io/rev'])} (sidecars)` };
  if (labels['istio.io/dataplane-mode'] === 'ambient') return { namespace: ns, mesh: 'istio', how: 'label istio.io/dataplane-mode=ambient (ztunnel)' };
  if (ann['linkerd.io/inject'] === 'enabled') return { namespace: ns, mesh: 'linkerd', how: 'annotation linkerd.io/inject=enabled' };
  return null;
}

const isNotFound = (err: unknown) => err instanceof LabError && err.code === 'NOT_FOUND';

/** Lists a mesh custom resource at the first version the server serves. */
async function listCustom(api: ClusterApi, group: string, versions: string[], plural: string, limit: number, onItem: (o: Obj) => void): Promise<void> {
  for (const v of versions) {
    try {
      await api.list<Obj>(`/apis/${group}/${v}/${plural}`, { what: `${plural}.${group}`, limit }, (page) => (page.items ?? []).forEach(onItem));
      return;
    } catch (err) {
      if (!isNotFound(err) || v === versions[versions.length - 1]) throw err;
    }
  }
}

export async function readMeshResources(api: ClusterApi, limit: number, keep: Keep): Promise<MeshResources> {
  const crds: string[] = [];
  await api.list<Obj>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { what: 'customresourcedefinitions', limit, accept: ACCEPT_METADATA }, (page) => {
    for (const c of page.items ?? []) {
      const name = str(obj(c.metadata).name);
      if (MESH_GROUP.test(name)) crds.push(name);
    }
  });
  crds.sort();
  const has = (n: string) => crds.includes(n);
  const out: MeshResources = { crds, peerAuthentications: [], authorizationPolicies: [], namespaces: [] };
  const keepObj = (kind: string, apiVersion: string) => (o: Obj) => {
    delete obj(o.metadata).managedFields;
    keep('meshobjects', apiVersion, kind, o);
  };
  await Promise.all([
    has('peerauthentications.security.istio.io')
      ? listCustom(api, 'security.istio.io', ['v1', 'v1beta1'], 'peerauthentications', limit, (o) => {
          keepObj('PeerAuthentication', 'security.istio.io/v1')(o);
          out.peerAuthentications.push(peerAuthentication(o));
        })
      : null,
    has('authorizationpolicies.security.istio.io')
      ? listCustom(api, 'security.istio.io', ['v1', 'v1beta1'], 'authorizationpolicies', limit, (o) => {
          keepObj('AuthorizationPolicy', 'security.istio.io/v1')(o);
          out.authorizationPolicies.push(istioAuthz(o));
        })
      : null,
    has('authorizationpolicies.policy.linkerd.io')
      ? listCustom(api, 'policy.linkerd.io', ['v1alpha1'], 'authorizationpolicies', limit, (o) => {
          keepObj('AuthorizationPolicy', 'policy.linkerd.io/v1alpha1')(o);
          out.authorizationPolicies.push(linkerdAuthz(o));
        })
      : null,
    api.list<Obj>('/api/v1/namespaces', { what: 'namespaces', limit, accept: ACCEPT_METADATA }, (page) => {
      for (const n of page.items ?? []) {
        const m = meshNamespace(obj(n.metadata));
        if (m) out.namespaces.push(m);
      }
    }),
  ]);
  const byName = <T extends { namespace: string; name?: string }>(a: T, b: T) => a.namespace.localeCompare(b.namespace) || (a.name ?? '').localeCompare(b.name ?? '');
  out.peerAuthentications.sort(byName);
  out.authorizationPolicies.sort((a, b) => a.mesh.localeCompare(b.mesh) || byName(a, b));
  out.namespaces.sort(byName);
  return out;
}
