import { z } from 'zod';
import { Empty } from './common';
import { EvidenceSchema, FindingSchema, FindingStatusSchema, FixSchema } from './checks-types';
import { TargetIdSchema } from './targets';

// ---------------------------------------------------------------------------------------
// Reports: a shareable, redacted record of a check run (plus walkthrough outcomes and
// policy lint) as Markdown, self-contained HTML or JSON.

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export const ReportFormatSchema = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

export const REPORT_MIME: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
};

/**
 * The outcome of one walkthrough on the target, as the walkthrough engine reports it.
 * `status` uses the finding statuses: pass (verified fixed or healthy), fail (the
 * problem is still there), warn, unknown (not verified), not-applicable.
 */
export const WalkthroughOutcomeSchema = z.object({
  walkthroughId: z.string().max(200),
  title: z.string().max(500),
  /** What the walkthrough found, in a sentence or two. */
  diagnosis: z.string().max(10_000),
  status: FindingStatusSchema,
  evidence: z.array(EvidenceSchema).max(200),
  fix: FixSchema.nullable(),
});
export type WalkthroughOutcome = z.infer<typeof WalkthroughOutcomeSchema>;

/** One finding of the policy analyzer's lint (core/policy lint(): the same shape). */
export const PolicyLintItemSchema = z.object({
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  policy: z.string().optional(),
  rule: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().optional(),
});
export type PolicyLintItem = z.infer<typeof PolicyLintItemSchema>;

export const StatusCountsSchema = z.object({ fail: z.number().int(), warn: z.number().int(), unknown: z.number().int(), pass: z.number().int(), 'not-applicable': z.number().int() });
export type StatusCounts = z.infer<typeof StatusCountsSchema>;

export const REPORT_DOCUMENT_FORMAT = 'datapath-lab/report';
export const REPORT_DOCUMENT_VERSION = 1;

/** The report as data: what the JSON format is, and what the Markdown and HTML formats render. */
export const ReportDocumentSchema = z.object({
  format: z.literal(REPORT_DOCUMENT_FORMAT),
  version: z.number().int(),
  title: z.string(),
  generatedAt: z.string(),
  generatedBy: z.string(),
  target: z.object({ kind: z.string(), name: z.string(), context: z.string().nullable(), server: z.string().nullable() }),
  /** When the run was on a snapshot: its title and file name (never a local path). */
  snapshot: z.object({ title: z.string().nullable(), file: z.string() }).nullable(),
  run: z.object({ startedAt: z.string(), durationMs: z.number(), tool: z.string(), checks: z.number().int() }),
  versions: z.object({
    lab: z.string(),
    kubernetes: z.string().nullable(),
    cilium: z.object({ version: z.string(), image: z.string() }).nullable(),
    /** Every CNI found (Cilium included), by name. */
    cnis: z.array(z.object({ name: z.string(), version: z.string().nullable(), image: z.string() })),
    /** Kernel releases with the nodes running each (at most 20 names listed per release). */
    kernels: z.array(z.object({ release: z.string(), count: z.number().int(), nodes: z.array(z.string()) })),
  }),
  summary: z.object({
    /** The worst finding status (pass when everything passed or did not apply). */
    status: FindingStatusSchema,
    findings: StatusCountsSchema,
    walkthroughs: StatusCountsSchema,
    policyLint: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  }),
  /** Sorted: by category (in CHECK_CATEGORIES order), then worst status first, then check id. */
  findings: z.array(FindingSchema),
  /** Sorted by walkthrough id. */
  walkthroughs: z.array(WalkthroughOutcomeSchema),
  /** Sorted by severity (errors first), then id, policy, file, line, message. */
  policyLint: z.array(PolicyLintItemSchema),
  /** What was removed, so a reader knows the report is redacted. */
  redaction: z.string(),
});
export type ReportDocument = z.infer<typeof ReportDocumentSchema>;

/** A report made earlier in the lab (kept in the lab's config folder). */
export const ReportEntrySchema = z.object({
  id: z.string(),
  /** A file name to save it as, e.g. datapath-lab-report-kind-lab-20250101-120000.html. */
  name: z.string(),
  format: ReportFormatSchema,
  targetId: TargetIdSchema,
  targetName: z.string(),
  createdAt: z.string(),
  bytes: z.number().int(),
  status: FindingStatusSchema,
  findings: StatusCountsSchema,
});
export type ReportEntry = z.infer<typeof ReportEntrySchema>;

export const ReportContentSchema = z.object({
  id: z.string(),
  name: z.string(),
  format: ReportFormatSchema,
  mime: z.string(),
  content: z.string(),
});
export type ReportContent = z.infer<typeof ReportContentSchema>;

const CheckIdList = z.array(z.string().regex(/^[a-z0-9.-]+$/)).max(50);
const CiliumVersion = z.string().regex(/^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/, 'a Cilium version such as 1.18 or 1.16.5');
const ReportId = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/);

