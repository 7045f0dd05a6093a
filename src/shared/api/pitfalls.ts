import { z } from 'zod';
import { CheckCategorySchema, EvidenceSchema, FindingSchema, FindingStatusSchema, FixSchema } from './checks-types';
import { Empty } from './common';
import { TargetIdSchema } from './targets';

/*
 * Pitfall walkthroughs: diagnostic paths through checks, facts and short questions that end in
 * a diagnosis with its evidence and fix. They run on a live cluster or on a snapshot.
 *
 * Part 1 is the file format of resources/pitfalls/*.yaml, checked by these schemas (and by
 * reference checks in src/main/core/pitfalls/load.ts) when the files are loaded. Part 2 is the
 * request contract and what a run returns.
 */

// =========================================================================================
// Part 1: the pitfall file format

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-" (at most 63)');
export const PitfallNodeIdSchema = Slug;
/** A value the engine derives from facts, e.g. cilium.mtu, policy.egressWithoutDns (see core/pitfalls/signals.ts). */
export const SignalIdSchema = z.string().regex(/^[a-z0-9]+(\.[a-zA-Z0-9]+)+$/, 'a value name such as cilium.mtu');

const Scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
/** The right side of a comparison: a literal, another value, or the answer to a question on the path. */
export const OperandSchema = z.union([Scalar, z.object({ value: SignalIdSchema }).strict(), z.object({ answer: PitfallNodeIdSchema }).strict()]);
export type Operand = z.infer<typeof OperandSchema>;

const OPERATORS = ['equals', 'notEquals', 'in', 'gt', 'gte', 'lt', 'lte', 'nonEmpty', 'contains', 'known'] as const;

/**
 * One condition: a value (or an answer) and exactly one operator. A condition on a value that
 * is unknown is neither true nor false: the node takes its `unknown` exit (except `known`,
 * which asks exactly that).
 */
export const ConditionSchema = z
  .object({
    value: SignalIdSchema.optional(),
    answer: PitfallNodeIdSchema.optional(),
    equals: OperandSchema.optional(),
    notEquals: OperandSchema.optional(),
    in: z.array(Scalar).min(1).max(20).optional(),
    gt: OperandSchema.optional(),
    gte: OperandSchema.optional(),
    lt: OperandSchema.optional(),
    lte: OperandSchema.optional(),
    /** true: a list or text with something in it (false: empty). */
    nonEmpty: z.boolean().optional(),
    /** A list that contains this item. */
    contains: z.string().max(200).optional(),
    /** true: the value is known; false: it is unknown (e.g. the user answered "I don't know"). */
    known: z.boolean().optional(),
  })
  .strict()
  .refine((c) => (c.value === undefined) !== (c.answer === undefined), 'give exactly one of value, answer')
  .refine((c) => OPERATORS.filter((o) => c[o] !== undefined).length === 1, `give exactly one of ${OPERATORS.join(', ')}`);
export type Condition = z.infer<typeof ConditionSchema>;

/** Taken when every condition holds (no `when`: always; the last branch of a node must have none). */
export const BranchSchema = z
  .object({
    when: z.array(ConditionSchema).min(1).max(8).optional(),
    next: PitfallNodeIdSchema,
    /** What taking this branch means, for the trail ("the pinned MTU is larger than the underlay"). */
    label: z.string().min(1).max(200).optional(),
  })
  .strict();
export type Branch = z.infer<typeof BranchSchema>;

export const ReferenceSchema = z.object({ title: z.string().min(1).max(200), url: z.string().url().max(500) }).strict();
export type Reference = z.infer<typeof ReferenceSchema>;

const NodeBase = {
  id: PitfallNodeIdSchema,
  title: z.string().min(1).max(200),
};

/** Run a check of the checks engine on the target's facts and branch on its status. */
export const CheckNodeSchema = z
  .object({
    ...NodeBase,
    kind: z.literal('check'),
    check: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/),
    /** Markdown: why this check is asked here. */
    text: z.string().max(4000).optional(),
    /** Next node per finding status; `default` for the statuses not listed (every status must be covered). */
    on: z
      .object({ pass: PitfallNodeIdSchema.optional(), warn: PitfallNodeIdSchema.optional(), fail: PitfallNodeIdSchema.optional(), unknown: PitfallNodeIdSchema.optional(), 'not-applicable': PitfallNodeIdSchema.optional(), default: PitfallNodeIdSchema.optional() })
      .strict(),
  })
  .strict();

/** Branch on values derived from the facts (cilium-config, workloads, the policy analyzer's results…). */
export const FactNodeSchema = z
  .object({
    ...NodeBase,
    kind: z.literal('fact'),
    text: z.string().max(4000).optional(),
    branches: z.array(BranchSchema).min(1).max(12),
    /** Where to go when a value a condition reads is unknown (default: an inconclusive diagnosis naming what is missing). */
    unknown: PitfallNodeIdSchema.optional(),
  })
  .strict();

