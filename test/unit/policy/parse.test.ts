import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeDir, analyzeObjects, formatIssue, parseText } from '../../../src/main/core/policy';
import { analyze, netpol, ns, pod } from './helpers';

const FIX = join(__dirname, '../../fixtures/policy');

describe('errors name the file and the line', () => {
  it('reads the broken folder: bad documents are errors, the others are used', async () => {
    const a = await analyzeDir(join(FIX, 'broken'));
    const errors = a.model.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i).replace(`${FIX}/`, ''));
    expect(errors).toEqual([
      'broken/syntax.yaml:13: YAML syntax error: Unexpected scalar at node end (1 later document(s) in this file not read)',
      'broken/deny.yaml:10: NetworkPolicy default/x: spec.podSelector.matchExpressions[0].operator "Among" is not one of In, NotIn, Exists, DoesNotExist',
      'broken/deny.yaml:23: NetworkPolicy default/mixed-peer: spec.ingress[0].from[0] ipBlock cannot be combined with podSelector or namespaceSelector in one peer',
    ]);
    // The pod before the syntax error, the PodList item without kind, and the valid policy are all there.
    expect(a.workloads.map((w) => w.id)).toEqual(['default/client[Pod]', 'default/web[Pod]']);
    expect(a.model.policies.map((p) => p.id)).toEqual(['NetworkPolicy default/web-deny-all']);
    expect(a.model.ignored).toEqual({ ConfigMap: 1 });
    expect(a.connections().some((c) => c.dst === 'default/web[Pod]')).toBe(false);
  });

  const bad: Array<[string, unknown, string]> = [
    ['In without values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, 'spec.podSelector.matchExpressions[0].values must be non-empty when operator is In'],
    ['Exists with values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }, 'spec.podSelector.matchExpressions[0].values must be empty when operator is Exists'],
    ['unknown policy type', { podSelector: {}, policyTypes: ['Sideways'] }, 'spec.policyTypes[0] "Sideways" is not one of Ingress, Egress'],
    ['bad protocol', { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] }, 'spec.ingress[0].ports[0].protocol "ICMP" is not one of TCP, UDP, SCTP'],
    ['port out of range', { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] }, 'spec.ingress[0].ports[0].port 70000 is not a port number from 1 to 65535'],
    ['endPort below port', { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort 80 must be from port (90) to 65535'],
    ['endPort with a named port', { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort cannot be used with a named port'],
    ['peer without selectors', { podSelector: {}, ingress: [{ from: [{}] }] }, 'spec.ingress[0].from[0] must specify podSelector, namespaceSelector or ipBlock'],
    ['invalid cidr', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/40' } }] }] }, 'spec.egress[0].to[0].ipBlock.cidr "10.0.0.0/40" is not a valid CIDR'],
    ['except outside cidr', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }, 'spec.egress[0].to[0].ipBlock.except[0] "11.0.0.0/16" must be a strict subset of cidr 10.0.0.0/8'],
  ];
  it.each(bad)('%s', (_name, spec, message) => {
    const a = analyze([netpol('default', 'p', spec)]);
    expect(a.model.issues.map((i) => `${i.path} ${i.message}`)).toEqual([message]);
    expect(a.model.policies).toEqual([]);
  });

  it('line numbers point at the field inside a multi-document file', () => {
    const text = ['kind: Namespace', 'metadata: {name: a}', '---', 'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: p, namespace: a}', 'spec:', '  podSelector: {}', '  ingress:', '    - ports:', '        - port: 0'].join('\n');
    const { objects } = parseText(text, 'p.yaml');
    expect(objects.map((o) => o.line)).toEqual([1, 4]);
    expect(analyzeObjects(objects).model.issues.map(formatIssue)).toEqual(['p.yaml:11: NetworkPolicy a/p: spec.ingress[0].ports[0].port 0 is not a port number from 1 to 65535']);
  });
});

describe('workloads', () => {
  it('pods collapse into their top owner; a bare pod and a static pod stay Pods', async () => {
    const a = await analyzeDir(join(FIX, 'shop'));
    expect(a.workloads.map((w) => `${w.id} pods=${w.podCount}`)).toEqual([
      'kube-system/coredns[Deployment] pods=0',
      'shop/cart[Deployment] pods=0',
      'shop/frontend[Deployment] pods=1',
      'shop/redis[StatefulSet] pods=0',
      'shop/report[CronJob] pods=0',
    ]);
    // The real pod's labels (with pod-template-hash) describe the frontend, not the template.
    expect(a.workloads.find((w) => w.name === 'frontend')?.variants.map((v) => v.labels)).toEqual([{ app: 'frontend', tier: 'web', 'pod-template-hash': '7d4b9c' }]);
  });

  it.each([
    ['no owner', {}, 'default/p[Pod]'],
    ['owner absent: named after the owner reference', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8', controller: true }] }, 'default/web-5d8[ReplicaSet]'],
    ['Node owner (static pod)', { ownerReferences: [{ kind: 'Node', name: 'n1', controller: true }] }, 'default/p[Pod]'],
    ['not a controller reference', { ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] }, 'default/p[Pod]'],
    ['owner reference without a kind (read as Pod, like netpol-analyzer)', { ownerReferences: [{ name: 'internal-security', controller: true }] }, 'default/internal-security[Pod]'],
  ])('%s', (_name, meta, id) => {
    const a = analyze([pod('default', 'p', { app: 'x' }, [], meta as Record<string, unknown>)]);
    expect(a.workloads.map((w) => w.id)).toEqual([id]);
  });

  it('Job -> CronJob when the Job is present', () => {
    const a = analyze([
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-28', namespace: 'default', ownerReferences: [{ kind: 'CronJob', name: 'report', controller: true }] }, spec: { template: { metadata: { labels: { app: 'r' } }, spec: { containers: [] } } } },
      pod('default', 'report-28-x', { app: 'r' }, [], { ownerReferences: [{ kind: 'Job', name: 'report-28', controller: true }] }),
    ]);
    expect(a.workloads.map((w) => w.id)).toEqual(['default/report[CronJob]']);
  });

  it('namespaces get kubernetes.io/metadata.name; referenced ones exist with only that label', () => {
    const a = analyze([ns('a', { team: 't' }), pod('b', 'p', {})]);
    expect(a.model.namespaces.get('a')?.labels).toEqual({ team: 't', 'kubernetes.io/metadata.name': 'a' });
    expect(a.model.namespaces.get('b')).toEqual({ name: 'b', labels: { 'kubernetes.io/metadata.name': 'b' }, defined: false });
  });

  it('a List with kind-less items of a typed list (NamespaceList) and nested kinds', () => {
    const a = analyze([
      { kind: 'NamespaceList', items: [{ metadata: { name: 'n1', labels: { env: 'prod' } } }] },
      { kind: 'List', items: [pod('n1', 'p', { app: 'a' }), netpol('n1', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })] },
    ]);
    expect(a.model.namespaces.get('n1')?.labels.env).toBe('prod');
    expect(a.workloads.map((w) => w.id)).toEqual(['n1/p[Pod]']);
    expect(a.model.policies.map((p) => p.id)).toEqual(['NetworkPolicy n1/deny']);
  });
});
