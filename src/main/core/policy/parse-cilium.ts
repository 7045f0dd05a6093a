// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) into
// normalized policy units. Semantics from docs.cilium.io "Policy Language"
// (Layer 3, Layer 4, Layer 7, Deny Policies, Using Kubernetes Constructs) and
// the API comments of pkg/policy/api (rule.go, ingress.go, egress.go, l4.go).
import type { Protocol } from './connset';
import { IpSet, parseCidr } from './ipset';
import { ALL_PODS, anyPeer, ciliumEndpointMatcher, emptyPeer, entitiesOfSelector, finishRule, NO_PODS } from './matchers';
import { isValidPortName } from './parse-netpol';
import type { Direction, Entity, FqdnSelector, HttpRule, L7Spec, NormRule, PeerSpec, PodMatcher, PolicyKind, PolicyUnit, PortGroup, PortItem, RuleList, Service, SourceRef } from './model';
import { ENTITIES, makeSelector, matchesSelector } from './model';
import { arr, bool, DocCtx, int, labelSelector, obj, type Obj, type Path, str } from './reader';

const ANY: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Resolves toServices against the Service objects of the input (filled before policies are parsed). */
export interface ServiceIndex {
  services: Service[];
}

interface Scope {
  kind: PolicyKind;
  /** undefined for clusterwide policies */
  ns: string | undefined;
  services: ServiceIndex;
}

const MODELLED_ENTITIES = new Set<Entity>(['world', 'world-ipv4', 'world-ipv6', 'cluster', 'all']);

function entityPeer(peer: PeerSpec, e: Entity): void {
  // docs.cilium.io Layer 3 "Entities based": world = outside the cluster (0.0.0.0/0 and ::/0),
  // cluster = every endpoint of the local cluster, all = cluster + world.
  peer.entities.push(e);
  switch (e) {
    case 'all':
      peer.any = true;
      peer.pods.push(ALL_PODS);
      peer.ips = IpSet.ALL;
      break;
    case 'world':
      peer.ips = IpSet.ALL;
      break;
    case 'world-ipv4':
      peer.ips = peer.ips.union(IpSet.family(4));
      break;
    case 'world-ipv6':
      peer.ips = peer.ips.union(IpSet.family(6));
      break;
    case 'cluster':
      peer.pods.push(ALL_PODS);
      break;
    default:
      // host, remote-node, kube-apiserver, init, health, unmanaged, ingress: not workloads of the model.
      break;
  }
}

function parseCidrList(ctx: DocCtx, v: unknown, path: Path, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const t = str(ctx, raw, [...path, i]);
    if (t === undefined) continue;
    const r = parseCidr(t, true);
    if (!r) {
      ctx.error([...path, i], `${JSON.stringify(t)} is not a valid CIDR or address`);
      continue;
    }
    peer.ips = peer.ips.union(IpSet.range(r));
    peer.blocks.push(IpSet.range(r));
    texts.push(`cidr ${t}`);
  }
}

function parseCidrSet(ctx: DocCtx, v: unknown, path: Path, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) continue;
    if (o.cidr === undefined || o.cidr === null) {
      if (o.cidrGroupRef !== undefined || o.cidrGroupSelector !== undefined) {
        ctx.warn(p, 'CiliumCIDRGroup references are not resolved offline; this entry matches no address');
      } else ctx.error([...p, 'cidr'], 'is required');
      continue;
    }
    const t = str(ctx, o.cidr, [...p, 'cidr']);
    const r = t === undefined ? undefined : parseCidr(t, true);
    if (t === undefined) continue;
    if (!r) {
      ctx.error([...p, 'cidr'], `${JSON.stringify(t)} is not a valid CIDR`);
      continue;
    }
    let set = IpSet.range(r);
    const excepts: string[] = [];
    for (const [j, e] of (arr(ctx, o.except, [...p, 'except']) ?? []).entries()) {
      const et = str(ctx, e, [...p, 'except', j]);
      const er = et === undefined ? undefined : parseCidr(et, true);
      if (et === undefined) continue;
      if (!er) {
        ctx.error([...p, 'except', j], `${JSON.stringify(et)} is not a valid CIDR`);
        continue;
      }
      if (er.family !== r.family || er.start < r.start || er.end > r.end) ctx.warn([...p, 'except', j], `${et} is not inside ${t}`);
      set = set.subtract(IpSet.range(er));
      excepts.push(et);
    }
    peer.ips = peer.ips.union(set);
    peer.blocks.push(set);
    texts.push(`cidr ${t}${excepts.length ? ` except ${excepts.join(',')}` : ''}`);
  }
}