const Choice = z.object({ value: Slug, label: z.string().min(1).max(200) }).strict();
export const AnswerSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('choice'), choices: z.array(Choice).min(2).max(8) }).strict(),
  z.object({ type: z.literal('integer'), min: z.number().int(), max: z.number().int(), unit: z.string().max(40).optional(), allowUnknown: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('ip'), family: z.enum(['ipv4', 'ipv6', 'any']).optional(), allowUnknown: z.boolean().optional() }).strict(),
]);
export type AnswerSpec = z.infer<typeof AnswerSpecSchema>;

/** Ask the user when the facts cannot tell (node MTUs, what a pod's resolv.conf says…). */
export const QuestionNodeSchema = z
  .object({
    ...NodeBase,
    kind: z.literal('question'),
    /** Markdown; may use {{value.x}} templates. */
    question: z.string().min(1).max(2000),
    /** Markdown: how to find the answer (commands to run). */
    help: z.string().max(4000).optional(),
    answer: AnswerSpecSchema,
    branches: z.array(BranchSchema).min(1).max(12),
    unknown: PitfallNodeIdSchema.optional(),
  })
  .strict();

export const VERDICTS = ['this', 'not-this', 'inconclusive'] as const;
export const VerdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof VerdictSchema>;

/** Where a path ends: this pitfall or not, why, and what to do. Text fields may use {{…}} templates. */
export const DiagnosisNodeSchema = z
  .object({
    ...NodeBase,
    kind: z.literal('diagnosis'),
    verdict: VerdictSchema,
    explanation: z.string().min(1).max(8000),
    /** Values shown as evidence besides what the path read on its way here. */
    evidence: z.array(SignalIdSchema).max(20).optional(),
    /** Commands are argv arrays (shown and copied, never run by the engine). */
    fix: z.object({ text: z.string().min(1).max(4000), commands: z.array(z.array(z.string().min(1).max(500)).min(1).max(40)).max(10).optional(), yaml: z.string().max(8000).optional() }).strict().optional(),
    references: z.array(ReferenceSchema).max(10).optional(),
  })
  .strict();

export const PitfallNodeSchema = z.discriminatedUnion('kind', [CheckNodeSchema, FactNodeSchema, QuestionNodeSchema, DiagnosisNodeSchema]);
export type PitfallNode = z.infer<typeof PitfallNodeSchema>;
export type CheckNode = z.infer<typeof CheckNodeSchema>;
export type FactNode = z.infer<typeof FactNodeSchema>;
export type QuestionNode = z.infer<typeof QuestionNodeSchema>;
export type DiagnosisNode = z.infer<typeof DiagnosisNodeSchema>;

export const PitfallSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: Slug,
    title: z.string().min(1).max(200),
    /** Markdown, a few sentences: what goes wrong and how it shows. */
    summary: z.string().min(1).max(4000),
    category: CheckCategorySchema,
    references: z.array(ReferenceSchema).max(20).default([]),
    start: PitfallNodeIdSchema,
    nodes: z.array(PitfallNodeSchema).min(2).max(80),
  })
  .strict();
export type Pitfall = z.infer<typeof PitfallSchema>;

// =========================================================================================
// Part 2: runs and the request contract

/** An answer: a choice's value, an integer, an IP address, or null for "I don't know" (when allowed). */
export const AnswerValueSchema = z.union([z.string().max(200), z.number().int(), z.null()]);
export type AnswerValue = z.infer<typeof AnswerValueSchema>;

/** One value the path read: a derived value, with where it came from, or why it is unknown. */
export const ObservationSchema = z.object({ id: z.string(), title: z.string(), state: z.enum(['known', 'unknown']), text: z.string(), source: z.string() });
export type Observation = z.infer<typeof ObservationSchema>;

/** One node the path visited and what it saw there. */
export const TrailStepSchema = z.object({
  nodeId: z.string(),
  kind: z.enum(['check', 'fact', 'question', 'diagnosis']),
  title: z.string(),
  /** What decided the way on: the finding status, the branch's label, the answer, or the verdict. */
  outcome: z.string(),
  next: z.string().nullable(),
  /** Check nodes: the finding. */
  finding: FindingSchema.optional(),
  /** Values read by the conditions evaluated here. */
  observations: z.array(ObservationSchema),
  /** Question nodes: the answer given. */
  answer: z.object({ value: AnswerValueSchema, text: z.string() }).optional(),
});
export type TrailStep = z.infer<typeof TrailStepSchema>;

