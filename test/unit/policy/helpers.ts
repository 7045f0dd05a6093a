// Builders for policy tests: the cyclonus / upstream e2e layout (namespaces
// x, y, z with labels ns=<name>; pods a, b, c with pod=<name>, serving 80 and
// 81 on TCP, UDP and SCTP under the names serve-80-tcp, …), plus helpers to
// read an analysis as a reachability table.
import { analyzeObjects, type PolicyAnalysis, type Protocol } from '../../../src/main/core/policy';
import type { InputObject } from '../../../src/main/core/policy/objects';

export const NSS = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;

export function ns(name: string, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface PortSpec {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
}

export function pod(namespace: string, name: string, labels: Record<string, string>, ports: PortSpec[] = [], extra: Record<string, unknown> = {}): unknown {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels, ...extra }, spec: { containers: [{ name: 'c', image: 'agnhost', ports }] } };
}

export const SERVE_PORTS: PortSpec[] = (['TCP', 'UDP', 'SCTP'] as const).flatMap((p) => [80, 81].map((n) => ({ name: `serve-${n}-${p.toLowerCase()}`, containerPort: n, protocol: p })));

/** The cyclonus cluster: 3 namespaces x 3 pods, each pod serving 80/81 on TCP, UDP, SCTP. */
export function cyclonusCluster(): unknown[] {
  const out: unknown[] = [];
  for (const n of NSS) {
    out.push(ns(n, { ns: n }));
    for (const p of PODS) out.push(pod(n, p, { pod: p }, SERVE_PORTS));
  }
  return out;
}

export function netpol(namespace: string, name: string, spec: unknown): unknown {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function cnp(namespace: string, name: string, spec: unknown): unknown {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

export function ccnp(name: string, spec: unknown): unknown {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

export function analyze(objs: unknown[]): PolicyAnalysis {
  const inputs: InputObject[] = objs.map((obj) => ({ obj, file: 'test.yaml' }));
  return analyzeObjects(inputs);
}

/** `x/a` → `x/a[Pod]` */
export function podId(short: string): string {
  return short.includes('[') || /^\d|:/.test(short) || short.startsWith('fqdn:') ? short : `${short}[Pod]`;
}

/** Pairs (`x/a>y/b`, pods only, no self pairs) that allow protocol/port. */
export function reach(a: PolicyAnalysis, protocol: Protocol, port: number): Set<string> {
  const out = new Set<string>();
  for (const c of a.connections()) {
    if (!c.src.endsWith('[Pod]') || !c.dst.endsWith('[Pod]')) continue;
    if (c.conn.contains(protocol, port)) out.add(`${c.src.replace('[Pod]', '')}>${c.dst.replace('[Pod]', '')}`);
  }
  return out;
}

export const ALL_PODS = NSS.flatMap((n) => PODS.map((p) => `${n}/${p}`));

/** Every ordered pair of distinct cyclonus pods for which `allowed(src, dst)` holds. */
export function pairs(allowed: (src: { ns: string; pod: string }, dst: { ns: string; pod: string }) => boolean): Set<string> {
  const out = new Set<string>();
  for (const s of ALL_PODS) {
    for (const d of ALL_PODS) {
      if (s === d) continue;
      const [sn = '', sp = ''] = s.split('/');
      const [dn = '', dp = ''] = d.split('/');
      if (allowed({ ns: sn, pod: sp }, { ns: dn, pod: dp })) out.add(`${s}>${d}`);
    }
  }
  return out;
}

/** The connection text (netpol-analyzer style) between two peers, or '' when none. */
export function connText(a: PolicyAnalysis, src: string, dst: string): string {
  const c = a.connections().find((x) => x.src === podId(src) && x.dst === podId(dst));
  return c ? c.conn.toText() : '';
}
