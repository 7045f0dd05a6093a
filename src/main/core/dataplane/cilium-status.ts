/**
 * `cilium status` (cilium-cli) → a typed summary.
 *
 * The text form is a logo with one summary row per component, then
 * tab-aligned sections (workloads, Containers:, Cluster Pods:, Helm chart
 * version:, Image versions, Errors:, Warnings:). The JSON form (`-o json`)
 * carries the same data under image_count, phase_count, pod_state, pods_count,
 * cilium_status, errors, collection_errors and helm_chart_version. Both end in
 * the same CiliumStatusSummary. Layout learnt from cilium-cli's status package;
 * see test/fixtures/dataplane/SOURCES.md for the outputs this is tested on.
 */
import type { ParseProblem, Verdict } from './types';
import { cells, isNoise, isRecord, num, problem, splitLines, str, tryJson } from './text';

export type ComponentKey = 'cilium' | 'operator' | 'envoy' | 'hubbleRelay' | 'clusterMesh';

export interface ComponentStatus {
  key: ComponentKey;
  /** The label as printed ("Hubble Relay", or "Hubble" before cilium-cli 0.12). */
  label: string;
  /** ok: no errors or warnings; disabled: not deployed on purpose. */
  state: 'ok' | 'warnings' | 'errors' | 'disabled';
  errors: number;
  warnings: number;
  disabled: boolean;
  /** The summary text as printed, or built from the JSON. */
  text: string;
}

export interface WorkloadState {
  /** DaemonSet, Deployment, … */
  kind: string;
  name: string;
  desired: number;
  ready: number;
  available: number;
  unavailable: number;
}

export interface ContainerPhases {
  workload: string;
  /** Pod phase → count, e.g. { Running: 3 }. Empty when the workload has no pods. */
  phases: Record<string, number>;
}

export interface ImageCount {
  workload: string;
  image: string;
  count: number;
}

export interface StatusMessage {
  workload: string;
  pod: string;
  message: string;
}

export interface WorkloadIssues {
  workload: string;
  errors: StatusMessage[];
  warnings: StatusMessage[];
}

export interface CiliumStatusSummary {
  source: 'text' | 'json';
  components: ComponentStatus[];
  workloads: WorkloadState[];
  containers: ContainerPhases[];
  /** "Cluster Pods: X/Y managed by Cilium": managed = X, total = Y. */
  clusterPods: { managed: number; total: number } | null;
  /** null: not printed (classic mode); '': printed but empty (cilium/cilium#34747). */
  helmChartVersion: string | null;
  images: ImageCount[];
  errors: StatusMessage[];
  warnings: StatusMessage[];
  /** errors and warnings grouped by workload, in order of first appearance. */
  issues: WorkloadIssues[];
  /** Failures to collect the status at all ("status check failed: …", collection_errors). */
  collectionErrors: string[];
  /** Agents whose per-pod status came with the JSON (cilium_status). */
  agents: { pod: string; state: string | null; message: string | null }[];
  verdict: Verdict;
  /** Why the verdict is not ok, in words. */
  reasons: string[];
  problems: ParseProblem[];
}

const COMPONENT_LABELS: { re: RegExp; key: ComponentKey }[] = [
  { re: /^Envoy DaemonSet$/, key: 'envoy' },
  { re: /^Hubble Relay$/, key: 'hubbleRelay' },
  { re: /^Hubble$/, key: 'hubbleRelay' },
  { re: /^ClusterMesh$/, key: 'clusterMesh' },
  { re: /^Operator$/, key: 'operator' },
  { re: /^Cilium$/, key: 'cilium' },
];

/** The workload (Deployment/DaemonSet) name cilium-cli files each component's errors under. */
const COMPONENT_WORKLOAD: Record<ComponentKey, string> = {
  cilium: 'cilium',
  operator: 'cilium-operator',
  envoy: 'cilium-envoy',
  hubbleRelay: 'hubble-relay',
  clusterMesh: 'clustermesh-apiserver',
};

const COMPONENT_ROW = /(?:^|\s)(Cilium|Operator|Envoy DaemonSet|Hubble Relay|Hubble|ClusterMesh):\s+(\S.*?)\s*$/;
const WORKLOAD_ROW = /^(DaemonSet|Deployment|StatefulSet|ReplicaSet)\s+(\S+)\s*(.*)$/;
const LOGO_ONLY = /^[\s/\\_¯]+$/;

