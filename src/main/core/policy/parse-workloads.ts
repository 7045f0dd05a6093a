// Pods, pod templates of workload controllers, Namespaces and Services.
import type { Protocol } from './connset';
import type { ContainerPort, PodVariant, SourceRef } from './model';
import { arr, DocCtx, int, isObj, labelMap, obj, type Obj, type Path, str } from './reader';

/** Kinds whose pod template becomes a workload, and where the template is. */
export const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export interface OwnerRef {
  kind: string;
  name: string;
}

/** A Pod object, or the template of a workload controller. */
export interface PodSource {
  kind: string;
  namespace: string;
  name: string;
  /** The controller owner (ownerReferences entry with controller: true), if any. */
  owner?: OwnerRef;
  /** For a Pod: its shape. For a controller: its template's shape. */
  variant?: PodVariant;
  ref: SourceRef;
}

function containerPorts(ctx: DocCtx, spec: Obj, path: Path): ContainerPort[] {
  const out: ContainerPort[] = [];
  const lists: Array<[string, unknown]> = [['containers', spec.containers]];
  // Native sidecars (init containers with restartPolicy Always) keep running and can serve ports.
  const inits = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  inits.forEach((c, i) => {
    if (isObj(c) && c.restartPolicy === 'Always') lists.push([`initContainers[${i}]`, [c]]);
  });
  for (const [field, v] of lists) {
    for (const [i, c] of (arr(ctx, v, [...path, field]) ?? []).entries()) {
      const cp = [...path, field, i];
      const co = obj(ctx, c, cp);
      if (!co) continue;
      for (const [j, p] of (arr(ctx, co.ports, [...cp, 'ports']) ?? []).entries()) {
        const pp = [...cp, 'ports', j];
        const po = obj(ctx, p, pp);
        if (!po) continue;
        const port = int(ctx, po.containerPort, [...pp, 'containerPort']);
        if (port === undefined || port < 1 || port > 65535) {
          if (port !== undefined) ctx.warn([...pp, 'containerPort'], `${port} is not a port number; ignored`);
          continue;
        }
        const protocol = (po.protocol ?? 'TCP') as Protocol;
        if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
          ctx.warn([...pp, 'protocol'], `${JSON.stringify(po.protocol)} is not one of TCP, UDP, SCTP; ignored`);
          continue;
        }
        const name = typeof po.name === 'string' && po.name !== '' ? po.name : undefined;
        out.push(name !== undefined ? { name, port, protocol } : { port, protocol });
      }
    }
  }
  return out;
}

function podIps(o: Obj): string[] {
  const status = isObj(o.status) ? o.status : {};
  const ips = new Set<string>();
  if (typeof status.podIP === 'string' && status.podIP !== '') ips.add(status.podIP);
  if (Array.isArray(status.podIPs)) for (const p of status.podIPs) if (isObj(p) && typeof p.ip === 'string') ips.add(p.ip);
  return [...ips];
}

function variantOf(ctx: DocCtx, template: Obj, path: Path, ips: string[]): PodVariant {
  const meta = obj(ctx, template.metadata, [...path, 'metadata']) ?? {};
  const spec = obj(ctx, template.spec, [...path, 'spec']) ?? {};
  const labels = labelMap(ctx, meta.labels, [...path, 'metadata', 'labels']);
  const sa = (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) || (typeof spec.serviceAccount === 'string' && spec.serviceAccount) || 'default';
  return { labels, ports: containerPorts(ctx, spec, [...path, 'spec']), serviceAccount: sa, ips };
}

function controllerOwner(meta: Obj): OwnerRef | undefined {
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  for (const r of refs) {
    // Only the managing controller owns the pod; a Node "owner" marks a static (mirror) pod, which stays a bare Pod.
    // An owner reference without a kind still names the workload (netpol-analyzer reads it as Kind "Pod").
    if (isObj(r) && r.controller === true && typeof r.name === 'string' && r.name !== '' && r.kind !== 'Node') {
      return { kind: typeof r.kind === 'string' && r.kind !== '' ? r.kind : 'Pod', name: r.name };
    }
  }
  return undefined;
}

export function parsePodSource(ctx: DocCtx, o: Obj, kind: string, ref: SourceRef): PodSource | undefined {
  const meta = obj(ctx, o.metadata, ['metadata']) ?? {};
  const name = str(ctx, meta.name, ['metadata', 'name']) ?? (typeof meta.generateName === 'string' ? meta.generateName : '');
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace']) || 'default';
  ctx.object = `${kind} ${namespace}/${name}`;
  if (name === '') {
    ctx.error(['metadata', 'name'], 'is required');
    return undefined;
  }
  const owner = controllerOwner(meta);
  const src: PodSource = { kind, namespace, name, ref, ...(owner ? { owner } : {}) };
  if (kind === 'Pod') {
    src.variant = variantOf(ctx, o, [], podIps(o));
  } else {
    const tpath = TEMPLATE_PATHS[kind] ?? ['spec', 'template'];
    let t: unknown = o;
    for (const k of tpath) t = isObj(t) ? t[k] : undefined;
    if (isObj(t)) src.variant = variantOf(ctx, t, tpath, []);
    else ctx.warn(tpath, 'has no pod template; the workload is skipped');
  }
  return ctx.failed ? undefined : src;
}
