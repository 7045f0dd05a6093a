import { LabError } from '../../../shared/errors';
import { parseIp } from '../checks/lib/cidr';
import type { ApiReader } from './compare';

export interface ApiServerEndpoints {
  addresses: string[];
  ports: number[];
  /** Where they came from, for the plan's notes. */
  source: string;
}

interface EndpointSliceList {
  items?: { addressType?: string; endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[]; ports?: { port?: number; name?: string }[] }[];
}
interface Endpoints {
  subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[];
}

/**
 * The API server's own addresses and ports: the endpoints of the kubernetes Service
 * (EndpointSlices labelled kubernetes.io/service-name=kubernetes in default, else the
 * Endpoints object), else the kubeconfig's server when it is an IP address.
 */
export async function discoverApiServer(reader: ApiReader, server?: string | null, o: { signal?: AbortSignal } = {}): Promise<ApiServerEndpoints> {
  const addresses = new Set<string>();
  const ports = new Set<number>();
  try {
    const list = await reader.get<EndpointSliceList>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', { signal: o.signal, what: 'EndpointSlices of default/kubernetes' });
    for (const s of list.items ?? []) {
      for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses ?? []) addresses.add(a);
      for (const p of s.ports ?? []) if (p.port) ports.add(p.port);
    }
    if (addresses.size) return { addresses: [...addresses], ports: [...ports], source: 'EndpointSlice default/kubernetes' };
  } catch (err) {
    if (!(err instanceof LabError) || (err.code !== 'NOT_FOUND' && err.code !== 'FORBIDDEN')) throw err;
  }
  try {
    const ep = await reader.get<Endpoints>('/api/v1/namespaces/default/endpoints/kubernetes', { signal: o.signal, what: 'Endpoints default/kubernetes' });
    for (const s of ep.subsets ?? []) {
      for (const a of s.addresses ?? []) if (a.ip) addresses.add(a.ip);
      for (const p of s.ports ?? []) if (p.port) ports.add(p.port);
    }
    if (addresses.size) return { addresses: [...addresses], ports: [...ports], source: 'Endpoints default/kubernetes' };
  } catch (err) {
    if (!(err instanceof LabError) || (err.code !== 'NOT_FOUND' && err.code !== 'FORBIDDEN')) throw err;
  }
  if (server) {
    try {
      const u = new URL(server);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (parseIp(host)) return { addresses: [host], ports: [Number(u.port || (u.protocol === 'https:' ? 443 : 80))], source: 'the kubeconfig’s server address' };
    } catch {
      /* not a URL */
    }
  }
  throw new LabError('NOT_FOUND', 'the API server’s addresses could not be read (no endpoints of the kubernetes Service, and the server address is a name)', 'Enter the API server address for the policy (its IP, as pods reach it).');
}
