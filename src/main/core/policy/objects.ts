// From parsed Kubernetes objects (files, a live cluster or a snapshot) to the policy model.
import type { Namespace, PodVariant, PolicyIssue, PolicyKind, PolicyModel, PolicyUnit, Service, SourceRef, Workload } from './model';
import { NS_LABEL } from './matchers';
import { parseCiliumPolicy, type ServiceIndex } from './parse-cilium';
import { parseNetworkPolicy } from './parse-netpol';
import { parsePodSource, TEMPLATE_PATHS, type PodSource } from './parse-workloads';
import { DocCtx, isObj, labelMap, type LineOf, type Obj } from './reader';

/** One input object: the parsed document, where it came from, and optionally the line of a field path. */
export interface InputObject {
  obj: unknown;
  file?: string;
  line?: number;
  lineOf?: LineOf;
}

const POLICY_KINDS: readonly PolicyKind[] = ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

interface Flat {
  obj: Obj;
  kind: string;
  ref: SourceRef;
  lineOf?: LineOf;
}

/** Expands `kind: List` and `*List` documents (items may omit kind: NamespaceList items are Namespaces). */
function flatten(inputs: readonly InputObject[], issues: PolicyIssue[], ignored: Record<string, number>): Flat[] {
  const out: Flat[] = [];
  const visit = (o: unknown, ref: SourceRef, lineOf: LineOf | undefined, impliedKind: string | undefined, depth: number) => {
    if (o === null || o === undefined) return;
    if (!isObj(o)) {
      ignored['(not an object)'] = (ignored['(not an object)'] ?? 0) + 1;
      return;
    }
    const kind = typeof o.kind === 'string' && o.kind !== '' ? o.kind : impliedKind;
    if (kind === undefined) {
      ignored['(no kind)'] = (ignored['(no kind)'] ?? 0) + 1;
      return;
    }
    if (kind.endsWith('List') && Array.isArray(o.items) && depth < 3) {
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -4);
      o.items.forEach((item, i) => {
        const itemLine = lineOf?.(['items', i]) ?? ref.line;
        const itemLineOf: LineOf | undefined = lineOf && ((p) => lineOf(['items', i, ...p]));
        visit(item, { file: ref.file, line: itemLine }, itemLineOf, itemKind, depth + 1);
      });
      return;
    }
    out.push({ obj: o, kind, ref, lineOf });
  };
  for (const input of inputs) {
    const ref: SourceRef = {};
    if (input.file !== undefined) ref.file = input.file;
    if (input.line !== undefined) ref.line = input.line;
    visit(input.obj, ref, input.lineOf, undefined, 0);
  }
  return out;
}

function metaName(o: Obj): { name: string; namespace: string } {
  const meta = isObj(o.metadata) ? o.metadata : {};
  return {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
  };
}

