import { z } from 'zod';

/** A finding: the verdict of one check on one target, with its evidence and fix. */
export const FINDING_STATUSES = ['pass', 'warn', 'fail', 'unknown', 'not-applicable'] as const;
export const FindingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;

export const CHECK_CATEGORIES = ['kernel', 'network', 'ipam', 'services', 'dns', 'cni'] as const;
export const CheckCategorySchema = z.enum(CHECK_CATEGORIES);
export type CheckCategory = z.infer<typeof CheckCategorySchema>;

export const EvidenceSchema = z.object({
  label: z.string(),
  value: z.string(),
  /** Where the value came from: a file, a command, an API object. */
  source: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const FixSchema = z.object({
  /** What to do, in one or two sentences. */
  text: z.string(),
  /** Commands to copy or run (argv arrays; the first element is the tool). */
  commands: z.array(z.array(z.string())).optional(),
  /** YAML (values file, manifest) to copy. */
  yaml: z.string().optional(),
});
export type Fix = z.infer<typeof FixSchema>;

/** One item of a check that covers many things (a node, a pool, a workload). */
export const FindingDetailSchema = z.object({ subject: z.string(), status: FindingStatusSchema, summary: z.string() });
export type FindingDetail = z.infer<typeof FindingDetailSchema>;

export const FindingSchema = z.object({
  checkId: z.string(),
  title: z.string(),
  category: CheckCategorySchema,
  status: FindingStatusSchema,
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
  fix: FixSchema.nullable(),
  /** Documentation or source the verdict rests on (a URL or repo path). */
  reference: z.string(),
  /** Per-item details (per node, per pool) when a check covers many things. */
  details: z.array(FindingDetailSchema).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;
