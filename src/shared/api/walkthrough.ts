import { z } from 'zod';
import { Empty } from './common';
import { FindingSchema, FindingStatusSchema } from './checks-types';
import { TargetIdSchema } from './targets';
import { ToolStatusSchema } from './terminal';
import { LabErrorSchema } from '../errors';

/*
 * Walkthroughs (the Quick-start lab and others) and the two generators they use: Cilium Helm
 * values and baseline network policies.
 *
 * Part 1 is the file format of resources/walkthroughs/*.yaml: a walkthrough is data, checked
 * by these schemas when it is loaded. Part 2 is the request/event contract.
 */

// =========================================================================================
// Part 1: the walkthrough file format

export const WALKTHROUGH_TOOLS = ['kubectl', 'helm', 'cilium', 'hubble', 'kind'] as const;
export const WalkthroughToolSchema = z.enum(WALKTHROUGH_TOOLS);
export type WalkthroughTool = z.infer<typeof WalkthroughToolSchema>;

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-" (at most 63)');
const ParamName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,62}$/, 'a parameter name: letters and digits, starting with a letter');

/**
 * A placeholder is a whole argv element (or a whole `with`/expectation value): "{{name}}",
 * "{{files.id}}" or, for object parameters, "{{values.ipam.mode}}". Anything else that
 * contains "{{" is rejected when the file is loaded: values never get concatenated into a
 * larger string, so a value can never become two arguments or part of another one.
 */
export const PLACEHOLDER = /^\{\{\s*([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9][a-zA-Z0-9_-]*)*)\s*\}\}$/;
const hasBraces = (s: string) => s.includes('{{') || s.includes('}}');
/** A literal, or exactly one placeholder. */
export const TemplateArg = z
  .string()
  .max(4096)
  .refine((s) => !hasBraces(s) || PLACEHOLDER.test(s), 'a placeholder must be a whole argument, e.g. "{{namespace}}" (never part of a larger string)')
  .refine((s) => !s.includes('\0'), 'arguments may not contain NUL');

/** Show or run something only when a parameter has a value. `param` may be a path into an object parameter. */
export const WhenSchema = z
  .object({
    param: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9][a-zA-Z0-9_-]*)*$/),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    /** true: the parameter is given (not empty); false: it is not. */
    set: z.boolean().optional(),
  })
  .strict()
  .refine((w) => [w.equals !== undefined, w.in !== undefined, w.set !== undefined].filter(Boolean).length === 1, 'give exactly one of equals, in, set');
export type When = z.infer<typeof WhenSchema>;
/** One condition, or a list that must all hold. */
export const WhenClauseSchema = z.union([WhenSchema, z.array(WhenSchema).min(1).max(5)]);
export type WhenClause = z.infer<typeof WhenClauseSchema>;

const ParamBase = {
  name: ParamName,
  title: z.string().min(1).max(120),
  description: z.string().max(2000).optional(),
  /** Not needed unless an action, file or check that will run uses it. */
  optional: z.boolean().optional(),
  /** UI hint: show the field only when this holds. */
  when: WhenClauseSchema.optional(),
};

export const ParameterSchema = z.discriminatedUnion('type', [
  z.object({
    ...ParamBase,
    type: z.literal('string'),
    default: z.string().optional(),
    /** A regular expression the whole value must match (anchored by the engine). */
    pattern: z.string().max(500).optional(),
    /** What the pattern means, for the error message ("a DNS label such as lab"). */
    patternHint: z.string().max(200).optional(),
    enum: z.array(z.string().min(1).max(200)).min(1).optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(4096).optional(),
  }).strict(),
  z.object({ ...ParamBase, type: z.literal('integer'), default: z.number().int().optional(), min: z.number().int(), max: z.number().int() }).strict(),
  z.object({ ...ParamBase, type: z.literal('boolean'), default: z.boolean().optional() }).strict(),
  /** A Kubernetes namespace name (DNS-1123 label). */
  z.object({ ...ParamBase, type: z.literal('namespace'), default: z.string().optional() }).strict(),
  z.object({ ...ParamBase, type: z.literal('cidr'), default: z.string().optional(), family: z.enum(['ipv4', 'ipv6', 'any']).optional() }).strict(),
  /** A release version, "1.18.6" or "v1.18.6" (stored without the "v"); `min` is inclusive. */
  z.object({ ...ParamBase, type: z.literal('version'), default: z.string().optional(), min: z.string().optional() }).strict(),
  /** A local path the user chose: absolute, existing, with one of the extensions (files). */
  z.object({
    ...ParamBase,
    type: z.literal('file'),
    accept: z.enum(['file', 'directory', 'either']).default('file'),
    extensions: z.array(z.string().regex(/^\.[A-Za-z0-9.]+$/)).optional(),
  }).strict(),
  /** The Cilium Helm values form (CiliumValuesSchema); defaults to the lab defaults. */
  z.object({ ...ParamBase, type: z.literal('cilium-values') }).strict(),
]);
export type Parameter = z.infer<typeof ParameterSchema>;
export type ParameterType = Parameter['type'];