function variantKey(v: PodVariant): string {
  const labels = Object.keys(v.labels)
    .sort()
    .map((k) => `${k}=${v.labels[k]}`)
    .join(',');
  const ports = v.ports
    .map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`)
    .sort()
    .join(',');
  return `${labels}|${ports}|${v.serviceAccount}`;
}

/** Groups pods and templates into workloads named after their top controller (Pod → ReplicaSet → Deployment, Pod → Job → CronJob). */
function buildWorkloads(sources: PodSource[]): Workload[] {
  const byKey = new Map<string, PodSource>();
  for (const s of sources) byKey.set(`${s.namespace}/${s.kind}/${s.name}`, s);
  const groups = new Map<string, { ns: string; name: string; kind: string; pods: PodSource[]; templates: PodSource[] }>();
  for (const s of sources) {
    let kind = s.kind;
    let name = s.name;
    let owner = s.owner;
    const seen = new Set<string>();
    // Walk controller ownerReferences upward; each hop needs the owner's object to know its own owner.
    while (owner !== undefined && !seen.has(`${owner.kind}/${owner.name}`)) {
      seen.add(`${owner.kind}/${owner.name}`);
      kind = owner.kind;
      name = owner.name;
      owner = byKey.get(`${s.namespace}/${owner.kind}/${owner.name}`)?.owner;
    }
    const id = `${s.namespace}/${name}[${kind}]`;
    let g = groups.get(id);
    if (!g) {
      g = { ns: s.namespace, name, kind, pods: [], templates: [] };
      groups.set(id, g);
    }
    (s.kind === 'Pod' ? g.pods : g.templates).push(s);
  }
  const out: Workload[] = [];
  for (const [id, g] of groups) {
    // Real pods describe the workload best; without pods, the top object's template, else every template.
    let chosen = g.pods;
    if (chosen.length === 0) {
      const top = g.templates.filter((t) => t.kind === g.kind && t.name === g.name);
      chosen = top.length > 0 ? top : g.templates;
    }
    const variants = new Map<string, PodVariant>();
    for (const s of chosen) {
      if (!s.variant) continue;
      const k = variantKey(s.variant);
      const prev = variants.get(k);
      if (prev) variants.set(k, { ...prev, ips: [...new Set([...prev.ips, ...s.variant.ips])] });
      else variants.set(k, s.variant);
    }
    if (variants.size === 0) continue;
    const first = g.templates.find((t) => t.kind === g.kind && t.name === g.name) ?? chosen[0];
    const w: Workload = { id, namespace: g.ns, name: g.name, kind: g.kind, variants: [...variants.values()], podCount: g.pods.length };
    if (first) w.ref = first.ref;
    out.push(w);
  }
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** Builds the policy model. Malformed objects become issues; the rest is still used. */
export function buildModel(inputs: readonly InputObject[]): PolicyModel {
  const issues: PolicyIssue[] = [];
  const ignored: Record<string, number> = {};
  const flat = flatten(inputs, issues, ignored);
  const namespaces = new Map<string, Namespace>();
  const services: Service[] = [];
  const serviceIndex: ServiceIndex = { services };
  const sources: PodSource[] = [];
  const policies: PolicyUnit[] = [];
  const seen = new Map<string, SourceRef>();

  const duplicate = (f: Flat, ctx: DocCtx): boolean => {
    const { name, namespace } = metaName(f.obj);
    const clusterScoped = f.kind === 'Namespace' || f.kind === 'CiliumClusterwideNetworkPolicy';
    const key = `${f.kind}/${clusterScoped ? '' : namespace}/${name}`;
    const prev = seen.get(key);
    if (prev) {
      ctx.warn([], `is defined again (first at ${prev.file ?? '?'}${prev.line !== undefined ? `:${prev.line}` : ''}); this copy is ignored`);
      return true;
    }
    seen.set(key, f.ref);
    return false;
  };

  const policyDocs: Array<{ f: Flat; ctx: DocCtx }> = [];
  for (const f of flat) {
    const { name, namespace } = metaName(f.obj);
    const ctx = new DocCtx(`${f.kind} ${f.kind === 'Namespace' || f.kind === 'CiliumClusterwideNetworkPolicy' ? '' : `${namespace}/`}${name}`, f.ref, f.lineOf);
    if (f.kind === 'Namespace') {
      if (!duplicate(f, ctx)) {
        if (name === '') ctx.error(['metadata', 'name'], 'is required');
        else {
          const meta = isObj(f.obj.metadata) ? f.obj.metadata : {};
          // The API server sets kubernetes.io/metadata.name on every namespace.
          const labels = { ...labelMap(ctx, meta.labels, ['metadata', 'labels']), [NS_LABEL]: name };
          namespaces.set(name, { name, labels, defined: true, ref: f.ref });
        }
      }
    } else if (f.kind === 'Pod' || TEMPLATE_PATHS[f.kind] !== undefined) {
      if (!duplicate(f, ctx)) {
        const s = parsePodSource(ctx, f.obj, f.kind, f.ref);
        if (s) sources.push(s);
      }
    } else if (f.kind === 'Service') {
      if (!duplicate(f, ctx)) {
        const spec = isObj(f.obj.spec) ? f.obj.spec : {};
        const meta = isObj(f.obj.metadata) ? f.obj.metadata : {};
        const svc: Service = { namespace, name, labels: labelMap(ctx, meta.labels, ['metadata', 'labels']) };
        if (isObj(spec.selector) && Object.keys(spec.selector).length > 0) svc.selector = labelMap(ctx, spec.selector, ['spec', 'selector']);
        services.push(svc);
      }
    } else if ((POLICY_KINDS as readonly string[]).includes(f.kind)) {
      if (!duplicate(f, ctx)) policyDocs.push({ f, ctx });
      else issues.push(...ctx.issues);
    } else {
      ignored[f.kind] = (ignored[f.kind] ?? 0) + 1;
    }
    if (f.kind !== 'NetworkPolicy' && f.kind !== 'CiliumNetworkPolicy' && f.kind !== 'CiliumClusterwideNetworkPolicy') issues.push(...ctx.issues);
  }
  for (const { f, ctx } of policyDocs) {
    if (f.kind === 'NetworkPolicy') {
      const u = parseNetworkPolicy(ctx, f.obj, f.ref);
      if (u) policies.push(u);
    } else {
      const us = parseCiliumPolicy(ctx, f.obj, f.ref, f.kind as PolicyKind, serviceIndex);
      if (us) policies.push(...us);
    }
    issues.push(...ctx.issues);
  }

  const workloads = buildWorkloads(sources);
  const need = (ns: string) => {
    if (!namespaces.has(ns)) namespaces.set(ns, { name: ns, labels: { [NS_LABEL]: ns }, defined: false });
  };
  for (const w of workloads) need(w.namespace);
  for (const p of policies) if (p.namespace !== undefined) need(p.namespace);
  return { namespaces, workloads, policies, services, issues, ignored, documents: flat.length };
}