export const QuestionViewSchema = z.object({
  nodeId: z.string(),
  title: z.string(),
  /** Markdown with the values filled in. */
  question: z.string(),
  help: z.string().nullable(),
  answer: AnswerSpecSchema,
  /** The answer given earlier on this session, if any (the path came back here after a change). */
  previous: AnswerValueSchema.optional(),
});
export type QuestionView = z.infer<typeof QuestionViewSchema>;

export const DiagnosisViewSchema = z.object({
  nodeId: z.string(),
  verdict: VerdictSchema,
  title: z.string(),
  /** Markdown with the values filled in. */
  explanation: z.string(),
  /** Built from what the path read: findings' evidence, values, answers, then the node's own values. */
  evidence: z.array(EvidenceSchema),
  fix: FixSchema.nullable(),
  references: z.array(ReferenceSchema),
});
export type DiagnosisView = z.infer<typeof DiagnosisViewSchema>;

export const GatheredSchema = z.object({
  /** The fact keys gathered (exactly what the path's checks and values need). */
  keys: z.array(z.string()),
  unknown: z.array(z.object({ key: z.string(), reason: z.string(), detail: z.string() })),
  /** Policy objects for the policy analyzer: loaded, not needed by this pitfall, or not available (with why). */
  policy: z.enum(['loaded', 'not-needed', 'unavailable']),
  policyNote: z.string().nullable(),
});
export type Gathered = z.infer<typeof GatheredSchema>;

export const PitfallResultSchema = z.object({
  pitfallId: z.string(),
  title: z.string(),
  targetId: TargetIdSchema,
  target: z.object({ kind: z.string(), name: z.string() }),
  /** question: waiting for an answer; done: a diagnosis was reached. */
  state: z.enum(['question', 'done']),
  trail: z.array(TrailStepSchema),
  question: QuestionViewSchema.nullable(),
  diagnosis: DiagnosisViewSchema.nullable(),
  /** Answers on the current path, by question node. */
  answers: z.record(z.string(), AnswerValueSchema),
  gathered: GatheredSchema,
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type PitfallResult = z.infer<typeof PitfallResultSchema>;

export const PitfallSessionSchema = PitfallResultSchema.extend({ sessionId: z.string() });
export type PitfallSession = z.infer<typeof PitfallSessionSchema>;

export const PitfallSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  category: CheckCategorySchema,
  nodes: z.number().int(),
  questions: z.number().int(),
  /** What a run gathers: fact keys, and whether the policy analyzer reads the target's policies. */
  needs: z.object({ facts: z.array(z.string()), policy: z.boolean() }),
});
export type PitfallSummary = z.infer<typeof PitfallSummarySchema>;

const SessionId = z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/);

export const pitfallRequests = {
  /** The pitfall walkthroughs that loaded, and the files that did not (with every problem). */
  'pitfalls.list': { params: Empty, result: z.object({ pitfalls: z.array(PitfallSummarySchema), errors: z.array(z.object({ file: z.string(), problems: z.array(z.string()) })) }) },
  /** The whole definition (nodes and branches), e.g. to draw the path. */
  'pitfalls.get': { params: z.object({ id: Slug }).strict(), result: PitfallSchema },
  /** Gathers what the pitfall needs from the target once and walks the path up to the first question or the diagnosis. */
  'pitfalls.start': { params: z.object({ id: Slug, targetId: TargetIdSchema, debugPods: z.boolean().optional() }).strict(), result: PitfallSessionSchema },
  /**
   * Answers a question on the path: the current one, or an earlier one to change it (answers
   * that are no longer on the path are dropped). The path is walked again from the start with
   * the same facts, so the same facts and answers always give the same path and diagnosis.
   */
  'pitfalls.answer': { params: z.object({ sessionId: SessionId, nodeId: Slug, answer: AnswerValueSchema }).strict(), result: PitfallSessionSchema },
  'pitfalls.session': { params: z.object({ sessionId: SessionId }).strict(), result: PitfallSessionSchema },
  'pitfalls.close': { params: z.object({ sessionId: SessionId }).strict(), result: Empty },
  /** The last result of each pitfall on a target (kept on disk; what reports include). */
  'pitfalls.results': { params: z.object({ targetId: TargetIdSchema }).strict(), result: z.array(PitfallResultSchema) },
  /** Forgets the stored results of a target (one pitfall, or all). */
  'pitfalls.forget': { params: z.object({ targetId: TargetIdSchema, id: Slug.optional() }).strict(), result: Empty },
} as const;

/** How a verdict reads as a finding status in reports: the pitfall found (fail), ruled out (pass), or not decided (unknown). */
export const VERDICT_STATUS: Record<Verdict, z.infer<typeof FindingStatusSchema>> = { this: 'fail', 'not-this': 'pass', inconclusive: 'unknown' };