function componentFromSummary(key: ComponentKey, label: string, text: string): ComponentStatus | null {
  const t = text.trim();
  const errors = /(\d+)\s+errors?/.exec(t);
  const warnings = /(\d+)\s+warnings?/.exec(t);
  const disabled = /\bdisabled\b/i.test(t);
  const ok = /^OK$/i.test(t);
  if (!errors && !warnings && !disabled && !ok) return null;
  const e = errors ? Number(errors[1]) : 0;
  const w = warnings ? Number(warnings[1]) : 0;
  return { key, label, errors: e, warnings: w, disabled, text: t, state: stateOf(e, w, disabled) };
}

function stateOf(errors: number, warnings: number, disabled: boolean): ComponentStatus['state'] {
  if (errors > 0) return 'errors';
  if (warnings > 0) return 'warnings';
  if (disabled) return 'disabled';
  return 'ok';
}

/** "Desired: 2, Ready: 1/2, Available: 1/2, Unavailable: 1/2" → counts; null when nothing matched. */
function parsePodState(text: string): Omit<WorkloadState, 'kind' | 'name'> | null {
  const state = { desired: 0, ready: 0, available: 0, unavailable: 0 };
  let seen = false;
  for (const part of text.split(',')) {
    const m = /^\s*(Desired|Ready|Available|Unavailable):\s*(\d+)(?:\/(\d+))?\s*$/.exec(part);
    if (!m) {
      if (part.trim().length > 0) return null;
      continue;
    }
    seen = true;
    const n = Number(m[2]);
    const key = m[1]!.toLowerCase() as keyof typeof state;
    state[key] = n;
    if (m[3] !== undefined && key !== 'desired' && state.desired === 0) state.desired = Number(m[3]);
  }
  return seen ? state : null;
}

/** "Running: 3, Pending: 1" → { Running: 3, Pending: 1 }; null when it does not read like that. */
function parsePhases(text: string): Record<string, number> | null {
  const phases: Record<string, number> = {};
  if (text.trim() === '') return phases;
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]+):\s*(\d+)\s*$/.exec(part);
    if (!m) return null;
    phases[m[1]!] = Number(m[2]);
  }
  return phases;
}

function groupIssues(errors: StatusMessage[], warnings: StatusMessage[]): WorkloadIssues[] {
  const groups = new Map<string, WorkloadIssues>();
  const get = (w: string): WorkloadIssues => {
    let g = groups.get(w);
    if (!g) {
      g = { workload: w, errors: [], warnings: [] };
      groups.set(w, g);
    }
    return g;
  };
  for (const e of errors) get(e.workload).errors.push(e);
  for (const w of warnings) get(w.workload).warnings.push(w);
  return [...groups.values()];
}

/** Warnings that only say an optional component is absent. */
function isNotDeployedWarning(m: StatusMessage): boolean {
  return /\bis not deployed\b/i.test(m.message);
}

