/**
 * `hubble observe -o json` → table rows.
 *
 * One JSON object per line: normally the GetFlowsResponse envelope
 * {"flow": {...}, "node_name", "time"}, but older CLIs (and exported logs)
 * print the bare Flow. Blank lines, warnings and other non-JSON lines are
 * reported as problems; other events (node_status, lost_events, …) are
 * counted, not shown as flows. Field names follow flow.proto.
 */
import type { ParseProblem } from './types';
import { isRecord, num, problem, splitLines, str, tryJson } from './text';

export type FlowVerdict = 'FORWARDED' | 'DROPPED' | 'ERROR' | 'AUDIT' | 'REDIRECTED' | 'TRACED' | 'TRANSLATED' | string;

export interface FlowEndpointView {
  /** What to show: "namespace/pod", else the IP (with reserved identity), else identity labels. */
  display: string;
  namespace: string | null;
  pod: string | null;
  ip: string | null;
  port: number | null;
  identity: number | null;
  labels: string[];
  /** Reserved identities without the prefix: world, host, remote-node, health, world-ipv4, … */
  reserved: string[];
  workload: string | null;
}

export interface FlowL4 {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6' | string | null;
  sourcePort: number | null;
  destinationPort: number | null;
  /** TCP flags that are set, e.g. ["SYN", "ACK"]. */
  flags: string[];
  icmpType: number | null;
  icmpCode: number | null;
  /** "TCP 44916 → 80", "ICMPv4 type 8". */
  summary: string;
}

export interface FlowL7 {
  type: string | null;
  dns: { query: string; qtypes: string[]; rcode: number | null; ips: string[] } | null;
  http: { method: string | null; url: string | null; code: number | null; protocol: string | null } | null;
  latencyNs: number | null;
  /** "DNS query example.com. A", "DNS answer … (rcode 3)", "HTTP GET http://… → 200". */
  summary: string;
}

export interface FlowRow {
  /** 1-based input line. */
  line: number;
  time: string | null;
  source: FlowEndpointView;
  destination: FlowEndpointView;
  l4: FlowL4;
  verdict: FlowVerdict | null;
  /** drop_reason_desc (e.g. POLICY_DENIED); filled from a few known numeric codes for old flows. */
  dropReason: string | null;
  dropReasonCode: number | null;
  l7: FlowL7 | null;
  node: string | null;
  trafficDirection: string | null;
  /** Flow.Type: L3_L4, L7, SOCK, … */
  flowType: string | null;
  observationPoint: string | null;
  isReply: boolean | null;
  /** Flow.Summary as hubble printed it. */
  summary: string | null;
  /** Whether the line had the {"flow": …} envelope. */
  enveloped: boolean;
}

export interface HubbleFlowsResult {
  flows: FlowRow[];
  /** Non-flow events in the stream (node_status, lost_events, …), by kind. */
  otherEvents: { line: number; kind: string }[];
  counts: { total: number; byVerdict: Record<string, number> };
  problems: ParseProblem[];
}

/** DNS response codes (RFC 1035 §4.1.1, RFC 2136). */
const DNS_RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

/** Drop reasons whose numeric code is confirmed by real flows that carry both fields. */
const KNOWN_DROP_CODES: Record<number, string> = { 133: 'POLICY_DENIED' };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function endpoint(ep: unknown, ip: string | null, port: number | null): FlowEndpointView {
  const e = isRecord(ep) ? ep : {};
  const namespace = str(e.namespace) || null;
  const pod = str(e.pod_name) || null;
  const labels = strings(e.labels);
  const reserved = labels.filter((l) => l.startsWith('reserved:')).map((l) => l.slice('reserved:'.length));
  const workloads = Array.isArray(e.workloads) ? e.workloads : [];
  const first = workloads.find(isRecord);
  const workload = first ? (str(first.name) ?? null) : null;
  const identity = num(e.identity);
  let display: string;
  if (pod) display = namespace ? `${namespace}/${pod}` : pod;
  else if (ip) display = reserved.length > 0 ? `${ip} (${reserved.join(', ')})` : ip;
  else if (reserved.length > 0) display = reserved.map((r) => `reserved:${r}`).join(', ');
  else if (labels.length > 0) display = labels.join(', ');
  else if (identity !== null) display = `identity ${identity}`;
  else display = '?';
  return { display, namespace, pod, ip, port, identity, labels, reserved, workload };
}

function l4Of(l4: unknown): FlowL4 {
  const none: FlowL4 = { protocol: null, sourcePort: null, destinationPort: null, flags: [], icmpType: null, icmpCode: null, summary: '' };
  if (!isRecord(l4)) return none;
  const [protocol, body] = Object.entries(l4).find(([, v]) => isRecord(v)) ?? [];
  if (!protocol || !isRecord(body)) return none;
  const flags = isRecord(body.flags) ? Object.entries(body.flags).filter(([, v]) => v === true).map(([k]) => k) : [];
  const sourcePort = num(body.source_port);
  const destinationPort = num(body.destination_port);
  const icmpType = protocol.startsWith('ICMP') ? (num(body.type) ?? 0) : null;
  const icmpCode = protocol.startsWith('ICMP') ? (num(body.code) ?? 0) : null;
  let summary = protocol;
  if (icmpType !== null) summary += ` type ${icmpType}${icmpCode ? ` code ${icmpCode}` : ''}`;
  else summary += ` ${sourcePort ?? '?'} → ${destinationPort ?? '?'}`;
  if (flags.length > 0) summary += ` [${flags.join(',')}]`;
  return { protocol, sourcePort, destinationPort, flags, icmpType, icmpCode, summary };
}

