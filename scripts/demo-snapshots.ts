// Regenerates the demo snapshots in resources/snapshots/ from the test control plane:
//   npx tsx scripts/demo-snapshots.ts [--only healthy,mtu-overlay,…] [--keep]
//
// Each demo is a fresh instance of a profile (kind-cilium or kind-default), with the variant
// of one pitfall applied through the API, captured by the snapshot feature (captureSnapshot,
// redaction, writeSnapshot) — never written by hand. The capture gathers every fact the checks
// read plus the facts of the pitfall walkthroughs (pitfallFactKeys), through the gatherer's
// API-only path: node facts are unknown (not applicable) as on any cluster captured without node
// access, which is why the MTU walkthrough asks for the underlay MTU.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { GatherFn } from '../src/main/core/checkrun/run';
import type { ResolvedTarget } from '../src/main/core/checkrun/service';
import { gatherFacts } from '../src/main/core/gather/index';
import { KubeClient } from '../src/main/core/kube/client';
import { pitfallFactKeys } from '../src/main/core/pitfalls/index';
import { captureSnapshot } from '../src/main/core/snapshot/capture';
import { serializeSnapshot, writeSnapshot } from '../src/main/core/snapshot/snapshot';
import { KubeConfig } from '@kubernetes/client-node';
import { applyVariant, ensureCluster, releaseCluster, type ClusterHandle, type Variant } from './testcluster/index';
import { PITFALL_VARIANTS } from './testcluster/profiles/variants';

interface Demo {
  /** File name without .json.gz; the target id becomes snapshot:demo:<file>. */
  file: string;
  profile: 'kind-cilium' | 'kind-default';
  variant: Variant | null;
  title: string;
  description: string;
}

const v = (id: string) => PITFALL_VARIANTS[id]!.variant;

export const DEMOS: Demo[] = [
  {
    file: 'kind-cilium-healthy',
    profile: 'kind-cilium',
    variant: null,
    title: 'Healthy kind cluster with Cilium 1.18',
    description:
      'kind cluster "lab" (1 control plane, 2 workers, Kubernetes 1.34) with Cilium 1.18.6 replacing kube-proxy, VXLAN tunnel, kubernetes IPAM, CoreDNS 2/2. Every check passes; every pitfall walkthrough rules its pitfall out. Node facts were not read (captured through the API only).',
  },
  {
    file: 'pitfall-mtu-overlay',
    profile: 'kind-cilium',
    variant: v('mtu-overlay'),
    title: 'Pitfall: MTU pinned above the underlay',
    description:
      'The healthy Cilium cluster with Helm value MTU=1500 on its VXLAN tunnel (cilium-config mtu: "1500"). Pods get 1450-byte routes and send 1500-byte encapsulated packets; on an underlay of 1460 (GCP) they fragment or drop. Node interfaces were not read: the MTU walkthrough asks for the underlay MTU.',
  },
  {
    file: 'pitfall-default-cni-scale',
    profile: 'kind-default',
    variant: v('default-cni-scale'),
    title: 'Pitfall: default CNI and iptables at scale',
    description:
      'A plain kind cluster (kindnet, kube-proxy in iptables mode) with 1,050 extra ClusterIP Services in namespace scale-demo: 1,052 Services, past the 1,000 where iptables mode shows first-packet latency.',
  },
  {
    file: 'pitfall-policy-overlaps',
    profile: 'kind-cilium',
    variant: v('policy-overlaps'),
    title: 'Pitfall: overlapping policies, default-deny without DNS',
    description:
      'Namespace shop (frontend, cart) with a default-deny for ingress and egress but no DNS rule, and the same frontend → cart allow on 7070 in two NetworkPolicies and a CiliumNetworkPolicy.',
  },
  {
    file: 'pitfall-coredns-failures',
    profile: 'kind-cilium',
    variant: v('coredns-failures'),
    title: 'Pitfall: CoreDNS crash-looping',
    description:
      'Both CoreDNS pods in CrashLoopBackOff (exit 1, 7 restarts) as with a forwarding loop through systemd-resolved: kube-dns has no ready endpoint. The logs are not in the API: the walkthrough asks what they say.',
  },
  {
    file: 'pitfall-cni-service-mesh',
    profile: 'kind-cilium',
    variant: v('cni-service-mesh'),
    title: 'Pitfall: Cilium WireGuard under Istio STRICT mTLS',
    description:
      'Istio 1.27 (istiod, istio-cni-node, PeerAuthentication istio-system/default STRICT, namespace bookinfo injected) next to Cilium with WireGuard on, kube-proxy replacement with socket LB in pods, and cni-exclusive true.',
  },
  {
    file: 'pitfall-ipam-churn',
    profile: 'kind-cilium',
    variant: v('ipam-churn'),
    title: 'Pitfall: pod addresses exhausted by Job churn',
    description:
      "245 allocations on lab-worker's CiliumNode owned by batch/job-N pods that are gone, leaving the node's /24 exhausted; a FailedCreatePodSandBox Event with Cilium's \"range is full\" for the next Job pod.",
  },
  {
    file: 'pitfall-ebpf-verifier',
    profile: 'kind-cilium',
    variant: v('ebpf-verifier'),
    title: 'Pitfall: eBPF verifier rejects a Cilium program',
    description:
      "The Cilium agent on lab-worker is not ready and was restarted after failed liveness probes; its termination message (FallbackToLogsOnError) holds the verifier's 'BPF program is too large. Processed 1000001 insn' for tail_nodeport_nat_ingress_ipv4 (from cilium/cilium#30093).",
  },
];