function judge(s: Omit<CiliumStatusSummary, 'verdict' | 'reasons'>): { verdict: Verdict; reasons: string[] } {
  const failed: string[] = [];
  const degraded: string[] = [];
  for (const c of s.collectionErrors) failed.push(`status could not be collected: ${c}`);
  const comp = (k: ComponentKey) => s.components.find((c) => c.key === k);
  for (const k of ['cilium', 'operator'] as const) {
    const c = comp(k);
    if (c && c.errors > 0) failed.push(`${c.label}: ${c.text}`);
  }
  const agent = s.workloads.find((w) => w.kind === 'DaemonSet' && w.name === 'cilium');
  if (agent && agent.desired > 0 && agent.ready === 0) failed.push('no Cilium agent pod is ready');
  if (!comp('cilium') && !agent && s.agents.length === 0) failed.push('no Cilium agent status found');
  for (const a of s.agents) {
    if (a.state === 'Failure') failed.push(`agent ${a.pod}: ${a.message ?? 'Failure'}`);
    else if (a.state === 'Warning') degraded.push(`agent ${a.pod}: ${a.message ?? 'Warning'}`);
  }

  for (const c of s.components) {
    if (c.key === 'cilium' || c.key === 'operator') {
      if (c.errors === 0 && c.warnings > 0) degraded.push(`${c.label}: ${c.text}`);
    } else if (c.errors > 0) {
      degraded.push(`${c.label}: ${c.text}`);
    }
  }
  for (const w of s.workloads) {
    if (w.desired > 0 && (w.ready < w.desired || w.unavailable > 0)) {
      degraded.push(`${w.kind} ${w.name}: ${w.ready}/${w.desired} ready${w.unavailable > 0 ? `, ${w.unavailable} unavailable` : ''}`);
    }
  }
  for (const w of s.warnings) {
    if (!isNotDeployedWarning(w)) degraded.push(`warning from ${w.workload}/${w.pod}: ${w.message}`);
  }
  if (s.clusterPods && s.clusterPods.managed < s.clusterPods.total) {
    degraded.push(`${s.clusterPods.total - s.clusterPods.managed} of ${s.clusterPods.total} cluster pods are not managed by Cilium`);
  }
  if (failed.length > 0) return { verdict: 'failed', reasons: [...failed, ...degraded] };
  if (degraded.length > 0) return { verdict: 'degraded', reasons: degraded };
  return { verdict: 'ok', reasons: [] };
}

function finish(s: Omit<CiliumStatusSummary, 'verdict' | 'reasons' | 'issues'>): CiliumStatusSummary {
  const withIssues = { ...s, issues: groupIssues(s.errors, s.warnings) };
  return { ...withIssues, ...judge(withIssues) };
}

type Section = 'containers' | 'images' | 'errors' | 'warnings' | null;

/** Parses the text of `cilium status` (with or without --wait). Never throws. */
export function parseCiliumStatusText(text: string): CiliumStatusSummary {
  const lines = splitLines(text);
  const problems: ParseProblem[] = [];
  const components: ComponentStatus[] = [];
  const workloads: WorkloadState[] = [];
  const containers: ContainerPhases[] = [];
  const images: ImageCount[] = [];
  const errors: StatusMessage[] = [];
  const warnings: StatusMessage[] = [];
  const collectionErrors: string[] = [];
  let clusterPods: CiliumStatusSummary['clusterPods'] = null;
  let helmChartVersion: string | null = null;
  let section: Section = null;

  const addContainer = (n: number, rest: string) => {
    const [name, ...more] = cells(rest);
    const phases = parsePhases(more.join(', '));
    if (!name || phases === null) problems.push(problem(n, rest, 'unrecognised Containers: row'));
    else containers.push({ workload: name, phases });
  };
  const addImage = (n: number, rest: string) => {
    const m = /^\s*(\S+)\s+(\S+):\s*(\d+)\s*$/.exec(rest);
    if (!m) problems.push(problem(n, rest, 'unrecognised Image versions row'));
    else images.push({ workload: m[1]!, image: m[2]!, count: Number(m[3]) });
  };
  const addMessage = (n: number, rest: string, into: StatusMessage[], what: string) => {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S.*?)\s*$/.exec(rest);
    if (!m) problems.push(problem(n, rest, `unrecognised ${what} row`));
    else into.push({ workload: m[1]!, pod: m[2]!, message: m[3]! });
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') {
      section = null;
      return;
    }
    if (isNoise(line)) return;

    const comp = COMPONENT_ROW.exec(line);
    if (comp && (comp.index === 0 || /[/\\¯_]/.test(line.slice(0, comp.index + 1)))) {
      const label = comp[1]!;
      const key = COMPONENT_LABELS.find((c) => c.re.test(label))!.key;
      const status = componentFromSummary(key, label, comp[2]!);
      if (status) components.push(status);
      else problems.push(problem(n, line, `unrecognised ${label} summary`));
      section = null;
      return;
    }
    if (LOGO_ONLY.test(line)) return;

    const wl = WORKLOAD_ROW.exec(line.trim());
    if (wl && !/^\s/.test(line)) {
      const state = parsePodState(wl[3]!);
      if (state) workloads.push({ kind: wl[1]!, name: wl[2]!, ...state });
      else problems.push(problem(n, line, 'unrecognised workload row'));
      section = null;
      return;
    }

    let m: RegExpExecArray | null;
    if ((m = /^Containers:\s*(.*)$/.exec(line))) {
      section = 'containers';
      if (m[1]!.trim()) addContainer(n, m[1]!);
      return;
    }
    if ((m = /^Cluster Pods:\s*(\d+)\/(\d+)\s+managed by Cilium\s*$/.exec(line))) {
      clusterPods = { managed: Number(m[1]), total: Number(m[2]) };
      section = null;
      return;
    }
    if ((m = /^Helm chart version:\s*(.*)$/.exec(line))) {
      helmChartVersion = m[1]!.trim();
      section = null;
      return;
    }
    if ((m = /^Image versions\s*(.*)$/.exec(line))) {
      section = 'images';
      if (m[1]!.trim()) addImage(n, m[1]!);
      return;
    }
    if ((m = /^Errors:\s*(.*)$/.exec(line))) {
      section = 'errors';
      if (m[1]!.trim()) addMessage(n, m[1]!, errors, 'Errors:');
      return;
    }
    if ((m = /^Warnings:\s*(.*)$/.exec(line))) {
      section = 'warnings';
      if (m[1]!.trim()) addMessage(n, m[1]!, warnings, 'Warnings:');
      return;
    }
    if ((m = /^(?:Error:\s*)?(status check failed.*|Unable to determine status.*)$/i.exec(line.trim())) || (m = /^(?:Error|error):\s*(.+)$/.exec(line.trim()))) {
      collectionErrors.push(m[1]!);
      section = null;
      return;
    }
    if (/^\s/.test(line) && section !== null) {
      if (section === 'containers') addContainer(n, line);
      else if (section === 'images') addImage(n, line);
      else if (section === 'errors') addMessage(n, line, errors, 'Errors:');
      else addMessage(n, line, warnings, 'Warnings:');
      return;
    }
    section = null;
    problems.push(problem(n, line, 'unrecognised line'));
  });

  if (lines.length === 0) problems.push(problem(0, '', 'empty input'));
  return finish({
    source: 'text',
    components,
    workloads,
    containers,
    clusterPods,
    helmChartVersion,
    images,
    errors,
    warnings,
    collectionErrors,
    agents: [],
    problems,
  });
}

