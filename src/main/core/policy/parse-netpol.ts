// Kubernetes NetworkPolicy (networking.k8s.io/v1) into normalized policy units.
// Semantics from the API reference (NetworkPolicySpec, NetworkPolicyPeer,
// NetworkPolicyPort, IPBlock) and kubernetes.io/docs/concepts/services-networking/network-policies.
import type { Protocol } from './connset';
import { IpSet, parseCidr } from './ipset';
import { anyPeer, emptyPeer, finishRule, k8sPeerMatcher, k8sSubjectMatcher } from './matchers';
import type { Direction, PeerSpec, PodMatcher, PolicyUnit, PortGroup, PortItem, SourceRef } from './model';
import { arr, DocCtx, int, labelSelector, obj, type Obj, type Path, str } from './reader';

const K8S_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** IANA_SVC_NAME: 1-15 chars of [a-z0-9-], at least one letter, no leading/trailing or double hyphen. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*$/;

export function isValidPortName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && PORT_NAME.test(name) && !name.endsWith('-');
}

function parsePorts(ctx: DocCtx, v: unknown, path: Path): PortGroup[] {
  const list = arr(ctx, v, path);
  // "If this field is empty or missing, this rule matches all ports."
  if (list === undefined || list.length === 0) return [{ ports: 'all' }];
  const items: PortItem[] = [];
  list.forEach((raw, i) => {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) return;
    let protocol: Protocol = 'TCP'; // "If not specified, this field defaults to TCP."
    if (o.protocol !== undefined && o.protocol !== null) {
      if (typeof o.protocol !== 'string' || !(K8S_PROTOCOLS as readonly string[]).includes(o.protocol)) {
        ctx.error([...p, 'protocol'], `${JSON.stringify(o.protocol)} is not one of TCP, UDP, SCTP`);
        return;
      }
      protocol = o.protocol as Protocol;
    }
    const port = o.port;
    const endPort = int(ctx, o.endPort, [...p, 'endPort']);
    if (port === undefined || port === null) {
      // "If this field is not provided, this matches all port names and numbers."
      if (endPort !== undefined) ctx.error([...p, 'endPort'], 'requires port to be set');
      items.push({ protocols: [protocol] });
      return;
    }
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        ctx.error([...p, 'port'], `${port} is not a port number from 1 to 65535`);
        return;
      }
      if (endPort !== undefined) {
        if (endPort < port || endPort > 65535) {
          ctx.error([...p, 'endPort'], `${endPort} must be from port (${port}) to 65535`);
          return;
        }
      }
      items.push({ protocols: [protocol], start: port, end: endPort ?? port });
      return;
    }
    if (typeof port === 'string') {
      if (!isValidPortName(port)) {
        ctx.error([...p, 'port'], `${JSON.stringify(port)} is neither a port number nor a valid port name (IANA_SVC_NAME)`);
        return;
      }
      if (endPort !== undefined) {
        ctx.error([...p, 'endPort'], 'cannot be used with a named port');
        return;
      }
      items.push({ protocols: [protocol], named: port });
      return;
    }
    ctx.error([...p, 'port'], `must be a number or a port name, not ${JSON.stringify(port)}`);
  });
  return [{ ports: items }];
}

function parseIpBlock(ctx: DocCtx, o: Obj, path: Path): IpSet | undefined {
  const cidrText = str(ctx, o.cidr, [...path, 'cidr']);
  if (cidrText === undefined) {
    if (o.cidr === undefined || o.cidr === null) ctx.error([...path, 'cidr'], 'is required');
    return undefined;
  }
  const cidr = parseCidr(cidrText);
  if (!cidr) {
    ctx.error([...path, 'cidr'], `${JSON.stringify(cidrText)} is not a valid CIDR`);
    return undefined;
  }
  let set = IpSet.range(cidr);
  const excepts = arr(ctx, o.except, [...path, 'except']) ?? [];
  let ok = true;
  excepts.forEach((e, i) => {
    const ep = [...path, 'except', i];
    const t = str(ctx, e, ep);
    if (t === undefined) return;
    const ex = parseCidr(t);
    if (!ex) {
      ctx.error(ep, `${JSON.stringify(t)} is not a valid CIDR`);
      ok = false;
      return;
    }
    // API validation: each except must be a strict subset of cidr.
    if (ex.family !== cidr.family || ex.start < cidr.start || ex.end > cidr.end || (ex.start === cidr.start && ex.end === cidr.end)) {
      ctx.error(ep, `${JSON.stringify(t)} must be a strict subset of cidr ${cidrText}`);
      ok = false;
      return;
    }
    set = set.subtract(IpSet.range(ex));
  });
  return ok ? set : undefined;
}