function endpointSelectors(ctx: DocCtx, v: unknown, path: Path, scope: Scope, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const sel = labelSelector(ctx, raw, [...path, i], { cilium: true });
    if (!sel) continue;
    const ents = entitiesOfSelector(sel, ENTITIES);
    for (const e of ents) entityPeer(peer, e);
    if (ents.length === 0) {
      if (sel.reqs.some((r) => r.source === 'reserved')) {
        texts.push(`endpoints ${sel.text} (no entity)`);
        continue;
      }
      const m = ciliumEndpointMatcher(sel, scope.ns);
      peer.pods.push(m);
      texts.push(m.text);
    } else texts.push(`entities ${ents.join(',')}`);
    if (scope.ns !== undefined && sel.reqs.some((r) => r.key.startsWith('io.cilium.k8s.namespace.labels.'))) {
      ctx.warn([...path, i], 'io.cilium.k8s.namespace.labels selectors are only supported in CiliumClusterwideNetworkPolicy (docs.cilium.io, Namespaces)');
    }
  }
}

function serviceMatchers(ctx: DocCtx, v: unknown, path: Path, scope: Scope, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) continue;
    const byName = obj(ctx, o.k8sService, [...p, 'k8sService']);
    const bySel = obj(ctx, o.k8sServiceSelector, [...p, 'k8sServiceSelector']);
    if (byName) {
      const name = str(ctx, byName.serviceName, [...p, 'k8sService', 'serviceName']) ?? '';
      const ns = str(ctx, byName.namespace, [...p, 'k8sService', 'namespace']) || scope.ns || 'default';
      peer.pods.push(serviceMatcher(scope.services, ns, (s) => s.name === name, `service ${ns}/${name}`));
      texts.push(`service ${ns}/${name}`);
    } else if (bySel) {
      const sel = labelSelector(ctx, bySel.selector ?? {}, [...p, 'k8sServiceSelector', 'selector']);
      const ns = str(ctx, bySel.namespace, [...p, 'k8sServiceSelector', 'namespace']) || scope.ns;
      if (!sel) continue;
      peer.pods.push(serviceMatcher(scope.services, ns, (s) => matchesSelector(sel, s.labels), `services ${sel.text} in ${ns ?? 'any namespace'}`));
      texts.push(`services ${sel.text}`);
    } else ctx.error(p, 'must have k8sService or k8sServiceSelector');
  }
}

/** Pods behind Services (by their selector), resolved lazily: Services are read before policies are evaluated. */
function serviceMatcher(index: ServiceIndex, ns: string | undefined, pick: (s: Service) => boolean, text: string): PodMatcher {
  let cache: Array<{ ns: string; sel: ReturnType<typeof makeSelector> }> | undefined;
  const resolve = () => {
    cache ??= index.services
      .filter((s) => (ns === undefined || s.namespace === ns) && pick(s) && s.selector !== undefined)
      .map((s) => ({ ns: s.namespace, sel: makeSelector(Object.entries(s.selector ?? {}).map(([key, v]) => ({ key, source: 'any', op: 'In' as const, values: [v] }))) }));
    return cache;
  };
  return { key: `svc|${text}`, text, test: (p) => resolve().some((s) => s.ns === p.namespace && matchesSelector(s.sel, p.labels)) };
}