/** An error value from the JSON: Go marshals plain errors as {}, so the text may be missing. */
function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    for (const k of ['message', 'msg', 'error', 'Err', 'err']) {
      const s = str(value[k]);
      if (s) return s;
    }
  }
  return '(no message in the JSON output)';
}

/** Parses `cilium status -o json`. Never throws. */
export function parseCiliumStatusJson(text: string): CiliumStatusSummary {
  const problems: ParseProblem[] = [];
  const empty = (): CiliumStatusSummary =>
    finish({
      source: 'json',
      components: [],
      workloads: [],
      containers: [],
      clusterPods: null,
      helmChartVersion: null,
      images: [],
      errors: [],
      warnings: [],
      collectionErrors: [],
      agents: [],
      problems,
    });
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const start = trimmed.indexOf('{');
  if (start < 0) {
    problems.push(problem(0, trimmed.slice(0, 200), trimmed ? 'no JSON object in the input' : 'empty input'));
    return empty();
  }
  if (start > 0) problems.push(problem(1, trimmed.slice(0, start), 'text before the JSON object ignored'));
  const parsed = tryJson(trimmed.slice(start));
  if (!parsed.ok || !isRecord(parsed.value)) {
    problems.push(problem(0, trimmed.slice(start, start + 200), parsed.ok ? 'JSON is not an object' : `invalid JSON: ${parsed.error}`));
    return empty();
  }
  const doc = parsed.value;

  const workloads: WorkloadState[] = [];
  const podState = doc.pod_state;
  if (isRecord(podState)) {
    for (const [name, v] of Object.entries(podState)) {
      if (!isRecord(v)) {
        problems.push(problem(0, `pod_state.${name}`, 'not an object'));
        continue;
      }
      workloads.push({
        kind: str(v.Type) ?? 'unknown',
        name,
        desired: num(v.Desired) ?? 0,
        ready: num(v.Ready) ?? 0,
        available: num(v.Available) ?? 0,
        unavailable: num(v.Unavailable) ?? 0,
      });
    }
  }

  const containers: ContainerPhases[] = [];
  if (isRecord(doc.phase_count)) {
    for (const [workload, phases] of Object.entries(doc.phase_count)) {
      const out: Record<string, number> = {};
      if (isRecord(phases)) for (const [p, c] of Object.entries(phases)) if (num(c) !== null) out[p] = num(c)!;
      containers.push({ workload, phases: out });
    }
  }

  const images: ImageCount[] = [];
  if (isRecord(doc.image_count)) {
    for (const [workload, byImage] of Object.entries(doc.image_count)) {
      if (!isRecord(byImage)) continue;
      for (const [image, c] of Object.entries(byImage)) images.push({ workload, image, count: num(c) ?? 0 });
    }
  }

  let clusterPods: CiliumStatusSummary['clusterPods'] = null;
  if (isRecord(doc.pods_count)) {
    const total = num(doc.pods_count.all);
    const managed = num(doc.pods_count.by_cilium);
    if (total !== null && managed !== null) clusterPods = { managed, total };
  }

  const errors: StatusMessage[] = [];
  const warnings: StatusMessage[] = [];
  const disabled = new Set<string>();
  const perWorkload = new Map<string, { errors: number; warnings: number }>();
  if (isRecord(doc.errors)) {
    for (const [workload, pods] of Object.entries(doc.errors)) {
      if (!isRecord(pods)) continue;
      const counts = { errors: 0, warnings: 0 };
      for (const [pod, entry] of Object.entries(pods)) {
        if (!isRecord(entry)) continue;
        const errs = Array.isArray(entry.Errors) ? entry.Errors : [];
        const warns = Array.isArray(entry.Warnings) ? entry.Warnings : [];
        for (const e of errs) errors.push({ workload, pod, message: messageOf(e) });
        for (const w of warns) warnings.push({ workload, pod, message: messageOf(w) });
        counts.errors += errs.length;
        counts.warnings += warns.length;
        if (entry.Disabled === true) disabled.add(workload);
      }
      perWorkload.set(workload, counts);
    }
  }

  const labels: Record<ComponentKey, string> = {
    cilium: 'Cilium',
    operator: 'Operator',
    envoy: 'Envoy DaemonSet',
    hubbleRelay: 'Hubble Relay',
    clusterMesh: 'ClusterMesh',
  };
  const components: ComponentStatus[] = (Object.keys(COMPONENT_WORKLOAD) as ComponentKey[]).map((key) => {
    const workload = COMPONENT_WORKLOAD[key];
    const c = perWorkload.get(workload) ?? { errors: 0, warnings: 0 };
    const isDisabled = disabled.has(workload);
    const parts: string[] = [];
    if (c.errors > 0) parts.push(`${c.errors} errors`);
    if (c.warnings > 0) parts.push(`${c.warnings} warnings`);
    if (isDisabled) parts.push('disabled');
    return {
      key,
      label: labels[key],
      errors: c.errors,
      warnings: c.warnings,
      disabled: isDisabled,
      text: parts.length > 0 ? parts.join(', ') : 'OK',
      state: stateOf(c.errors, c.warnings, isDisabled),
    };
  });

  const collectionErrors: string[] = Array.isArray(doc.collection_errors) ? doc.collection_errors.map(messageOf) : [];

  const agents: CiliumStatusSummary['agents'] = [];
  if (isRecord(doc.cilium_status)) {
    for (const [pod, sr] of Object.entries(doc.cilium_status)) {
      const cilium = isRecord(sr) && isRecord(sr.cilium) ? sr.cilium : null;
      agents.push({ pod, state: cilium ? str(cilium.state) : null, message: cilium ? str(cilium.msg) : null });
    }
  }

  const known = new Set(['image_count', 'phase_count', 'pod_state', 'pods_count', 'cilium_status', 'errors', 'collection_errors', 'helm_chart_version']);
  for (const k of Object.keys(doc)) if (!known.has(k)) problems.push(problem(0, k, 'unknown top-level key ignored'));

  return finish({
    source: 'json',
    components,
    workloads,
    containers,
    clusterPods,
    helmChartVersion: str(doc.helm_chart_version),
    images,
    errors,
    warnings,
    collectionErrors,
    agents,
    problems,
  });
}

