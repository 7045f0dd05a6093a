import { known, unknown } from '../../../shared/facts';
import {
  ciliumConfig,
  ciliumNodeSummary,
  daemonSetWorkload,
  deploymentWorkload,
  dnsService,
  endpointsOf,
  kubeadmNetworking,
  kubeProxyConfig,
  nodeSummary,
  podRow,
  serviceIP,
  type CiliumNodeObject,
  type ConfigMapObject,
  type DaemonSetObject,
  type DeploymentObject,
  type EndpointSliceObject,
  type NodeObject,
  type PodObject,
  type ServiceObject,
} from './from-k8s';
import { setFact } from './factset';
import type { FactSet } from './types';

/**
 * Cluster facts from a bag of raw Kubernetes objects (a snapshot's raw objects, `kubectl get
 * -o json` output, test fixtures). Lists: `kind: List` and `*List` items are flattened.
 * What is absent from the bag becomes unknown/not-found, as a probe would report it; keys
 * named in `skip` are left out (not gathered).
 */
export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> | null };
  items?: RawObject[];
  [k: string]: unknown;
}

export function flattenObjects(objs: readonly RawObject[]): RawObject[] {
  const out: RawObject[] = [];
  const walk = (o: RawObject | null | undefined) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o.items) && (o.kind === 'List' || o.kind?.endsWith('List'))) o.items.forEach(walk);
    else out.push(o);
  };
  objs.forEach(walk);
  return out;
}

export function factsFromObjects(objs: readonly RawObject[], source = 'objects'): FactSet {
  const all = flattenObjects(objs);
  const of = (kind: string) => all.filter((o) => o.kind === kind);
  const named = (kind: string, ns: string | null, name: string) => all.find((o) => o.kind === kind && o.metadata?.name === name && (ns === null || (o.metadata?.namespace ?? 'default') === ns));
  const set: FactSet = {};

  const nodes = of('Node');
  if (nodes.length) setFact(set, 'k8s.nodes', known(nodes.map((n) => nodeSummary(n as NodeObject)), `${source}: Node list`));
  else setFact(set, 'k8s.nodes', unknown('not-found', 'no Node objects', source));

  const workloads = [...of('DaemonSet').map((d) => daemonSetWorkload(d as DaemonSetObject)), ...of('Deployment').map((d) => deploymentWorkload(d as DeploymentObject))];
  setFact(set, 'k8s.workloads', known(workloads, `${source}: DaemonSets and Deployments`));

  const cc = all.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'cilium-config');
  setFact(set, 'cilium.config', cc ? known(ciliumConfig(cc as ConfigMapObject), `ConfigMap ${cc.metadata?.namespace ?? 'kube-system'}/cilium-config`) : unknown('not-found', 'no ConfigMap cilium-config (Cilium is not installed)', source));

  const kp = named('ConfigMap', 'kube-system', 'kube-proxy') as ConfigMapObject | undefined;
  const kpConf = kp?.data?.['config.conf'];
  setFact(set, 'kubeproxy.config', kpConf !== undefined ? known(kubeProxyConfig(kpConf), 'ConfigMap kube-system/kube-proxy config.conf') : unknown('not-found', 'no ConfigMap kube-system/kube-proxy with config.conf', source));

  const ka = named('ConfigMap', 'kube-system', 'kubeadm-config') as ConfigMapObject | undefined;
  const kaConf = ka?.data?.['ClusterConfiguration'];
  setFact(set, 'kubeadm.networking', kaConf !== undefined ? known(kubeadmNetworking(kaConf), 'ConfigMap kube-system/kubeadm-config ClusterConfiguration') : unknown('not-found', 'no ConfigMap kube-system/kubeadm-config (not a kubeadm cluster?)', source));

  const ks = named('Service', 'default', 'kubernetes');
  setFact(set, 'k8s.service.kubernetes', ks ? known(serviceIP(ks as ServiceObject), 'Service default/kubernetes') : unknown('not-found', 'no Service default/kubernetes', source));

  const dns = named('Service', 'kube-system', 'kube-dns');
  setFact(set, 'dns.service', dns ? known(dnsService(dns as ServiceObject), 'Service kube-system/kube-dns') : unknown('not-found', 'no Service kube-system/kube-dns', source));
  const slices = of('EndpointSlice').filter((s) => s.metadata?.namespace === 'kube-system' && s.metadata?.labels?.['kubernetes.io/service-name'] === 'kube-dns');
  setFact(set, 'dns.endpoints', dns || slices.length ? known(endpointsOf(slices as EndpointSliceObject[]), 'EndpointSlices kubernetes.io/service-name=kube-dns') : unknown('not-found', 'no kube-dns Service or EndpointSlices', source));

  const cns = of('CiliumNode');
  setFact(set, 'cilium.nodes', cc || cns.length ? known(cns.map((c) => ciliumNodeSummary(c as CiliumNodeObject)), 'CiliumNode list') : unknown('not-found', 'no CiliumNode objects (Cilium is not installed)', source));

  const pods = of('Pod');
  if (pods.length) {
    setFact(set, 'k8s.pods', known(pods.map((p) => podRow(p as PodObject)), `${source}: Pod list`));
    setFact(set, 'k8s.podCount', known(pods.length, `${source}: Pod list`));
  } else {
    setFact(set, 'k8s.pods', unknown('not-found', 'no Pod objects', source));
    setFact(set, 'k8s.podCount', unknown('not-found', 'no Pod objects', source));
  }
  const services = of('Service');
  setFact(set, 'k8s.serviceCount', services.length ? known(services.length, `${source}: Service list`) : unknown('not-found', 'no Service objects', source));
  return set;
}