function parseFqdns(ctx: DocCtx, v: unknown, path: Path, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) continue;
    const f = fqdnSelector(ctx, o, p);
    if (!f) continue;
    peer.fqdns.push(f);
    texts.push(`fqdn ${f.matchName ?? f.matchPattern}`);
  }
}

function fqdnSelector(ctx: DocCtx, o: Obj, p: Path): FqdnSelector | undefined {
  const matchName = str(ctx, o.matchName, [...p, 'matchName']);
  const matchPattern = str(ctx, o.matchPattern, [...p, 'matchPattern']);
  if (matchName === undefined && matchPattern === undefined) {
    ctx.error(p, 'must have matchName or matchPattern');
    return undefined;
  }
  // DNS names compare case-insensitively and without the trailing dot.
  const clean = (s: string) => s.toLowerCase().replace(/\.$/, '');
  return matchName !== undefined ? { matchName: clean(matchName) } : { matchPattern: clean(matchPattern as string) };
}

const L3_FIELDS: Record<Direction, string[]> = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toNodes', 'toGroups'],
};

function parseL3(ctx: DocCtx, r: Obj, p: Path, dir: Direction, scope: Scope): PeerSpec {
  const present = L3_FIELDS[dir].filter((f) => r[f] !== undefined && r[f] !== null);
  const requires = dir === 'ingress' ? 'fromRequires' : 'toRequires';
  if (r[requires] !== undefined) ctx.warn([...p, requires], `is deprecated (removed in Cilium 1.19) and is ignored by this analyzer`);
  // A rule without any L3 field matches every peer (pkg/policy/api IngressCommonRule.AllowsWildcarding):
  // e.g. a rule with only toPorts allows those ports from/to everywhere. A rule that is empty
  // altogether (`ingress: [{}]`) allows nothing: it is Cilium's documented default-deny form
  // (examples/policies/l3/egress-default-deny; pkg/policy/rule.go mergeIngress/mergeEgress).
  if (present.length === 0) {
    const empty = r.toPorts === undefined && r.icmps === undefined && r.authentication === undefined;
    return empty ? emptyPeer('no peer (an empty rule only turns on default deny)') : anyPeer('any peer');
  }
  const peer = emptyPeer('');
  const texts: string[] = [];
  const f = (name: string) => r[name];
  if (dir === 'ingress') {
    endpointSelectors(ctx, f('fromEndpoints'), [...p, 'fromEndpoints'], scope, peer, texts);
    parseCidrList(ctx, f('fromCIDR'), [...p, 'fromCIDR'], peer, texts);
    parseCidrSet(ctx, f('fromCIDRSet'), [...p, 'fromCIDRSet'], peer, texts);
    entities(ctx, f('fromEntities'), [...p, 'fromEntities'], peer, texts);
  } else {
    endpointSelectors(ctx, f('toEndpoints'), [...p, 'toEndpoints'], scope, peer, texts);
    parseCidrList(ctx, f('toCIDR'), [...p, 'toCIDR'], peer, texts);
    parseCidrSet(ctx, f('toCIDRSet'), [...p, 'toCIDRSet'], peer, texts);
    entities(ctx, f('toEntities'), [...p, 'toEntities'], peer, texts);
    serviceMatchers(ctx, f('toServices'), [...p, 'toServices'], scope, peer, texts);
    parseFqdns(ctx, f('toFQDNs'), [...p, 'toFQDNs'], peer, texts);
  }
  for (const other of ['fromNodes', 'toNodes', 'fromGroups', 'toGroups']) {
    if (present.includes(other)) {
      ctx.warn([...p, other], `${other} is not modelled offline (no node or cloud group data); it matches no peer here`);
      texts.push(`${other} (not modelled)`);
    }
  }
  peer.text = texts.length > 0 ? texts.join('; ') : 'no peer';
  return peer;
}

