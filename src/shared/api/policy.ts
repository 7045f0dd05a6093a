import { z } from 'zod';
import { TargetIdSchema } from './targets';
import { SessionInfoSchema } from './terminal';

/** Where the policy lab's input comes from: editor documents, a target (live or snapshot), or both. */
export const PolicySourceSchema = z
  .object({
    documents: z.array(z.object({ name: z.string().min(1).max(200), content: z.string().max(4 * 1024 * 1024) })).max(50),
    /** Workloads and policies of this target are added to the documents. */
    targetId: TargetIdSchema.optional(),
  })
  .strict();
export type PolicySource = z.infer<typeof PolicySourceSchema>;

export const PolicyIssueSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  file: z.string().optional(),
  line: z.number().optional(),
  message: z.string(),
  text: z.string(),
});

const ConnValue = z.union([z.literal('all'), z.record(z.string(), z.string())]);

export const PolicyAnalysisResultSchema = z.object({
  workloads: z.array(z.object({ id: z.string(), namespace: z.string(), name: z.string(), kind: z.string() })),
  namespaces: z.array(z.string()),
  /** Allowed connections (pairs not listed are denied); external peers are ranges A.B.C.D-E.F.G.H. */
  connections: z.array(z.object({ src: z.string(), dst: z.string(), conn: ConnValue, text: z.string() })),
  issues: z.array(PolicyIssueSchema),
  lint: z.array(z.object({ id: z.string(), severity: z.enum(['error', 'warning', 'info']), message: z.string(), policy: z.string().optional(), rule: z.string().optional(), file: z.string().optional(), line: z.number().optional() })),
  policies: z.number(),
  elapsedMs: z.number(),
});
export type PolicyAnalysisResult = z.infer<typeof PolicyAnalysisResultSchema>;

const RuleRefSchema = z.object({ text: z.string(), policy: z.string(), index: z.number(), file: z.string().optional(), line: z.number().optional(), conn: z.string() });
const DirectionSchema = z.object({
  direction: z.string(),
  of: z.string(),
  verdict: z.enum(['allowed', 'denied', 'not-selected', 'no-rule-matches', 'external']),
  reason: z.string(),
  isolatedBy: z.array(z.string()),
  allowedBy: z.array(RuleRefSchema),
  deniedBy: z.array(RuleRefSchema),
});

export const TraceParamsSchema = z
  .object({
    source: PolicySourceSchema,
    src: z.string().min(1).max(300),
    dst: z.string().min(1).max(300),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']),
    port: z.number().int().min(1).max(65535),
    method: z.string().max(20).optional(),
    path: z.string().max(2000).optional(),
  })
  .strict();

export const TraceResultSchema = z.object({
  src: z.string(),
  dst: z.string(),
  protocol: z.string(),
  port: z.number(),
  allowed: z.boolean(),
  reason: z.string(),
  egress: DirectionSchema,
  ingress: DirectionSchema,
  l7: z.object({ restricted: z.boolean(), matched: z.boolean().optional(), rules: z.array(z.string()), reason: z.string() }).optional(),
  notes: z.array(z.string()),
  text: z.string(),
});
export type TraceResultValue = z.infer<typeof TraceResultSchema>;

export const policyRequests = {
  /** The example documents the editor opens with (resources/policies/example-shop). */
  'policy.examples': { params: z.object({}).strict(), result: z.array(z.object({ name: z.string(), content: z.string() })) },
  'policy.analyze': { params: z.object({ source: PolicySourceSchema, refresh: z.boolean().optional() }).strict(), result: PolicyAnalysisResultSchema },
  'policy.trace': { params: TraceParamsSchema, result: TraceResultSchema },
  /** kubectl diff (dryRun) or apply of the given YAML on a cluster target, through the runner. */
  'policy.apply': {
    params: z.object({ targetId: TargetIdSchema, yaml: z.string().min(1).max(4 * 1024 * 1024), mode: z.enum(['diff', 'apply']) }).strict(),
    result: SessionInfoSchema,
  },
} as const;
