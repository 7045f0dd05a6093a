import { stringify } from 'yaml';
import { LabError } from '../../../shared/errors';
import { parseCidr, parseIp } from '../checks/lib/cidr';
import { validateDns1123Label } from '../dataplane/commands';

/**
 * Baseline policies for one namespace: deny everything in and out, then allow what every pod
 * needs: DNS to kube-dns (53/UDP and 53/TCP) and the Kubernetes API server. Used by the
 * Quick-start step and by the Policies page.
 *
 * Two flavors, because they name the API server differently:
 * - kubernetes (networking.k8s.io/v1 NetworkPolicy): works with any CNI that enforces policy.
 *   The API server is not a pod, so it can only be an ipBlock: the addresses behind the
 *   kubernetes Service (EndpointSlice default/kubernetes, e.g. 172.18.0.2:6443 on kind), or
 *   the server address when those are not readable. Policies see connections after the
 *   Service is translated, so it is the endpoint address and port (6443), not the ClusterIP
 *   (10.96.0.1:443), that must be allowed. These addresses change when control-plane nodes
 *   are replaced, and the policy must change with them.
 * - cilium (cilium.io/v2 CiliumNetworkPolicy): the kube-apiserver entity, which Cilium keeps
 *   in sync with the API server's addresses itself (also for managed control planes outside
 *   the cluster network). Only enforced when Cilium is the CNI.
 */

export type BaselineFlavor = 'kubernetes' | 'cilium';

export interface BaselineOptions {
  namespace: string;
  flavor: BaselineFlavor;
  /** Kubernetes flavor: API server addresses (IPs or CIDRs) and ports. */
  apiServer?: { addresses: string[]; ports: number[] };
  /** Where cluster DNS runs (default kube-system, k8s-app=kube-dns as kubeadm and kind label CoreDNS). */
  dns?: { namespace: string; labels: Record<string, string> };
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Baseline {
  objects: KubeObject[];
  yaml: string;
  notes: string[];
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'datapath-lab', 'datapath-lab.io/baseline': 'v1' };
const DEFAULT_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

function meta(name: string, namespace: string, description: string): KubeObject['metadata'] {
  return { name, namespace, labels: { ...MANAGED }, annotations: { 'datapath-lab.io/description': description } };
}

/** An address as a CIDR (/32 or /128 for a single address). */
export function asCidr(address: string): string {
  const t = address.trim();
  const c = parseCidr(t);
  if (c) return t;
  const ip = parseIp(t.replace(/^\[|\]$/g, ''));
  if (!ip) throw new LabError('INVALID_REQUEST', `"${address}" is not an IP address or CIDR`, 'Give the API server as an address such as 172.18.0.2 or a CIDR such as 10.0.0.0/24.');
  return `${t.replace(/^\[|\]$/g, '')}/${ip.family === 4 ? 32 : 128}`;
}

export function generateBaseline(o: BaselineOptions): Baseline {
  const ns = validateDns1123Label(o.namespace);
  const dns = o.dns ?? DEFAULT_DNS;
  const notes: string[] = [];
  const objects: KubeObject[] = [];

  if (o.flavor === 'kubernetes') {
    const api = o.apiServer;
    if (!api || api.addresses.length === 0) {
      throw new LabError('INVALID_REQUEST', 'the Kubernetes flavor needs the API server’s addresses', 'Select a cluster target (they are read from EndpointSlice default/kubernetes) or enter the address.');
    }
    const cidrs = [...new Set(api.addresses.map(asCidr))];
    const ports = [...new Set(api.ports.length ? api.ports : [443, 6443])];
    objects.push(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('default-deny-all', ns, 'Deny all ingress and egress for every pod in the namespace; the other baseline policies allow what pods need.'),
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('allow-dns-egress', ns, `Allow DNS to the cluster DNS pods (${dns.namespace}, ${Object.entries(dns.labels).map(([k, v]) => `${k}=${v}`).join(',')}) on 53/UDP and 53/TCP.`),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: { ...dns.labels } } }],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('allow-apiserver-egress', ns, `Allow the Kubernetes API server (${cidrs.join(', ')} on ${ports.map((p) => `${p}/TCP`).join(', ')}): the endpoints of the kubernetes Service.`),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
        },
      },
    );
    notes.push(
      'NetworkPolicy cannot name the API server: it is allowed by address (the kubernetes Service’s endpoints, as policies see connections after the Service is translated). Update allow-apiserver-egress when the control plane’s addresses change.',
      'With Cilium as the CNI, the cilium flavor’s toEntities: kube-apiserver follows the API server’s addresses by itself.',
    );
  } else {
    objects.push(
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: meta('default-deny-all', ns, 'Deny all ingress and egress for every endpoint in the namespace.'),
        spec: {
          description: 'Default deny: an ingress and an egress section with an empty rule select the endpoints into default deny in both directions and allow nothing.',
          endpointSelector: {},
          ingress: [{}],
          egress: [{}],
        },
      },
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: meta('allow-dns-egress', ns, 'Allow DNS to kube-dns on 53/UDP and 53/TCP.'),
        spec: {
          description: 'Allow DNS to the cluster DNS pods.',
          endpointSelector: {},
          egress: [
            {
              toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': dns.namespace, ...Object.fromEntries(Object.entries(dns.labels).map(([k, v]) => [`k8s:${k}`, v])) } }],
              toPorts: [
                {
                  ports: [
                    { port: '53', protocol: 'UDP' },
                    { port: '53', protocol: 'TCP' },
                  ],
                },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: meta('allow-apiserver-egress', ns, 'Allow the Kubernetes API server (the kube-apiserver entity).'),
        spec: {
          description: 'Allow the Kubernetes API server, wherever it runs.',
          endpointSelector: {},
          egress: [{ toEntities: ['kube-apiserver'] }],
        },
      },
    );
    notes.push(
      'toEntities: kube-apiserver matches the API server by identity, which Cilium keeps up to date (in-cluster control planes and managed ones alike); it needs Cilium as the CNI and its CRDs.',
      'Without Cilium, use the kubernetes flavor: any policy-enforcing CNI understands NetworkPolicy.',
    );
  }
  return { objects, yaml: objects.map((obj) => stringify(obj, { lineWidth: 0 })).join('---\n'), notes };
}
