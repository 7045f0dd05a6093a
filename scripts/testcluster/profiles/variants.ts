// Variants: changes applied through the API on top of a running profile, to give checks
// something broken to find. Apply them to a cluster of your own (ensureCluster(profile,
// { name: 'my-test' })) or revert them, since the shared test clusters serve every test.
import type { KubeObject } from '../kube';
import type { SeedContext } from '../seed';
import type { Variant } from './types';

async function scaleCoreDNS(ctx: SeedContext, replicas: number): Promise<void> {
  await ctx.kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system' }, spec: { replicas } });
  await ctx.waitFor(`coredns at ${replicas} pods`, async () => {
    const pods = await ctx.kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    return pods.length === replicas;
  });
}

/** CoreDNS scaled to zero: kube-dns has no endpoints. */
export const corednsScaledToZero: Variant = {
  name: 'coredns-scaled-to-zero',
  description: 'Deployment kube-system/coredns at 0 replicas, so Service kube-dns has no ready endpoints',
  profiles: ['kind-cilium', 'kind-default', 'large'],
  apply: (ctx) => scaleCoreDNS(ctx, 0),
  revert: (ctx) => scaleCoreDNS(ctx, 2),
};

type ConfigMap = KubeObject & { data?: Record<string, string> };

/**
 * cilium-config with the pre-1.15 `tunnel: vxlan` key instead of routing-mode/tunnel-protocol
 * (the old key was removed in 1.15: a 1.18 agent ignores it and uses its defaults).
 */
export const ciliumConfigLegacyTunnelKey: Variant = {
  name: 'cilium-config-legacy-tunnel-key',
  description: 'kube-system/cilium-config has `tunnel: vxlan` and no routing-mode / tunnel-protocol',
  profiles: ['kind-cilium', 'large'],
  async apply(ctx) {
    const cm = await ctx.kube.get<ConfigMap>('v1', 'ConfigMap', 'cilium-config', 'kube-system');
    if (!cm?.data) throw new Error('kube-system/cilium-config not found');
    const data: Record<string, string> = { ...cm.data, tunnel: 'vxlan' };
    delete data['routing-mode'];
    delete data['tunnel-protocol'];
    await ctx.kube.request('PUT', await ctx.kube.pathFor('v1', 'ConfigMap', { namespace: 'kube-system', name: 'cilium-config' }), {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system', resourceVersion: cm.metadata.resourceVersion }, data },
    });
  },
  async revert(ctx) {
    const cm = await ctx.kube.get<ConfigMap>('v1', 'ConfigMap', 'cilium-config', 'kube-system');
    if (!cm?.data) throw new Error('kube-system/cilium-config not found');
    const data: Record<string, string> = { ...cm.data, 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' };
    delete data.tunnel;
    await ctx.kube.request('PUT', await ctx.kube.pathFor('v1', 'ConfigMap', { namespace: 'kube-system', name: 'cilium-config' }), {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system', resourceVersion: cm.metadata.resourceVersion }, data },
    });
  },
};

export const VARIANTS: Record<string, Variant> = {
  [corednsScaledToZero.name]: corednsScaledToZero,
  [ciliumConfigLegacyTunnelKey.name]: ciliumConfigLegacyTunnelKey,
};
