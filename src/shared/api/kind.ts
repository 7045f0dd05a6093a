import { z } from 'zod';
import { SessionInfoSchema } from './terminal';

export const KindClusterOptionsSchema = z.object({
  name: z.string().min(1).max(40),
  workers: z.number().int().min(0).max(8),
  /** Cilium labs turn kindnet off. */
  disableDefaultCNI: z.boolean(),
  kubeProxyMode: z.enum(['iptables', 'ipvs', 'nftables', 'none']),
  podSubnet: z.string().max(64),
  serviceSubnet: z.string().max(64),
  nodeImage: z.string().max(300).regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'an image reference such as kindest/node:v1.34.0').optional(),
});
export type KindClusterOptions = z.infer<typeof KindClusterOptionsSchema>;

export const PreflightCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'unknown']),
  detail: z.string(),
  fix: z.string().nullable(),
});
export type PreflightCheck = z.infer<typeof PreflightCheckSchema>;

export const KindPlanSchema = z.object({
  yaml: z.string(),
  /** Where the config will be written, and the full command that creates the cluster. */
  configPath: z.string(),
  kubeconfig: z.string(),
  argv: z.array(z.string()),
});

const KindName = z.object({ name: z.string().min(1).max(40) }).strict();

export const kindRequests = {
  'kind.preflight': { params: z.object({ workers: z.number().int().min(0).max(8) }).strict(), result: z.array(PreflightCheckSchema) },
  'kind.plan': { params: KindClusterOptionsSchema.strict(), result: KindPlanSchema },
  'kind.create': { params: KindClusterOptionsSchema.strict(), result: SessionInfoSchema },
  'kind.delete': { params: KindName, result: SessionInfoSchema },
  'kind.exportKubeconfig': { params: KindName, result: SessionInfoSchema },
} as const;