function l7Of(l7: unknown): FlowL7 | null {
  if (!isRecord(l7)) return null;
  const type = str(l7.type);
  const latency = l7.latency_ns;
  const latencyNs = typeof latency === 'string' && /^\d+$/.test(latency) ? Number(latency) : num(latency);
  let dns: FlowL7['dns'] = null;
  let http: FlowL7['http'] = null;
  let summary = type ?? 'L7';
  if (isRecord(l7.dns)) {
    const d = l7.dns;
    dns = { query: str(d.query) ?? '', qtypes: strings(d.qtypes), rcode: num(d.rcode), ips: strings(d.ips) };
    if (type === 'RESPONSE') {
      summary = `DNS answer ${dns.query} ${dns.qtypes.join(',')}`.trim();
      if (dns.ips.length > 0) summary += ` → ${dns.ips.join(', ')}`;
      if (dns.rcode) summary += ` (${DNS_RCODES[dns.rcode] ?? `rcode ${dns.rcode}`})`;
    } else {
      summary = `DNS query ${dns.query} ${dns.qtypes.join(',')}`.trim();
    }
  } else if (isRecord(l7.http)) {
    const h = l7.http;
    http = { method: str(h.method), url: str(h.url), code: num(h.code), protocol: str(h.protocol) };
    summary = `HTTP ${[http.method, http.url].filter(Boolean).join(' ')}`;
    if (http.code !== null) summary += ` → ${http.code}`;
  } else {
    const other = Object.keys(l7).find((k) => isRecord(l7[k]));
    if (other) summary = `${other.toUpperCase()} ${type ?? ''}`.trim();
  }
  return { type, dns, http, latencyNs, summary };
}

function flowRow(line: number, flow: Record<string, unknown>, envelope: Record<string, unknown> | null): FlowRow {
  const ip = isRecord(flow.IP) ? flow.IP : {};
  const l4 = l4Of(flow.l4);
  const dropCode = num(flow.drop_reason);
  const dropDesc = str(flow.drop_reason_desc);
  const dropReason =
    dropDesc && dropDesc !== 'DROP_REASON_UNKNOWN' ? dropDesc : dropCode ? (KNOWN_DROP_CODES[dropCode] ?? `drop reason ${dropCode}`) : null;
  const isReply = typeof flow.is_reply === 'boolean' ? flow.is_reply : typeof flow.reply === 'boolean' ? flow.reply : null;
  return {
    line,
    time: str(flow.time) ?? (envelope ? str(envelope.time) : null),
    source: endpoint(flow.source, str(ip.source), l4.sourcePort),
    destination: endpoint(flow.destination, str(ip.destination), l4.destinationPort),
    l4,
    verdict: str(flow.verdict),
    dropReason,
    dropReasonCode: dropCode,
    l7: l7Of(flow.l7),
    node: str(flow.node_name) ?? (envelope ? str(envelope.node_name) : null),
    trafficDirection: str(flow.traffic_direction),
    flowType: str(flow.Type),
    observationPoint: str(flow.trace_observation_point),
    isReply,
    summary: str(flow.Summary),
    enveloped: envelope !== null,
  };
}

const FLOW_KEYS = ['verdict', 'IP', 'l4', 'source', 'destination', 'Type', 'event_type'];

/** Parses `hubble observe -o json` output. Never throws. */
export function parseHubbleFlows(text: string): HubbleFlowsResult {
  const flows: FlowRow[] = [];
  const otherEvents: HubbleFlowsResult['otherEvents'] = [];
  const problems: ParseProblem[] = [];

  const take = (n: number, value: unknown, raw: string) => {
    if (!isRecord(value)) {
      problems.push(problem(n, raw, 'JSON value is not an object'));
      return;
    }
    if (isRecord(value.flow)) {
      flows.push(flowRow(n, value.flow, value));
      return;
    }
    if ('flow' in value) {
      problems.push(problem(n, raw, '"flow" is not an object'));
      return;
    }
    if (FLOW_KEYS.some((k) => k in value)) {
      flows.push(flowRow(n, value, null));
      return;
    }
    const kind = Object.keys(value).find((k) => isRecord(value[k]) && k !== 'node_name') ?? Object.keys(value)[0];
    if (kind) otherEvents.push({ line: n, kind });
    else problems.push(problem(n, raw, 'empty JSON object'));
  };

  const whole = typeof text === 'string' ? text.trim() : '';
  if (whole.startsWith('[')) {
    const arr = tryJson(whole);
    if (arr.ok && Array.isArray(arr.value)) {
      arr.value.forEach((v) => take(1, v, JSON.stringify(v)));
      return finish(flows, otherEvents, problems);
    }
  }

  splitLines(typeof text === 'string' ? text : '').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '') return;
    if (!line.startsWith('{')) {
      problems.push(problem(n, raw, 'not JSON (a warning or other text)'));
      return;
    }
    const parsed = tryJson(line);
    if (!parsed.ok) {
      problems.push(problem(n, raw, `invalid JSON: ${parsed.error}`));
      return;
    }
    take(n, parsed.value, raw);
  });
  return finish(flows, otherEvents, problems);
}

function finish(flows: FlowRow[], otherEvents: HubbleFlowsResult['otherEvents'], problems: ParseProblem[]): HubbleFlowsResult {
  const byVerdict: Record<string, number> = {};
  for (const f of flows) {
    const v = f.verdict ?? 'UNKNOWN';
    byVerdict[v] = (byVerdict[v] ?? 0) + 1;
  }
  return { flows, otherEvents, counts: { total: flows.length, byVerdict }, problems };
}
