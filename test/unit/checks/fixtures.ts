import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { factsFromObjects, mergeFactSets, setNodeFact, type RawObject } from '../../../src/main/core/facts';
import { KERNEL_OPTIONS_OF_INTEREST, parseKernelConfig } from '../../../src/main/core/facts/kernel-config';
import type { FactSet, KernelConfig, NetInterface } from '../../../src/main/core/facts/types';
import { known } from '../../../src/shared/facts';

/** Loading and adapting the real-world fixtures under test/fixtures/checks (see its README). */

export const FIXTURES = join(__dirname, '../../fixtures/checks');

export function loadYaml(rel: string): RawObject[] {
  const text = readFileSync(join(FIXTURES, rel), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as RawObject | null)
    .filter((o): o is RawObject => o !== null && typeof o === 'object');
}

export const loadJson = (rel: string): RawObject => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8')) as RawObject;

/** A real distro kernel config (stored gzipped, as /proc/config.gz serves it). */
export function kernelConfigFixture(file: string): KernelConfig {
  const text = gunzipSync(readFileSync(join(FIXTURES, 'kernel-configs', file))).toString('utf8');
  const p = parseKernelConfig(text, KERNEL_OPTIONS_OF_INTEREST);
  return { path: '/proc/config.gz', searched: ['/proc/config.gz'], options: p.options, optionCount: p.optionCount };
}

/**
 * Rendered manifests carry no status (nothing ran). Tests give workloads the status a
 * running cluster would report: DaemonSets on `desired` nodes, Deployments with `desired` replicas.
 */
export function withStatus(objs: RawObject[], status: Record<string, { desired: number; ready: number }>): RawObject[] {
  return objs.map((o) => {
    const key = `${o.kind}/${o.metadata?.name}`;
    const s = status[key];
    if (!s) return o;
    if (o.kind === 'DaemonSet') return { ...o, status: { desiredNumberScheduled: s.desired, numberReady: s.ready, numberAvailable: s.ready, updatedNumberScheduled: s.desired } };
    if (o.kind === 'Deployment') return { ...o, spec: { ...(o.spec as object), replicas: s.desired }, status: { replicas: s.desired, readyReplicas: s.ready, availableReplicas: s.ready, updatedReplicas: s.desired } };
    return o;
  });
}

/** Cluster facts from fixture files (YAML or JSON), merged left to right. */
export function clusterFacts(...files: (string | RawObject[])[]): FactSet {
  const objs = files.flatMap((f) => (typeof f !== 'string' ? f : f.endsWith('.json') ? [loadJson(f)] : loadYaml(f)));
  return factsFromObjects(objs, 'fixture');
}

export interface NodeSpec {
  release?: string;
  config?: KernelConfig;
  interfaces?: NetInterface[];
  addresses?: { device: string; address: string; prefixLength: number; family: 'ipv4' | 'ipv6' }[];
  route?: string;
  cgroup?: 'v2' | 'hybrid' | 'v1';
  btf?: boolean;
}

/** Node facts as a node probe would gather them. */
export function nodeFacts(nodes: Record<string, NodeSpec>): FactSet {
  const set: FactSet = {};
  for (const [name, n] of Object.entries(nodes)) {
    if (n.release) setNodeFact(set, 'node.kernel.release', name, known(n.release, '/proc/sys/kernel/osrelease'));
    if (n.config) setNodeFact(set, 'node.kernel.config', name, known(n.config, n.config.path));
    if (n.interfaces) setNodeFact(set, 'node.interfaces', name, known(n.interfaces, 'ip -j -d link show'));
    if (n.addresses) setNodeFact(set, 'node.addresses', name, known(n.addresses, 'ip -j addr show'));
    if (n.route) setNodeFact(set, 'node.route.default', name, known({ ipv4: { device: n.route, gateway: '172.18.0.1' }, ipv6: null }, '/proc/net/route'));
    if (n.cgroup) setNodeFact(set, 'node.cgroup', name, known({ mode: n.cgroup, v2Mount: n.cgroup === 'v1' ? null : n.cgroup === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified', controllers: [] }, '/proc/mounts'));
    if (n.btf !== undefined) {
      const r = n.release ?? 'unknown';
      setNodeFact(set, 'node.kernel.btf', name, known({ present: n.btf, path: n.btf ? '/sys/kernel/btf/vmlinux' : null, searched: ['/sys/kernel/btf/vmlinux', `/boot/vmlinux-${r}`] }, n.btf ? '/sys/kernel/btf/vmlinux' : 'searched 2 paths'));
    }
  }
  return set;
}

export const eth = (name: string, mtu: number, kind = 'veth'): NetInterface => ({ name, mtu, kind, state: 'up', parent: null });

export { mergeFactSets };