function entities(ctx: DocCtx, v: unknown, path: Path, peer: PeerSpec, texts: string[]): void {
  for (const [i, raw] of (arr(ctx, v, path) ?? []).entries()) {
    const e = str(ctx, raw, [...path, i]);
    if (e === undefined) continue;
    if (!(ENTITIES as readonly string[]).includes(e)) {
      ctx.error([...path, i], `${JSON.stringify(e)} is not one of ${ENTITIES.join(', ')}`);
      continue;
    }
    entityPeer(peer, e as Entity);
    texts.push(`entity ${e}${MODELLED_ENTITIES.has(e as Entity) ? '' : ' (not a workload of this model)'}`);
  }
}

function parseL7(ctx: DocCtx, v: unknown, path: Path): L7Spec | undefined {
  const o = obj(ctx, v, path);
  if (!o) return undefined;
  const l7: L7Spec = {};
  const http = arr(ctx, o.http, [...path, 'http']);
  if (http) {
    l7.http = [];
    http.forEach((h, i) => {
      const ho = obj(ctx, h, [...path, 'http', i]) ?? {};
      const rule: HttpRule = {};
      const method = str(ctx, ho.method, [...path, 'http', i, 'method']);
      const hpath = str(ctx, ho.path, [...path, 'http', i, 'path']);
      const host = str(ctx, ho.host, [...path, 'http', i, 'host']);
      for (const [k, re] of [
        ['method', method],
        ['path', hpath],
        ['host', host],
      ] as const) {
        if (re === undefined || re === '') continue;
        try {
          new RegExp(re);
        } catch {
          ctx.error([...path, 'http', i, k], `${JSON.stringify(re)} is not a valid regular expression`);
        }
      }
      if (method) rule.method = method;
      if (hpath) rule.path = hpath;
      if (host) rule.host = host;
      const headers = arr(ctx, ho.headers, [...path, 'http', i, 'headers']);
      if ((headers && headers.length > 0) || ho.headerMatches !== undefined) rule.headers = (headers ?? []).map(String);
      l7.http?.push(rule);
    });
  }
  const dns = arr(ctx, o.dns, [...path, 'dns']);
  if (dns) {
    l7.dns = [];
    dns.forEach((d, i) => {
      const dobj = obj(ctx, d, [...path, 'dns', i]);
      const f = dobj && fqdnSelector(ctx, dobj, [...path, 'dns', i]);
      if (f) l7.dns?.push(f);
    });
  }
  for (const other of ['kafka', 'l7proto']) if (o[other] !== undefined) l7.other = other;
  return l7.http || l7.dns || l7.other ? l7 : undefined;
}