function parsePeers(ctx: DocCtx, v: unknown, path: Path, policyNs: string): PeerSpec | undefined {
  const list = arr(ctx, v, path);
  // "If this field is empty or missing, this rule matches all sources/destinations."
  if (list === undefined || list.length === 0) return anyPeer('any peer');
  const pods: PodMatcher[] = [];
  let ips = IpSet.EMPTY;
  const blocks: IpSet[] = [];
  const texts: string[] = [];
  let ok = true;
  list.forEach((raw, i) => {
    const p = [...path, i];
    const o = obj(ctx, raw, p);
    if (!o) {
      ok = false;
      return;
    }
    const hasPod = o.podSelector !== undefined && o.podSelector !== null;
    const hasNs = o.namespaceSelector !== undefined && o.namespaceSelector !== null;
    const hasIp = o.ipBlock !== undefined && o.ipBlock !== null;
    if (hasIp && (hasPod || hasNs)) {
      ctx.error(p, 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer');
      ok = false;
      return;
    }
    if (!hasIp && !hasPod && !hasNs) {
      ctx.error(p, 'must specify podSelector, namespaceSelector or ipBlock');
      ok = false;
      return;
    }
    if (hasIp) {
      const ipo = obj(ctx, o.ipBlock, [...p, 'ipBlock']);
      const set = ipo && parseIpBlock(ctx, ipo, [...p, 'ipBlock']);
      if (!set) {
        ok = false;
        return;
      }
      ips = ips.union(set);
      blocks.push(set);
      const ex = Array.isArray(ipo?.except) && ipo.except.length > 0 ? ` except ${ipo.except.join(',')}` : '';
      texts.push(`ipBlock ${String(ipo?.cidr)}${ex}`);
      return;
    }
    const podSel = hasPod ? labelSelector(ctx, o.podSelector, [...p, 'podSelector']) : undefined;
    const nsSel = hasNs ? labelSelector(ctx, o.namespaceSelector, [...p, 'namespaceSelector']) : undefined;
    if ((hasPod && !podSel) || (hasNs && !nsSel)) {
      ok = false;
      return;
    }
    const m = k8sPeerMatcher(policyNs, podSel, nsSel);
    pods.push(m);
    texts.push(m.text);
  });
  if (!ok) return undefined;
  const peer = emptyPeer(texts.join('; '));
  peer.pods = pods;
  peer.ips = ips;
  peer.blocks = blocks;
  return peer;
}

export function parseNetworkPolicy(ctx: DocCtx, o: Obj, ref: SourceRef): PolicyUnit | undefined {
  const meta = obj(ctx, o.metadata, ['metadata']) ?? {};
  const name = str(ctx, meta.name, ['metadata', 'name']) ?? '';
  const ns = str(ctx, meta.namespace, ['metadata', 'namespace']) || 'default';
  ctx.object = `NetworkPolicy ${ns}/${name}`;
  if (name === '') ctx.error(['metadata', 'name'], 'is required');
  const spec = obj(ctx, o.spec, ['spec']);
  if (!spec) {
    if (o.spec === undefined || o.spec === null) ctx.error(['spec'], 'is required');
    return undefined;
  }
  // podSelector is required; an empty selector selects all pods in the namespace.
  const podSel = labelSelector(ctx, spec.podSelector ?? {}, ['spec', 'podSelector']);
  const ingress = arr(ctx, spec.ingress, ['spec', 'ingress']);
  const egress = arr(ctx, spec.egress, ['spec', 'egress']);
  const types = arr(ctx, spec.policyTypes, ['spec', 'policyTypes']);
  const isolates: Record<Direction, boolean> = { ingress: false, egress: false };
  if (types !== undefined && types.length > 0) {
    types.forEach((t, i) => {
      if (t === 'Ingress') isolates.ingress = true;
      else if (t === 'Egress') isolates.egress = true;
      else ctx.error(['spec', 'policyTypes', i], `${JSON.stringify(t)} is not one of Ingress, Egress`);
    });
  } else {
    // Defaults: Ingress always; Egress when the policy has egress rules.
    isolates.ingress = true;
    isolates.egress = egress !== undefined && egress.length > 0;
  }
  if (ctx.failed || !podSel) return undefined;

  const unit: PolicyUnit = {
    id: `NetworkPolicy ${ns}/${name}`,
    kind: 'NetworkPolicy',
    namespace: ns,
    name,
    ref,
    subject: k8sSubjectMatcher(ns, podSel),
    isolates,
    rules: [],
  };
  for (const dir of ['ingress', 'egress'] as const) {
    const list = dir === 'ingress' ? ingress : egress;
    if (!list) continue;
    if (list.length > 0 && !isolates[dir]) {
      ctx.warn(['spec', dir], `${list.length} ${dir} rule(s) are ignored: policyTypes does not include ${dir === 'ingress' ? 'Ingress' : 'Egress'}`);
      continue;
    }
    list.forEach((raw, i) => {
      const p: Path = ['spec', dir, i];
      const r = obj(ctx, raw, p);
      if (!r) {
        if (raw === null) ctx.error(p, 'must be an object');
        return;
      }
      const peerField = dir === 'ingress' ? 'from' : 'to';
      const peer = parsePeers(ctx, r[peerField], [...p, peerField], ns);
      const groups = parsePorts(ctx, r.ports, [...p, 'ports']);
      if (!peer) return;
      unit.rules.push(finishRule({ unit, direction: dir, action: 'allow', list: dir, index: i + 1, peer, groups, line: ctx.line(p) }));
    });
  }
  return ctx.failed ? undefined : unit;
}
