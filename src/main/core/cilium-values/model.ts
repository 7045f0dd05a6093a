import { CiliumValuesSchema, type CiliumValues, type KPR_MODES } from '../../../shared/api/walkthrough';

export type KprMode = (typeof KPR_MODES)[number];
import { LabError } from '../../../shared/errors';

/**
 * The Cilium Helm values the install form edits. The shape follows the chart's values.yaml
 * (cilium/cilium install/kubernetes/cilium, read in v1.18.6), so every field is named by its
 * Helm path and the rendered file is what `helm install -f` and `cilium install --values` read.
 */

/** The chart's own defaults for the form's fields (values.yaml of 1.18.6). */
export function chartDefaults(): CiliumValues {
  return {
    kubeProxyReplacement: false,
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    bpf: { masquerade: false, datapathMode: 'veth' },
    ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.0.0.0/8'], clusterPoolIPv4MaskSize: 24 } },
    hubble: { relay: { enabled: false }, ui: { enabled: false } },
    operator: { replicas: 2 },
  };
}

/**
 * The lab's values for a kind cluster created by step 0 (disableDefaultCNI, kubeProxyMode
 * none): kube-proxy replacement with the control plane's address (kind names the node
 * <cluster>-control-plane and the API server listens on 6443 inside the docker network),
 * the node podCIDRs from kubeadm (ipam kubernetes), VXLAN, BPF masquerading, Hubble with
 * relay and UI, one operator replica.
 */
export function kindLabDefaults(cluster = 'lab'): CiliumValues {
  return {
    kubeProxyReplacement: true,
    k8sServiceHost: `${cluster}-control-plane`,
    k8sServicePort: 6443,
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    bpf: { masquerade: true, datapathMode: 'veth' },
    ipam: { mode: 'kubernetes' },
    hubble: { relay: { enabled: true }, ui: { enabled: true } },
    operator: { replicas: 1 },
  };
}

/** Validates values from a request or a file; throws a LabError naming each bad field. */
export function parseCiliumValues(input: unknown): CiliumValues {
  const r = CiliumValuesSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(values)'}: ${i.message}`);
  throw new LabError('INVALID_REQUEST', `Invalid Cilium values: ${issues.join('; ')}`, 'Fix the listed fields; the form follows the chart’s value names.');
}

/** kubeProxyReplacement as the mode it means: "true", "false" or a legacy string. */
export function kprMode(v: CiliumValues['kubeProxyReplacement']): KprMode {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
}

/** A value at a Helm path ("bpf.datapathMode"), or undefined. */
export function valueAt(values: unknown, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Applies a lint finding's patch (Helm path -> value, null removes) to a copy of the values
 * and validates the result.
 */
export function applyPatch(values: CiliumValues, patch: Record<string, unknown>): CiliumValues {
  const out = structuredClone(values) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(patch)) {
    const parts = path.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      const next = cur[p];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (value === null || value === undefined) delete cur[last];
    else cur[last] = value;
  }
  prune(out);
  return parseCiliumValues(out);
}

/** Removes objects left empty by a patch (ipam.operator after its two fields went). */
function prune(o: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      prune(v as Record<string, unknown>);
      if (Object.keys(v).length === 0 && k !== 'bpf' && k !== 'hubble') delete o[k];
    }
  }
}