export const BUILTINS = [
  'kind.create',
  'kind.delete',
  'cilium.status',
  'agent.status',
  'agent.service-list',
  'hubble.observe',
  'connectivity.setup',
  'connectivity.wait',
  'connectivity.checks',
  'connectivity.cleanup',
] as const;
export const BuiltinSchema = z.enum(BUILTINS);
export type Builtin = z.infer<typeof BuiltinSchema>;

export const CommandActionSchema = z
  .object({
    tool: WalkthroughToolSchema,
    args: z.array(TemplateArg).max(128),
    title: z.string().max(200).optional(),
    when: WhenClauseSchema.optional(),
    /** Exit codes that count as success (default [0]); `kubectl diff` uses [0, 1]. */
    okExitCodes: z.array(z.number().int().min(0).max(255)).min(1).optional(),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();

/** Commands from the lab's own argv builders (kind, dataplane), fed with template arguments. */
export const BuiltinActionSchema = z
  .object({
    builtin: BuiltinSchema,
    with: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.union([TemplateArg, z.number(), z.boolean()])).optional(),
    title: z.string().max(200).optional(),
    when: WhenClauseSchema.optional(),
    okExitCodes: z.array(z.number().int().min(0).max(255)).min(1).optional(),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();

export const ActionSchema = z.union([CommandActionSchema, BuiltinActionSchema]);
export type CommandAction = z.infer<typeof CommandActionSchema>;
export type BuiltinAction = z.infer<typeof BuiltinActionSchema>;
export type Action = z.infer<typeof ActionSchema>;

export const GENERATORS = ['cilium-values', 'baseline-policies', 'kind-config'] as const;
export const GeneratorSchema = z.enum(GENERATORS);

/** A file the step writes before its commands run; commands refer to it as "{{files.<id>}}". */
export const StepFileSchema = z.union([
  z.object({
    id: Slug,
    /** A YAML manifest; placeholders are replaced inside string values after parsing, never in the text. */
    template: z.string().min(1).max(100_000),
    title: z.string().max(200).optional(),
    when: WhenClauseSchema.optional(),
    /** Compare with the cluster when planning (what exists, what differs). */
    compare: z.boolean().optional(),
  }).strict(),
  z.object({
    id: Slug,
    generator: GeneratorSchema,
    with: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.union([TemplateArg, z.number(), z.boolean()])).optional(),
    title: z.string().max(200).optional(),
    when: WhenClauseSchema.optional(),
    compare: z.boolean().optional(),
  }).strict(),
]);
export type StepFile = z.infer<typeof StepFileSchema>;

export const PARSERS = ['cilium-status-json', 'cilium-status-text', 'agent-status-json', 'agent-status-text', 'service-list', 'hubble-flows', 'json'] as const;
export const ParserSchema = z.enum(PARSERS);
export type ParserId = z.infer<typeof ParserSchema>;

const Expected = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
export const ExpectSchema = z
  .object({
    /** Exit codes that pass (default [0]). */
    exitCode: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
    /** Every string must appear in the output. */
    contains: z.array(TemplateArg).optional(),
    notContains: z.array(TemplateArg).optional(),
    /** Every string must be a whole line of the output (after trimming). */
    lines: z.array(TemplateArg).optional(),
    /** Parse the output with one of the lab's parsers before `verdict` and `json`. */
    parse: ParserSchema.optional(),
    /** For status parsers: the verdicts that pass (default ["ok"]). */
    verdict: z.array(z.enum(['ok', 'degraded', 'failed'])).optional(),
    /** Paths into the parsed output (or the output as JSON): "data.ipam", "rows.0.frontend". */
    json: z
      .array(
        z.object({
          path: z.string().min(1).max(300),
          equals: z.union([Expected, TemplateArg]).optional(),
          exists: z.boolean().optional(),
        }).strict(),
      )
      .optional(),
  })
  .strict();
export type Expect = z.infer<typeof ExpectSchema>;

const VerifyBase = {
  title: z.string().max(200).optional(),
  when: WhenClauseSchema.optional(),
  /** A failing optional item is reported as a warning, not a failed step. */
  optional: z.boolean().optional(),
};

export const VerificationSchema = z.union([
  z.object({
    ...VerifyBase,
    /** A check id from the checks engine (kernel.version, kernel.btf, …). */
    check: z.string().regex(/^[a-z0-9.-]+$/),
    /** Statuses that pass (default: pass, warn, not-applicable). */
    accept: z.array(FindingStatusSchema).min(1).optional(),
  }).strict(),
  z.object({
    ...VerifyBase,
    command: ActionSchema,
    expect: ExpectSchema.default({}),
    /** Try again while it fails (e.g. a status that settles). */
    retry: z.object({ attempts: z.number().int().min(1).max(60), intervalSeconds: z.number().int().min(1).max(300) }).strict().optional(),
  }).strict(),
  z.object({
    ...VerifyBase,
    /** Poll the API until the workload is ready, with progress. */
    wait: z
      .object({
        kind: z.enum(['DaemonSet', 'Deployment']),
        namespace: TemplateArg,
        name: TemplateArg,
        timeoutSeconds: z.number().int().min(1).max(3600).default(300),
        /** Passes as "not deployed" when the workload does not exist (an optional component). */
        mayBeAbsent: z.boolean().optional(),
      })
      .strict(),
  }).strict(),
  z.object({
    ...VerifyBase,
    /** Read every object of a step file back through the API and compare it with what was applied. */
    readBack: Slug,
  }).strict(),
]);
export type Verification = z.infer<typeof VerificationSchema>;

export const PreconditionSchema = z
  .object({
    check: z.string().regex(/^[a-z0-9.-]+$/),
    accept: z.array(FindingStatusSchema).min(1).optional(),
    when: WhenClauseSchema.optional(),
  })
  .strict();
export type Precondition = z.infer<typeof PreconditionSchema>;

export const StepSchema = z
  .object({
    id: Slug,
    title: z.string().min(1).max(200),
    /** Markdown shown above the step. */
    explanation: z.string().min(1).max(20_000),
    /** Can be skipped with a reason (e.g. "I already have a cluster"). */
    skippable: z.boolean().optional(),
    /** false: runs without a cluster target (creating a kind cluster). Default true. */
    needsTarget: z.boolean().optional(),
    preconditions: z.array(PreconditionSchema).max(20).optional(),
    files: z.array(StepFileSchema).max(20).optional(),
    /** Read-only commands shown and run on request before the step (kubectl diff). */
    preview: z.array(ActionSchema).max(10).optional(),
    actions: z.array(ActionSchema).max(30).optional(),
    verification: z.array(VerificationSchema).min(1).max(30),
    cleanup: z.array(ActionSchema).max(20).optional(),
    /** Run the cleanup right after verifying (test namespaces that should not stay). */
    cleanupAfterVerify: z.boolean().optional(),
  })
  .strict();
export type Step = z.infer<typeof StepSchema>;

export const WalkthroughSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: Slug,
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(5000),
    parameters: z.array(ParameterSchema).max(60),
    steps: z.array(StepSchema).min(1).max(40),
    /** Markdown guides next to the walkthrough (file names in resources/walkthroughs). */
    guides: z.array(z.object({ title: z.string().min(1).max(200), file: z.string().regex(/^[a-z0-9][a-z0-9-]*\.md$/) }).strict()).optional(),
  })
  .strict();
