// Policy analyzer benchmark: 1,000 policies over 10,000 pods in 200 namespaces.
// Run: npx tsx test/bench/policy.ts   (or import runPolicyBench from the main bench script)
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { report } from './report';
import { analyzeObjects, connlistJSON, trace, type InputObject } from '../../src/main/core/policy';

const NAMESPACES = 200;
const APPS_PER_NS = 10;
const REPLICAS = 5;

export const GOALS = { connlistMs: 5000, traceMs: 50, peakRssMb: 500 };

/** A small deterministic PRNG (mulberry32), so every run builds the same cluster. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TIERS = ['web', 'api', 'api', 'worker', 'db', 'cache', 'web', 'api', 'worker', 'batch'] as const;

interface Gen {
  objects: InputObject[];
  pods: number;
  policies: number;
}

/**
 * Builds a realistic cluster: per namespace ten Deployments (with their
 * ReplicaSets and five Pods each, owner references set), namespace labels for
 * team and environment, named container ports that differ between apps, and a
 * policy mix of default-deny, DNS egress, tier-to-tier allows with named ports
 * and port ranges, cross-namespace monitoring, ipBlock egress with excepts, and
 * Cilium policies with L7 HTTP rules, entities, FQDNs and deny rules.
 */
export function generateCluster(seed = 42): Gen {
  const rand = rng(seed);
  const objects: InputObject[] = [];
  let pods = 0;
  let policies = 0;
  const push = (obj: unknown) => objects.push({ obj, file: 'generated.yaml' });
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = n === 0 ? 'kube-system' : n === 1 ? 'ingress-nginx' : n === 2 ? 'monitoring' : `team${n % 40}-app${n}`;
    const env = n % 3 === 0 ? 'prod' : n % 3 === 1 ? 'staging' : 'dev';
    push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % 40}`, env } } });
    for (let a = 0; a < APPS_PER_NS; a++) {
      const tier: string = n === 0 && a === 0 ? 'dns' : (TIERS[a % TIERS.length] as string);
      const app = n === 0 && a === 0 ? 'coredns' : `${tier}-${a}`;
      const labels: Record<string, string> = n === 0 && a === 0 ? { 'k8s-app': 'kube-dns' } : { app, tier, version: `v${1 + Math.floor(rand() * 3)}` };
      const httpPort = rand() < 0.3 ? 8443 : 8080;
      const ports =
        tier === 'dns'
          ? [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
            ]
          : tier === 'db'
            ? [{ name: 'db', containerPort: rand() < 0.5 ? 5432 : 3306 }]
            : [
                { name: 'http', containerPort: httpPort },
                { name: 'metrics', containerPort: 9100 },
              ];
      const template = { metadata: { labels }, spec: { containers: [{ name: app, image: 'registry.example/app:1', ports }] } };
      const hash = Math.floor(rand() * 0xffffff).toString(16);
      push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns }, spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template } });
      push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${app}-${hash}`, namespace: ns, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, controller: true }] },
        spec: { replicas: REPLICAS, template: { ...template, metadata: { labels: { ...labels, 'pod-template-hash': hash } } } },
      });
      for (let r = 0; r < REPLICAS; r++) {
        pods++;
        push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-${hash}-${r}`,
            namespace: ns,
            labels: { ...labels, 'pod-template-hash': hash },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, controller: true }],
          },
          spec: template.spec,
          status: { podIP: `10.${n}.${a}.${r + 10}` },
        });
      }
    }
    // Five policies per namespace (1,000 in all).
    const np = (name: string, spec: unknown) => {
      policies++;
      push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    };
    const cnp = (name: string, spec: unknown) => {
      policies++;
      push({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns }, spec });
    };
    if (n % 4 !== 3) np('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    else np('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    np('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    if (n === 0) {
      np('dns-from-cluster', {
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 'dns-tcp' }] }],
      });
    } else np('web-from-ingress', {
      podSelector: { matchLabels: { tier: 'web' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http' }] }],
      egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'cache'] }] } }], ports: [{ port: 8080, endPort: 8090 }, { port: 'http' }] }],
    });
    if (n % 5 === 0) {
      cnp('api-l7', {
        endpointSelector: { matchLabels: { tier: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { tier: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }],
        ingressDeny: [{ fromEntities: ['world'] }],
        egress: [{ toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '443' }] }] }, { toEntities: ['cluster'] }],
      });
    } else {
      np('api-from-web', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'worker'] }] },
        ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { namespaceSelector: { matchLabels: { env } }, podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ port: 'http' }, { port: 9000, endPort: 9010 }] }],
        egress: [
          { to: [{ podSelector: { matchLabels: { tier: 'db' } } }, { podSelector: { matchLabels: { tier: 'cache' } } }], ports: [{ port: 'db' }, { port: 6379 }] },
          { to: [{ ipBlock: { cidr: '172.16.0.0/12', except: [`172.${16 + (n % 16)}.0.0/16`] } }], ports: [{ port: 443 }] },
        ],
      });
    }
    np('db-and-metrics', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ port: 'db' }, { port: 6379 }] },
        { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] } }], ports: [{ port: 'metrics' }] },
      ],
    });
  }
  return { objects, pods, policies };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function runPolicyBench(): Promise<Record<string, number>> {
  const gen = generateCluster();
  const t0 = performance.now();
  const analysis = analyzeObjects(gen.objects);
  const t1 = performance.now();
  const conns = analysis.connections();
  const json = JSON.stringify(connlistJSON(conns));
  const t2 = performance.now();
  const ws = analysis.workloads;
  const traces: number[] = [];
  for (let i = 0; i < 9; i++) {
    const src = ws[(i * 37) % ws.length]?.id ?? '';
    const dst = ws[(i * 53 + 11) % ws.length]?.id ?? '';
    const s = performance.now();
    trace(analysis, { src, dst, protocol: 'TCP', port: 8080 });
    traces.push(performance.now() - s);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  return {
    pods: gen.pods,
    policies: gen.policies,
    namespaces: NAMESPACES,
    workloads: ws.length,
    podClasses: analysis.classes.length,
    connections: conns.length,
    connlistJsonMb: Math.round((json.length / 1e6) * 10) / 10,
    modelMs: Math.round(t1 - t0),
    connlistMs: Math.round(t2 - t0),
    traceMedianMs: Math.round(median(traces) * 100) / 100,
    peakRssMb: Math.round(rss),
  };
}

async function main(): Promise<void> {
  const r = await runPolicyBench();
  console.log(`policy bench: ${r.policies} policies, ${r.pods} pods, ${r.namespaces} namespaces -> ${r.workloads} workloads, ${r.podClasses} pod classes, ${r.connections} connections (${r.connlistJsonMb} MB JSON)`);
  const row = (metric: string, value: number, goal: number, unit: string) => ({ metric, value, unit, goal: `≤ ${goal} ${unit}`, met: value <= goal });
  report(
    'policy',
    [
      row('connlist (full)', r.connlistMs ?? 0, GOALS.connlistMs, 'ms'),
      { metric: '  of which model', value: r.modelMs ?? 0, unit: 'ms' },
      row('trace (median of 9)', r.traceMedianMs ?? 0, GOALS.traceMs, 'ms'),
      row('peak RSS', r.peakRssMb ?? 0, GOALS.peakRssMb, 'MB'),
    ],
    r,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
