import { z } from 'zod';
import { Empty } from './common';
import { LabErrorSchema } from '../errors';

/** Target ids are ours: "host", "context:<kubeconfig context name>", "kind:<cluster>", "snapshot:<id>". */
export const TargetIdSchema = z
  .string()
  .min(1)
  .max(600)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'target ids have no control characters');

export const AuthKindSchema = z.enum(['token', 'client-certificate', 'exec', 'auth-provider', 'basic', 'none']);

export const TargetSchema = z.object({
  id: TargetIdSchema,
  kind: z.enum(['host', 'kind', 'cluster', 'snapshot']),
  name: z.string(),
  /** kubeconfig context, for kind and cluster targets. */
  context: z.string().nullable(),
  server: z.string().nullable(),
  clusterName: z.string().nullable(),
  namespace: z.string().nullable(),
  userName: z.string().nullable(),
  /** How the user authenticates; never the secret. */
  authKind: AuthKindSchema.nullable(),
  /** For exec plugins: the command (e.g. aws, gke-gcloud-auth-plugin, kubelogin) and whether it is on PATH. */
  execCommand: z.string().nullable(),
  execCommandFound: z.boolean().nullable(),
  authProvider: z.string().nullable(),
  /** The kubeconfig file that defines the context. */
  file: z.string().nullable(),
  isCurrentContext: z.boolean(),
  /** The kind cluster name, when this is one. */
  kindCluster: z.string().nullable(),
  /** What is wrong with this entry before we even connect. */
  problems: z.array(z.string()),
  /** For snapshots: what it shows (demo snapshots say which pitfall). */
  description: z.string().nullable().optional(),
});
export type Target = z.infer<typeof TargetSchema>;

export const KubeconfigFileSchema = z.object({
  path: z.string(),
  state: z.enum(['loaded', 'missing', 'error']),
  error: z.string().optional(),
});

export const TargetListSchema = z.object({
  targets: z.array(TargetSchema),
  files: z.array(KubeconfigFileSchema),
  /** Notes such as entries shadowed by an earlier file (kubectl's first-file-wins). */
  notes: z.array(z.string()),
  /** kind clusters that exist (`kind get clusters`) but have no context in the kubeconfig. */
  kindWithoutContext: z.array(z.string()),
});
export type TargetList = z.infer<typeof TargetListSchema>;

export const ConnectionSchema = z.object({
  targetId: TargetIdSchema,
  state: z.enum(['connecting', 'connected', 'error']),
  serverVersion: z.string().nullable(),
  /** /readyz answer ("ok" or the failing checks). */
  ready: z.string().nullable(),
  error: LabErrorSchema.nullable(),
  checkedAt: z.string(),
  elapsedMs: z.number(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const targetRequests = {
  'targets.list': { params: Empty, result: TargetListSchema },
  'targets.connect': { params: z.object({ targetId: TargetIdSchema }).strict(), result: ConnectionSchema },
  'targets.select': { params: z.object({ targetId: TargetIdSchema }).strict(), result: z.object({ selectedTargetId: TargetIdSchema }) },
} as const;

export const targetEvents = {
  /** The kubeconfig files changed on disk: the new list. */
  'targets.changed': TargetListSchema,
  'targets.connection': ConnectionSchema,
} as const;