export type Walkthrough = z.infer<typeof WalkthroughSchema>;

// =========================================================================================
// Cilium Helm values (the form of the install step)

export const KPR_MODES = ['true', 'false', 'strict', 'partial', 'probe', 'disabled'] as const;
export const IPAM_MODES = ['cluster-pool', 'kubernetes', 'multi-pool', 'eni', 'azure', 'alibabacloud', 'crd', 'delegated-plugin'] as const;

const Quantity = z.string().max(40).regex(/^$|^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$/, 'a Kubernetes quantity such as 100m, 1, 128Mi');
const ResourceList = z.object({ cpu: Quantity.optional(), memory: Quantity.optional() }).strict();

/**
 * The values the form edits, shaped like the chart's values (the field of every lint finding
 * is its Helm path). Optional fields left out are not written, so the chart default applies.
 * kubeProxyReplacement also takes the pre-1.16 strings so old files can be loaded and linted.
 */
export const CiliumValuesSchema = z
  .object({
    kubeProxyReplacement: z.union([z.boolean(), z.enum(KPR_MODES)]),
    k8sServiceHost: z.string().max(253).regex(/^[A-Za-z0-9.:_\-[\]]*$/, 'a host name, an IP address or "auto"').optional(),
    k8sServicePort: z.number().int().min(1).max(65535).optional(),
    routingMode: z.enum(['tunnel', 'native']),
    tunnelProtocol: z.enum(['vxlan', 'geneve']).optional(),
    ipv4NativeRoutingCIDR: z.string().max(64).optional(),
    autoDirectNodeRoutes: z.boolean().optional(),
    /** 0 = detect from the devices. */
    MTU: z.number().int().min(0).max(65535).optional(),
    bpf: z.object({ masquerade: z.boolean(), datapathMode: z.enum(['veth', 'netkit', 'netkit-l2']) }).strict(),
    ipam: z
      .object({
        mode: z.enum(IPAM_MODES),
        operator: z
          .object({
            clusterPoolIPv4PodCIDRList: z.array(z.string().max(64)).max(20).optional(),
            clusterPoolIPv4MaskSize: z.number().int().min(8).max(30).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    hubble: z.object({ relay: z.object({ enabled: z.boolean() }).strict(), ui: z.object({ enabled: z.boolean() }).strict() }).strict(),
    operator: z
      .object({
        replicas: z.number().int().min(0).max(10),
        resources: z.object({ requests: ResourceList.optional(), limits: ResourceList.optional() }).strict().optional(),
      })
      .strict(),
  })
  .strict();
export type CiliumValues = z.infer<typeof CiliumValuesSchema>;

export const ValuesFindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  /** Helm path of the field, e.g. "bpf.datapathMode". */
  field: z.string(),
  message: z.string(),
  fix: z.string(),
  /** The change that applies the fix (Helm path -> value; null removes the field). */
  patch: z.record(z.string(), z.unknown()).optional(),
  reference: z.string(),
});
export type ValuesFinding = z.infer<typeof ValuesFindingSchema>;

// =========================================================================================
// Part 2: the API

export const STEP_STATES = ['not-started', 'running', 'passed', 'failed', 'skipped'] as const;
export const StepStateSchema = z.enum(STEP_STATES);
export type StepState = z.infer<typeof StepStateSchema>;

export const VerificationResultSchema = z.object({
  title: z.string(),
  kind: z.enum(['check', 'command', 'wait', 'readBack', 'precondition']),
  /** pass; warn: passed with a note; fail; unknown: could not tell (an accepted unknown says so); skipped: not applicable. */
  status: z.enum(['pass', 'warn', 'fail', 'unknown', 'skipped']),
  summary: z.string(),
  details: z.array(z.string()),
  optional: z.boolean(),
  finding: FindingSchema.optional(),
  sessionIds: z.array(z.string()),
});
export type VerificationResult = z.infer<typeof VerificationResultSchema>;

export const RunKindSchema = z.enum(['run', 'verify', 'preview', 'cleanup']);
export type RunKind = z.infer<typeof RunKindSchema>;

export const StepRunRecordSchema = z.object({
  runId: z.string(),
  kind: RunKindSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Terminal sessions the run started, in order (their output is in terminal.* events). */
  sessions: z.array(z.object({ sessionId: z.string(), title: z.string(), argv: z.array(z.string()), exitCode: z.number().nullable(), state: z.string() })),
  results: z.array(VerificationResultSchema),
  error: LabErrorSchema.nullable(),
});
export type StepRunRecord = z.infer<typeof StepRunRecordSchema>;

export const StepProgressSchema = z.object({
  stepId: z.string(),
  state: StepStateSchema,
  /** Why it failed or was skipped, in words. */
  reason: z.string().nullable(),
  updatedAt: z.string().nullable(),
  lastRun: StepRunRecordSchema.nullable(),
});
export type StepProgress = z.infer<typeof StepProgressSchema>;

export const WalkthroughProgressSchema = z.object({
  targetId: TargetIdSchema,
  walkthroughId: z.string(),
  steps: z.array(StepProgressSchema),
});
export type WalkthroughProgress = z.infer<typeof WalkthroughProgressSchema>;

export const WalkthroughSummarySchema = z.object({ id: z.string(), title: z.string(), description: z.string(), steps: z.number(), guides: z.array(z.object({ title: z.string(), file: z.string() })) });
export type WalkthroughSummary = z.infer<typeof WalkthroughSummarySchema>;

/** Parameter values as sent: validated against the walkthrough's parameter definitions by the engine. */
export const ParamValuesSchema = z.record(
  z.string().max(63),
  z.union([z.string().max(4096), z.number(), z.boolean(), CiliumValuesSchema]),
);
export type ParamValues = z.infer<typeof ParamValuesSchema>;

export const PlannedCommandSchema = z.object({
  phase: z.enum(['preview', 'action', 'verify', 'cleanup']),
  title: z.string(),
  tool: z.string(),
  /** argv as the step gives it (tool first); the runner adds the target's --kubeconfig/--context. */
  argv: z.array(z.string()),
  okExitCodes: z.array(z.number()),
});
export type PlannedCommand = z.infer<typeof PlannedCommandSchema>;

export const PlannedFileSchema = z.object({ id: z.string(), title: z.string(), path: z.string(), content: z.string() });

export const ObjectDiffSchema = z.object({
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  state: z.enum(['absent', 'same', 'differs', 'unknown']),
  /** "spec.egress[0].ports[1].port: applied 53, in the cluster 54" */
  differences: z.array(z.string()),
});
export type ObjectDiff = z.infer<typeof ObjectDiffSchema>;

export const StepPlanSchema = z.object({
  walkthroughId: z.string(),
  stepId: z.string(),
  targetId: TargetIdSchema,
  /** The validated values the step uses (defaults filled in). */
  params: z.record(z.string(), z.unknown()),
  files: z.array(PlannedFileSchema),
  commands: z.array(PlannedCommandSchema),
  /** Every tool the step's commands use, found or not (with where it was looked for). */
  tools: z.array(ToolStatusSchema),
  preconditions: z.array(z.object({ check: z.string(), accept: z.array(FindingStatusSchema) })),
  verification: z.array(z.object({ kind: z.string(), title: z.string(), optional: z.boolean() })),
  /** Values linter findings (install step). */
  lint: z.array(ValuesFindingSchema),
  /** Step files compared with what exists in the cluster. */
  clusterDiff: z.array(ObjectDiffSchema),
  notes: z.array(z.string()),
  /** Set when the step cannot run as planned (missing tool, lint error…); running it fails with this. */
  blocked: LabErrorSchema.nullable(),
});
export type StepPlan = z.infer<typeof StepPlanSchema>;

const StepRef = { id: Slug, stepId: Slug, targetId: TargetIdSchema };
const StepCall = z.object({ ...StepRef, params: ParamValuesSchema.default({}) }).strict();

export const walkthroughRequests = {
  'walkthrough.list': { params: Empty, result: z.array(WalkthroughSummarySchema) },
  'walkthrough.get': { params: z.object({ id: Slug }).strict(), result: WalkthroughSchema },
  /** A markdown guide that ships with the walkthroughs (e.g. offline-install.md). */
  'walkthrough.guide': { params: z.object({ file: z.string().regex(/^[a-z0-9][a-z0-9-]*\.md$/) }).strict(), result: z.object({ file: z.string(), markdown: z.string() }) },
  /** What the step would do: files, argv, tools, lint, diff against the cluster. Runs nothing. */
  'walkthrough.plan': { params: StepCall, result: StepPlanSchema },
  /** Preconditions, actions, verification (and cleanup when the step says so); events report progress. */
  'walkthrough.run': { params: StepCall, result: z.object({ runId: z.string() }) },
  /** Verification only (e.g. after doing the step by hand). */
  'walkthrough.verify': { params: StepCall, result: z.object({ runId: z.string() }) },
  /** The step's read-only preview commands (kubectl diff). */
  'walkthrough.preview': { params: StepCall, result: z.object({ runId: z.string() }) },
  /** The step's cleanup commands; the step goes back to not-started when they succeed. */
  'walkthrough.cleanup': { params: StepCall, result: z.object({ runId: z.string() }) },
  'walkthrough.cancel': { params: z.object({ runId: z.string().max(100) }).strict(), result: Empty },
  'walkthrough.skip': { params: z.object({ ...StepRef, reason: z.string().trim().min(1).max(500) }).strict(), result: StepProgressSchema },
  /** Back to not-started (one step, or every step when stepId is absent). Runs nothing. */
  'walkthrough.reset': { params: z.object({ id: Slug, stepId: Slug.optional(), targetId: TargetIdSchema }).strict(), result: WalkthroughProgressSchema },
  'walkthrough.progress': { params: z.object({ id: Slug, targetId: TargetIdSchema }).strict(), result: WalkthroughProgressSchema },

  /** Starting values: the chart's defaults, or the lab's for a kind cluster (named `cluster`, default lab). */
  'ciliumValues.defaults': { params: z.object({ profile: z.enum(['chart', 'kind-lab']), cluster: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(40).optional() }).strict(), result: CiliumValuesSchema },
  /** The values file and the linter's findings (with the target's facts when a target is given). */
  'ciliumValues.render': {
    params: z.object({ values: CiliumValuesSchema, ciliumVersion: z.string().max(40).optional(), targetId: TargetIdSchema.optional() }).strict(),
    result: z.object({ yaml: z.string(), findings: z.array(ValuesFindingSchema) }),
  },
  /** Writes the values file to a path the user chose (absolute, .yaml or .yml). */
  'ciliumValues.save': {
    params: z.object({ values: CiliumValuesSchema, path: z.string().min(1).max(4096), ciliumVersion: z.string().max(40).optional() }).strict(),
    result: z.object({ path: z.string(), bytes: z.number() }),
  },

  /** Baseline policies for a namespace: default deny plus DNS and API server egress. */
  'baseline.generate': {
    params: z
      .object({
        namespace: z.string().max(63),
        flavor: z.enum(['kubernetes', 'cilium']),
        /** API server addresses for the Kubernetes flavor; read from the target when absent. */
        apiServer: z.object({ addresses: z.array(z.string().max(64)).min(1).max(20), ports: z.array(z.number().int().min(1).max(65535)).max(10) }).strict().optional(),
        targetId: TargetIdSchema.optional(),
      })
      .strict(),
    result: z.object({ yaml: z.string(), objects: z.array(z.record(z.string(), z.unknown())), notes: z.array(z.string()) }),
  },
} as const;

const RunRef = { runId: z.string(), targetId: TargetIdSchema, walkthroughId: z.string(), stepId: z.string(), kind: RunKindSchema };

export const walkthroughEvents = {
  /** A step's state changed (running, passed, failed, skipped, reset). */
  'walkthrough.step': z.object({ targetId: TargetIdSchema, walkthroughId: z.string(), progress: StepProgressSchema }),
  /** What a run is doing now: a command started (its terminal session), a wait's progress, a verification result. */
  'walkthrough.activity': z.object({
    ...RunRef,
    phase: z.enum(['precondition', 'preview', 'action', 'verify', 'cleanup']),
    message: z.string(),
    sessionId: z.string().nullable(),
    /** For waits: e.g. 2 of 3 agents ready. */
    progress: z.object({ done: z.number(), total: z.number() }).nullable(),
    result: VerificationResultSchema.nullable(),
  }),
  'walkthrough.done': z.object({ ...RunRef, outcome: z.enum(['passed', 'failed', 'cancelled']), progress: StepProgressSchema, error: LabErrorSchema.nullable() }),
} as const;