function clientOf(h: ClusterHandle): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfig);
  kc.setCurrentContext(h.context);
  return new KubeClient(kc, h.context);
}

/** A resolved target for the snapshot feature: the cluster through the API only (no node containers), recorded as the kind cluster it imitates. */
function resolvedFor(h: ClusterHandle, client: KubeClient, extraKeys: readonly string[]): ResolvedTarget {
  const gather: GatherFn = async (keys, o) => {
    const r = await gatherFacts({ kind: 'cluster', client }, [...new Set([...keys, ...extraKeys])] as typeof keys, { signal: o.signal, onProgress: o.onProgress });
    return { facts: r.facts, raw: r.raw };
  };
  return { target: { kind: 'kind', name: h.context, context: h.context, server: null, serverVersion: null }, gather };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, keep: { type: 'boolean' }, out: { type: 'string' } }, strict: true });
  const only = values.only?.split(',').map((s) => s.trim());
  const demos = DEMOS.filter((d) => !only || only.includes(d.file) || only.includes(d.file.replace(/^pitfall-/, '')) || (d.variant === null && only.includes('healthy')));
  const outDir = values.out ?? join(import.meta.dirname, '..', 'resources', 'snapshots');
  const extra = pitfallFactKeys();
  for (const profile of ['kind-cilium', 'kind-default'] as const) {
    const mine = demos.filter((d) => d.profile === profile);
    if (!mine.length) continue;
    for (const d of mine) {
      // A fresh instance per demo: no variant leaves anything behind in another's snapshot.
      const h = await ensureCluster(profile, { name: `demo-${profile}`, recreate: true, hold: true });
      const client = clientOf(h);
      try {
        if (d.variant) {
          process.stderr.write(`[demo-snapshots] ${d.file}: applying ${d.variant.name}\n`);
          await applyVariant(h.name, d.variant);
        }
        const resolved = resolvedFor(h, client, extra);
        const snap = await captureSnapshot(resolved, client, { title: d.title, description: d.description });
        snap.target.serverVersion = (snap.facts['k8s.version']?.state === 'known' ? snap.facts['k8s.version'].value.gitVersion : null) ?? null;
        const file = join(outDir, `${d.file}.json.gz`);
        writeSnapshot(file, snap);
        process.stderr.write(`[demo-snapshots] ${d.file}: ${serializeSnapshot(snap, true).length} bytes → ${file}\n`);
      } finally {
        client.close();
        if (!values.keep) await releaseCluster(h.name, { log: () => {} });
      }
    }
  }
}

await main();