function parseToPorts(ctx: DocCtx, v: unknown, path: Path, deny: boolean): PortGroup[] {
  const list = arr(ctx, v, path);
  if (list === undefined || list.length === 0) return [{ ports: 'all' }];
  const groups: PortGroup[] = [];
  list.forEach((raw, i) => {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) return;
    const items: PortItem[] = [];
    const ports = arr(ctx, o.ports, [...p, 'ports']) ?? [];
    ports.forEach((pr, j) => {
      const pp = [...p, 'ports', j];
      const po = obj(ctx, pr, pp);
      if (!po) return;
      let protocols: readonly Protocol[] = ANY; // "If omitted or empty, any protocol matches."
      if (po.protocol !== undefined && po.protocol !== null && po.protocol !== '' && po.protocol !== 'ANY') {
        if (po.protocol === 'TCP' || po.protocol === 'UDP' || po.protocol === 'SCTP') protocols = [po.protocol];
        else if (po.protocol === 'ICMP' || po.protocol === 'ICMPV6' || po.protocol === 'VRRP' || po.protocol === 'IGMP') {
          ctx.warn([...pp, 'protocol'], `${po.protocol} is not modelled (only TCP, UDP and SCTP are)`);
          return;
        } else {
          ctx.error([...pp, 'protocol'], `${JSON.stringify(po.protocol)} is not one of TCP, UDP, SCTP, ANY`);
          return;
        }
      }
      const port = po.port === undefined || po.port === null ? '0' : String(po.port);
      const endPort = int(ctx, po.endPort, [...pp, 'endPort']);
      if (/^\d+$/.test(port)) {
        const n = Number(port);
        if (n > 65535) {
          ctx.error([...pp, 'port'], `${port} is not a port number from 0 to 65535`);
          return;
        }
        // Port 0 is Cilium's wildcard: every port of the protocol.
        if (n === 0) items.push({ protocols });
        else {
          if (endPort !== undefined && endPort !== 0 && (endPort < n || endPort > 65535)) {
            ctx.error([...pp, 'endPort'], `${endPort} must be from port (${n}) to 65535`);
            return;
          }
          items.push({ protocols, start: n, end: endPort !== undefined && endPort > 0 ? endPort : n });
        }
      } else {
        const name = port.toLowerCase();
        if (!isValidPortName(name)) {
          ctx.error([...pp, 'port'], `${JSON.stringify(port)} is neither a port number nor a valid port name`);
          return;
        }
        // "EndPort is ignored if Port is a named port."
        items.push({ protocols, named: name });
      }
    });
    let l7: L7Spec | undefined;
    if (o.rules !== undefined && o.rules !== null) {
      if (deny) ctx.warn([...p, 'rules'], 'deny rules do not support L7 rules (docs.cilium.io, Deny Policies); ignored');
      else l7 = parseL7(ctx, o.rules, [...p, 'rules']);
    }
    for (const k of ['listener', 'serverNames', 'terminatingTLS', 'originatingTLS']) {
      if (o[k] !== undefined) ctx.info([...p, k], `${k} is not modelled; the port is treated as allowed at L4`);
    }
    groups.push({ ports: ports.length === 0 ? 'all' : items, ...(l7 ? { l7 } : {}) });
  });
  return groups;
}