const ReportRunParams = z
  .object({
    targetId: TargetIdSchema,
    only: CheckIdList.optional(),
    ciliumVersion: CiliumVersion.optional(),
    debugPods: z.boolean().optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------
// Setup recommender: which CNI and data plane to start from, and why.

export const RECOMMENDATION_CHOICES = ['default-cni', 'calico-ebpf', 'cilium-kpr', 'cilium-dns-egress'] as const;
export const RecommendationChoiceSchema = z.enum(RECOMMENDATION_CHOICES);
export type RecommendationChoice = z.infer<typeof RecommendationChoiceSchema>;

export const RecommendAnswersSchema = z
  .object({
    /** A compliance audit needs flow logs and L7 (HTTP, DNS, Kafka) visibility. */
    audit: z.boolean().default(false),
    /** The cluster spans clouds, or clouds and on-premises (hybrid), or must connect to clusters there. */
    multiCloud: z.boolean().default(false),
    /** Workloads are sensitive to latency (first-packet and service latency, CPU per packet). */
    latencySensitive: z.boolean().default(false),
    /** Egress must be allowed by DNS name (e.g. api.github.com), not only by IP range. */
    egressByDns: z.boolean().default(false),
  })
  .strict();
export type RecommendAnswers = z.infer<typeof RecommendAnswersSchema>;

export const RecommendQuestionSchema = z.object({
  id: z.enum(['audit', 'multiCloud', 'latencySensitive', 'egressByDns']),
  label: z.string(),
  help: z.string(),
  /** The CLI flag that answers it. */
  flag: z.string(),
});
export type RecommendQuestion = z.infer<typeof RecommendQuestionSchema>;

/** Where a reason comes from: a fact about the target, or an answer. */
export const ReasonInputSchema = z.enum(['kernel', 'nodes', 'pods', 'cni', 'platform', 'architecture', 'cgroup', 'audit', 'multiCloud', 'latencySensitive', 'egressByDns']);
export type ReasonInput = z.infer<typeof ReasonInputSchema>;

export const RecommendationSchema = z.object({
  choice: RecommendationChoiceSchema,
  title: z.string(),
  summary: z.string(),
  /** The rule of the decision table that chose it (R1…R7), for tests and for "why". */
  rule: z.string(),
  /** Each reason is tied to one input. */
  reasons: z.array(z.object({ input: ReasonInputSchema, text: z.string() })),
  tradeOffs: z.array(z.string()),
  /** Things to confirm before installing (unknown facts, risky nodes). */
  caveats: z.array(z.string()),
  /** Needs the choice cannot meet, with what would meet them. */
  unmet: z.array(z.object({ input: ReasonInputSchema, text: z.string() })),
  /** The other options and why they were not chosen. */
  alternatives: z.array(z.object({ choice: RecommendationChoiceSchema, title: z.string(), why: z.string() })),
  /** A file to start from: Helm values (Cilium, tigera-operator) or manifests. */
  values: z.object({
    kind: z.enum(['cilium-helm-values', 'calico-helm-values', 'kind-config', 'network-policy']),
    fileName: z.string(),
    yaml: z.string(),
    /** How to apply it (argv arrays). */
    commands: z.array(z.array(z.string())),
  }),
  /** Manifests to apply afterwards (example policies). */
  manifests: z.array(z.object({ fileName: z.string(), description: z.string(), yaml: z.string() })),
  /** What the decision saw. */
  inputs: z.object({
    nodes: z.number().int().nullable(),
    pods: z.number().int().nullable(),
    kernels: z.array(z.object({ release: z.string(), nodes: z.array(z.string()) })),
    oldestKernel: z.string().nullable(),
    currentCni: z.string().nullable(),
    platform: z.string().nullable(),
    architectures: z.array(z.string()),
    answers: RecommendAnswersSchema,
  }),
  references: z.array(z.string()),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

// ---------------------------------------------------------------------------------------
// Requests

export const reportRequests = {
  /** Runs the checks on the target and renders a redacted report; it is also kept for reports.list. */
  'reports.create': { params: ReportRunParams.extend({ format: ReportFormatSchema }).strict(), result: ReportContentSchema.extend({ entry: ReportEntrySchema }) },
  /** The report as data, for the Reports page to show before saving (not kept). */
  'reports.preview': { params: ReportRunParams, result: ReportDocumentSchema },
  /** Reports made earlier, newest first. */
  'reports.list': { params: Empty, result: z.array(ReportEntrySchema) },
  'reports.get': { params: z.object({ id: ReportId }).strict(), result: ReportContentSchema },
  'reports.delete': { params: z.object({ id: ReportId }).strict(), result: Empty },
  'recommend.questions': { params: Empty, result: z.array(RecommendQuestionSchema) },
  'recommend.run': { params: z.object({ targetId: TargetIdSchema, answers: RecommendAnswersSchema }).strict(), result: RecommendationSchema },
} as const;
