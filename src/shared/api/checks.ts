import { z } from 'zod';
import { Empty } from './common';
import { FindingSchema, CheckCategorySchema } from './checks-types';
import { TargetIdSchema } from './targets';
import { LabErrorSchema } from '../errors';

export const CheckInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  category: CheckCategorySchema,
  needs: z.array(z.string()),
  reference: z.string(),
});

export const CheckRunResultSchema = z.object({
  runId: z.string(),
  targetId: TargetIdSchema,
  target: z.object({ kind: z.string(), name: z.string(), context: z.string().nullable(), server: z.string().nullable(), serverVersion: z.string().nullable(), snapshot: z.string().optional() }),
  findings: z.array(FindingSchema),
  startedAt: z.string(),
  durationMs: z.number(),
  tool: z.string(),
  /** The options it ran with, so a re-run repeats them. */
  only: z.array(z.string()).nullable(),
  ciliumVersion: z.string().nullable(),
});
export type CheckRunResult = z.infer<typeof CheckRunResultSchema>;

const CheckIdList = z.array(z.string().regex(/^[a-z0-9.-]+$/)).max(50);
const CiliumVersion = z.string().regex(/^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/, 'a Cilium version such as 1.18 or 1.16.5');

export const checkRequests = {
  'checks.list': { params: Empty, result: z.array(CheckInfoSchema) },
  'checks.run': {
    params: z.object({ targetId: TargetIdSchema, only: CheckIdList.optional(), ciliumVersion: CiliumVersion.optional(), debugPods: z.boolean().optional() }).strict(),
    result: z.object({ runId: z.string() }),
  },
  /** The exact debug pod the lab would run on each node, for the user to read before opting in. */
  'checks.debugPodPreview': { params: z.object({ targetId: TargetIdSchema }).strict(), result: z.object({ yaml: z.string(), image: z.string() }) },
  /** Gathers every fact of a live target (and its policy objects) into a snapshot in the user's snapshot folder. */
  'snapshots.capture': {
    params: z.object({ targetId: TargetIdSchema, name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/), title: z.string().max(200).optional(), description: z.string().max(2000).optional() }).strict(),
    result: z.object({ targetId: TargetIdSchema, facts: z.number(), objects: z.number() }),
  },
  'checks.cancel': { params: z.object({ runId: z.string().max(100) }).strict(), result: Empty },
  /** The last run on a target (remembered across restarts), or null. */
  'checks.last': { params: z.object({ targetId: TargetIdSchema }).strict(), result: CheckRunResultSchema.nullable() },
} as const;

export const checkEvents = {
  'checks.progress': z.object({ runId: z.string(), targetId: TargetIdSchema, key: z.string(), state: z.enum(['started', 'done', 'unknown']), detail: z.string().optional() }),
  'checks.done': CheckRunResultSchema,
  'checks.failed': z.object({ runId: z.string(), targetId: TargetIdSchema, error: LabErrorSchema }),
} as const;