function parseSpec(ctx: DocCtx, spec: Obj, p: Path, scope: Scope, base: Omit<PolicyUnit, 'subject' | 'isolates' | 'rules' | 'id'> & { id: string }): PolicyUnit | undefined {
  if (spec.nodeSelector !== undefined && spec.nodeSelector !== null) {
    if (scope.ns !== undefined) ctx.error([...p, 'nodeSelector'], 'is only allowed in CiliumClusterwideNetworkPolicy');
    else ctx.warn([...p, 'nodeSelector'], 'host policies (nodeSelector) are not modelled: nodes are not workloads here; this rule is skipped');
    return undefined;
  }
  if (spec.endpointSelector === undefined || spec.endpointSelector === null) {
    ctx.error([...p, 'endpointSelector'], 'is required (or nodeSelector in a clusterwide policy)');
    return undefined;
  }
  const sel = labelSelector(ctx, spec.endpointSelector, [...p, 'endpointSelector'], { cilium: true });
  if (!sel) return undefined;
  let subject: PodMatcher;
  if (sel.reqs.some((r) => r.source === 'reserved')) {
    ctx.warn([...p, 'endpointSelector'], `selects reserved identities (${sel.text}), not pods: not modelled`);
    subject = NO_PODS;
  } else {
    // "The endpointSelector always applies to pods in the namespace associated with the CiliumNetworkPolicy."
    subject = ciliumEndpointMatcher(sel, scope.ns, true);
  }
  const unit: PolicyUnit = { ...base, subject, isolates: { ingress: false, egress: false }, rules: [] };
  const lists: Array<[RuleList, Direction, boolean]> = [
    ['ingress', 'ingress', false],
    ['ingressDeny', 'ingress', true],
    ['egress', 'egress', false],
    ['egressDeny', 'egress', true],
  ];
  const hasRules: Record<Direction, boolean> = { ingress: false, egress: false };
  for (const [list, dir, deny] of lists) {
    const rules = arr(ctx, spec[list], [...p, list]);
    if (rules === undefined) continue;
    // "If omitted or empty, this rule does not apply at ingress/egress."
    if (rules.length === 0) {
      ctx.info([...p, list], `an empty ${list} list does not apply (Cilium API: "if omitted or empty, this rule does not apply"); it does not isolate`);
      continue;
    }
    hasRules[dir] = true;
    rules.forEach((raw, i) => {
      const rp = [...p, list, i];
      const r = obj(ctx, raw, rp);
      if (!r) {
        if (raw === null) ctx.error(rp, 'must be an object');
        return;
      }
      const peer = parseL3(ctx, r, rp, dir, scope);
      const groups = parseToPorts(ctx, r.toPorts, [...rp, 'toPorts'], deny);
      if (r.icmps !== undefined) ctx.warn([...rp, 'icmps'], 'ICMP is not modelled (only TCP, UDP and SCTP are)');
      if (peer.fqdns.length > 0 && deny) ctx.warn(rp, 'deny rules do not support toFQDNs (docs.cilium.io, Deny Policies)');
      if (groups.length === 0) return; // every toPorts entry was invalid or unmodelled (e.g. ICMP only)
      unit.rules.push(finishRule({ unit, direction: dir, action: deny ? 'deny' : 'allow', list, index: i + 1, peer, groups, line: ctx.line(rp) }));
    });
  }
  // enableDefaultDeny: "If not specified, the default is true for each traffic direction that has rules".
  const edd = obj(ctx, spec.enableDefaultDeny, [...p, 'enableDefaultDeny']);
  for (const dir of ['ingress', 'egress'] as const) {
    const explicit = edd ? bool(ctx, edd[dir], [...p, 'enableDefaultDeny', dir]) : undefined;
    unit.isolates[dir] = explicit ?? hasRules[dir];
  }
  if (!hasRules.ingress && !hasRules.egress) ctx.warn(p, 'has no ingress, ingressDeny, egress or egressDeny rules: it has no effect');
  return unit;
}

export function parseCiliumPolicy(ctx: DocCtx, o: Obj, ref: SourceRef, kind: PolicyKind, services: ServiceIndex): PolicyUnit[] | undefined {
  const meta = obj(ctx, o.metadata, ['metadata']) ?? {};
  const name = str(ctx, meta.name, ['metadata', 'name']) ?? '';
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const ns = clusterwide ? undefined : str(ctx, meta.namespace, ['metadata', 'namespace']) || 'default';
  const title = `${kind} ${ns !== undefined ? `${ns}/` : ''}${name}`;
  ctx.object = title;
  if (name === '') ctx.error(['metadata', 'name'], 'is required');
  const scope: Scope = { kind, ns, services };
  const units: PolicyUnit[] = [];
  const spec = obj(ctx, o.spec, ['spec']);
  const specs = arr(ctx, o.specs, ['specs']);
  if (!spec && (!specs || specs.length === 0)) {
    ctx.error([], 'has neither spec nor specs');
    return undefined;
  }
  const base = { kind, namespace: ns, name, ref };
  if (spec) {
    const u = parseSpec(ctx, spec, ['spec'], scope, { ...base, id: title });
    if (u) units.push(u);
  }
  specs?.forEach((s, i) => {
    const so = obj(ctx, s, ['specs', i]);
    if (!so) return;
    const u = parseSpec(ctx, so, ['specs', i], scope, { ...base, id: `${title} specs[${i}]`, section: `specs[${i}]`, ref: { file: ref.file, line: ctx.line(['specs', i]) } });
    if (u) units.push(u);
  });
  return ctx.failed ? undefined : units;
}

export type { NormRule };
