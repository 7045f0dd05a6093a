import { parseAllDocuments } from 'yaml';
import type { CiliumValues, ValuesFinding } from '../../../shared/api/walkthrough';
import type { KindClusterOptions } from '../../../shared/api/kind';
import { LabError } from '../../../shared/errors';
import { discoverApiServer, generateBaseline, type ApiReader } from '../baseline/index';
import { LINT_FACTS, lintValues, parseCiliumValues, renderValuesYaml } from '../cilium-values/index';
import type { FactKey, FactSet } from '../facts/types';
import { kindConfigYaml } from '../kind/config';

/** What a step's file generator produced. */
export interface Generated {
  content: string;
  /** Kubernetes objects in the file (manifests), for the cluster diff and the read-back. */
  objects: Record<string, unknown>[];
  lint: ValuesFinding[];
  notes: string[];
}

export interface GeneratorContext {
  /** Target facts for the values linter (k8s.nodes, kernels, kube-proxy); absent: lint without them. */
  facts?: (keys: FactKey[]) => Promise<FactSet>;
  /** API reads on the target (API server endpoints for the baseline policies). */
  reader?: ApiReader | null;
  /** The target's server URL (fallback for the API server address). */
  server?: string | null;
  signal?: AbortSignal;
}

type With = Readonly<Record<string, unknown>>;

const objectsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as unknown).filter((o): o is Record<string, unknown> => !!o && typeof o === 'object');

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

async function ciliumValuesFile(w: With, ctx: GeneratorContext): Promise<Generated> {
  const values: CiliumValues = parseCiliumValues(w.values);
  const ciliumVersion = typeof w.ciliumVersion === 'string' && w.ciliumVersion ? w.ciliumVersion : undefined;
  const notes: string[] = [];
  let facts: FactSet | undefined;
  if (ctx.facts) {
    try {
      facts = await ctx.facts([...LINT_FACTS]);
    } catch (err) {
      notes.push(`The values were checked without the target’s facts: ${(err as Error).message}`);
    }
  } else notes.push('The values were checked without the target’s facts (not available for this target).');
  let apiServer: { host: string; port: number } | null = null;
  if (ctx.reader) {
    try {
      const ep = await discoverApiServer(ctx.reader, ctx.server, { signal: ctx.signal });
      if (ep.addresses[0] && ep.ports[0]) apiServer = { host: ep.addresses[0], port: ep.ports[0] };
    } catch {
      /* only a hint for the linter's fix */
    }
  }
  const serverHost = ctx.server ? hostOf(ctx.server) : null;
  const lint = lintValues(values, { ...(ciliumVersion ? { ciliumVersion } : {}), ...(facts ? { facts } : {}), apiServer, ...(serverHost ? { apiServerNames: [serverHost] } : {}) });
  return { content: renderValuesYaml(values, ciliumVersion ? { ciliumVersion } : {}), objects: [], lint, notes };
}

async function baselineFile(w: With, ctx: GeneratorContext): Promise<Generated> {
  const namespace = String(w.namespace ?? '');
  const flavor = w.flavor === 'cilium' ? 'cilium' : w.flavor === 'kubernetes' ? 'kubernetes' : null;
  if (!flavor) throw new LabError('INVALID_REQUEST', `baseline flavor must be kubernetes or cilium (got ${JSON.stringify(w.flavor)})`);
  const notes: string[] = [];
  let apiServer: { addresses: string[]; ports: number[] } | undefined;
  if (flavor === 'kubernetes') {
    const given = typeof w.apiServer === 'string' && w.apiServer ? w.apiServer : null;
    const port = typeof w.apiServerPort === 'number' ? w.apiServerPort : null;
    if (given) {
      apiServer = { addresses: [given], ports: port ? [port] : [] };
      notes.push(`API server: ${given} (entered)${port ? ` port ${port}` : ', ports 443 and 6443'}.`);
    } else {
      if (!ctx.reader) throw new LabError('INVALID_REQUEST', 'the Kubernetes flavor needs the API server’s address', 'Select a cluster target or enter the API server address (apiServerCIDR).');
      const ep = await discoverApiServer(ctx.reader, ctx.server, { signal: ctx.signal });
      apiServer = { addresses: ep.addresses, ports: ep.ports };
      notes.push(`API server: ${ep.addresses.join(', ')} port ${ep.ports.join(', ') || '443, 6443'} (from ${ep.source}).`);
    }
  }
  const b = generateBaseline({ namespace, flavor, ...(apiServer ? { apiServer } : {}) });
  return { content: b.yaml, objects: b.objects, lint: [], notes: [...notes, ...b.notes] };
}

function kindConfigFile(w: With): Generated {
  const o: KindClusterOptions = {
    name: String(w.name ?? 'lab'),
    workers: typeof w.workers === 'number' ? w.workers : 2,
    disableDefaultCNI: w.disableDefaultCNI !== false,
    kubeProxyMode: (['iptables', 'ipvs', 'nftables', 'none'] as const).find((m) => m === w.kubeProxyMode) ?? 'none',
    podSubnet: String(w.podSubnet ?? '10.244.0.0/16'),
    serviceSubnet: String(w.serviceSubnet ?? '10.96.0.0/16'),
  };
  if (typeof w.nodeImage === 'string' && w.nodeImage) o.nodeImage = w.nodeImage;
  return { content: kindConfigYaml(o), objects: [], lint: [], notes: [] };
}

export async function generateFile(name: 'cilium-values' | 'baseline-policies' | 'kind-config', w: With, ctx: GeneratorContext): Promise<Generated> {
  switch (name) {
    case 'cilium-values':
      return ciliumValuesFile(w, ctx);
    case 'baseline-policies':
      return baselineFile(w, ctx);
    case 'kind-config':
      return kindConfigFile(w);
  }
}

export { objectsOf };
