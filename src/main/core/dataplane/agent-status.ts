/**
 * The agent's own status: `cilium-dbg status` (Cilium ≥ 1.15; `cilium status`
 * inside the agent before that), as text (optionally --verbose) or `-o json`.
 *
 * The text is "Key:<tab>value" rows from the agent's status formatter, with
 * indented tables under Controller Status, Allocated addresses, Cluster
 * health and "KubeProxyReplacement Details". Older agents print some rows
 * differently (KubeProxyReplacement Strict/Probe/Partial/Disabled, "Host
 * Routing:", "IPv4 address pool:"); both are read. The JSON is the agent API's
 * StatusResponse (kube-proxy-replacement, masquerading, ipam, routing,
 * datapath-mode, attach-mode, cilium, cluster, controllers, …).
 */
import type { ParseProblem, SubsystemStatus, Verdict } from './types';
import { cells, isNoise, isRecord, num, problem, splitLines, splitTopLevel, str, toInt, tryJson } from './text';

/** KubeProxyReplacement mode, lower-cased: true/false (≥ 1.14), strict/partial/probe/disabled (older). */
export type KprMode = 'true' | 'false' | 'strict' | 'partial' | 'probe' | 'disabled' | 'unknown';

export interface KprDevice {
  name: string;
  ips: string[];
  directRouting: boolean;
}

export interface KubeProxyReplacementStatus {
  /** As printed ("True", "Strict", …). */
  raw: string;
  mode: KprMode;
  /** full: kube-proxy fully replaced; partial: some features (probe/partial); off: kube-proxy still needed. */
  coverage: 'full' | 'partial' | 'off' | 'unknown';
  devices: KprDevice[];
  /** Old agents (≤ 1.7) listed features instead of devices: NodePort, ExternalIPs, … */
  features: string[];
}

export interface MasqueradingStatus {
  raw: string;
  mode: 'bpf' | 'iptables' | 'disabled' | 'enabled' | 'unknown';
  ipMasqAgent: boolean;
  devices: string[];
  /** Destinations not masqueraded (the native-routing CIDRs). */
  excludedCidrs: string[];
  ipv4: boolean | null;
  ipv6: boolean | null;
}

export interface IpamPool {
  allocated: number | null;
  total: number | null;
  cidr: string | null;
}

export interface IpamStatus {
  raw: string;
  ipv4: IpamPool | null;
  ipv6: IpamPool | null;
  /** Address → owner, when --verbose listed them. */
  allocations: { ip: string; owner: string }[];
}

export interface RoutingStatus {
  raw: string;
  /** Inter-node routing: tunnel (encapsulation) or native. */
  network: 'tunnel' | 'native' | null;
  tunnelProtocol: string | null;
  /** Host routing: bpf (eBPF host routing) or legacy (through the kernel stack). */
  host: 'bpf' | 'legacy' | null;
}

export interface ControllerFailure {
  name: string;
  lastSuccess: string;
  lastError: string;
  consecutiveFailures: number;
  message: string;
}

export interface AgentStatusSummary {
  source: 'text' | 'json';
  /** Version from the Cilium row ("1.16.4"), when printed. */
  version: string | null;
  cilium: SubsystemStatus | null;
  kvstore: SubsystemStatus | null;
  kubernetes: SubsystemStatus | null;
  healthDaemon: SubsystemStatus | null;
  /** The agent reports itself Ok. */
  ready: boolean;
  kubeProxyReplacement: KubeProxyReplacementStatus | null;
  masquerading: MasqueradingStatus | null;
  ipam: IpamStatus | null;
  routing: RoutingStatus | null;
  /** Pod device type: veth, netkit, netkit-l2. */
  deviceMode: string | null;
  /** How BPF programs attach: tcx or tc (legacy). */
  attachMode: 'tcx' | 'tc' | string | null;
  clusterHealth: { reachable: number | null; total: number | null; state: string; message: string } | null;
  controllers: { healthy: number; total: number; failing: ControllerFailure[] } | null;
  hubble: SubsystemStatus | null;
  /** Rows under "KubeProxyReplacement Details:" (--verbose). */
  kprDetails: Record<string, string>;
  /** Any other "Key: value" rows, as printed. */
  fields: Record<string, string>;
  /** Errors printed instead of (or with) the status: "Error: Cannot get status: …", kubectl exec failures. */
  commandErrors: string[];
  /** Problems the agent itself reports, in words. */
  errors: string[];
  verdict: Verdict;
  problems: ParseProblem[];
}

const KPR_FEATURES = /^(NodePort|ExternalIPs|HostPort|HostReachableServices\w*|SessionAffinity|GracefulTermination|SocketLB|Nat46X64)\b/;

export function normaliseKprMode(raw: string): KprMode {
  const m = raw.trim().toLowerCase();
  return (['true', 'false', 'strict', 'partial', 'probe', 'disabled'] as const).find((k) => k === m) ?? 'unknown';
}

function kprCoverage(mode: KprMode): KubeProxyReplacementStatus['coverage'] {
  if (mode === 'true' || mode === 'strict') return 'full';
  if (mode === 'partial' || mode === 'probe') return 'partial';
  if (mode === 'false' || mode === 'disabled') return 'off';
  return 'unknown';
}

function looksLikeIp(token: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(token) || /^[0-9a-f]*:[0-9a-f:.]*$/i.test(token) || /^x(?:\.x){3}$/.test(token);
}

/** "True   [eth0 10.0.0.4 fe80::1 (Direct Routing), eth1]" */
export function parseKprText(value: string): KubeProxyReplacementStatus {
  const raw = value.trim();
  const m = /^(\S+)\s*(.*)$/.exec(raw);
  const mode = normaliseKprMode(m?.[1] ?? '');
  const devices: KprDevice[] = [];
  const features: string[] = [];
  // The device list is the last [...] group; old agents printed "() []" or "[features]".
  const bracket = /\[([^\]]*)\]\s*$/.exec(m?.[2] ?? '');
  if (bracket) {
    for (const entry of splitTopLevel(bracket[1]!)) {
      if (KPR_FEATURES.test(entry)) {
        features.push(entry);
        continue;
      }
      const directRouting = /\(Direct Routing\)/i.test(entry);
      const tokens = entry.replace(/\([^)]*\)/g, ' ').trim().split(/\s+/).filter(Boolean);
      const [name, ...rest] = tokens;
      if (!name) continue;
      devices.push({ name, ips: rest.filter(looksLikeIp), directRouting });
    }
  }
  return { raw, mode, coverage: kprCoverage(mode), devices, features };
}

/** "BPF   [eth0]   10.0.0.0/8 [IPv4: Enabled, IPv6: Disabled]", "IPTables [IPv4: Enabled, IPv6: Disabled]" */
export function parseMasqueradingText(value: string): MasqueradingStatus {
  const raw = value.trim();
  const first = /^(\S+)/.exec(raw)?.[1]?.toLowerCase() ?? '';
  const mode: MasqueradingStatus['mode'] =
    first === 'bpf' ? 'bpf' : first === 'iptables' ? 'iptables' : first === 'disabled' ? 'disabled' : first === 'enabled' ? 'enabled' : 'unknown';
  let ipv4: boolean | null = null;
  let ipv6: boolean | null = null;
  const devices: string[] = [];
  let rest = raw;
  for (const group of raw.match(/\[[^\]]*\]/g) ?? []) {
    const inner = group.slice(1, -1);
    if (/IPv[46]:/.test(inner)) {
      const v4 = /IPv4:\s*(Enabled|Disabled)/i.exec(inner);
      const v6 = /IPv6:\s*(Enabled|Disabled)/i.exec(inner);
      if (v4) ipv4 = v4[1]!.toLowerCase() === 'enabled';
      if (v6) ipv6 = v6[1]!.toLowerCase() === 'enabled';
    } else {
      devices.push(...splitTopLevel(inner));
    }
    rest = rest.replace(group, ' ');
  }
  const excludedCidrs = (rest.match(/\S+\/\d{1,3}\b/g) ?? []).filter((t) => /[.:]/.test(t));
  if (mode === 'disabled') {
    ipv4 ??= false;
    ipv6 ??= false;
  }
  return { raw, mode, ipMasqAgent: /ip-masq-agent/i.test(raw), devices, excludedCidrs, ipv4, ipv6 };
}

/** "IPv4: 4/254 allocated from 10.172.0.0/24, IPv6: 4/65534 allocated from fd00::/112" */
export function parseIpamText(value: string): IpamStatus {
  const raw = value.trim();
  const pool = (family: 'IPv4' | 'IPv6'): IpamPool | null => {
    const re = new RegExp(`${family}:\\s*(?:(\\d+)/(\\d+)\\s+allocated(?:\\s+from\\s+([^\\s,]+))?|([0-9a-fA-F.:]+/\\d+))`);
    const m = re.exec(raw);
    if (!m) return null;
    if (m[4]) return { allocated: null, total: null, cidr: m[4] };
    return { allocated: toInt(m[1]), total: toInt(m[2]), cidr: m[3] ?? null };
  };
  return { raw, ipv4: pool('IPv4'), ipv6: pool('IPv6'), allocations: [] };
}

/** "Network: Tunnel [vxlan]   Host: Legacy" */
export function parseRoutingText(value: string): RoutingStatus {
  const raw = value.trim();
  const net = /Network:\s*(Tunnel|Native)(?:\s*\[([^\]]*)\])?/i.exec(raw);
  const host = /Host:\s*(BPF|Legacy)/i.exec(raw);
  return {
    raw,
    network: net ? (net[1]!.toLowerCase() as 'tunnel' | 'native') : null,
    tunnelProtocol: net?.[2]?.trim() || null,
    host: host ? (host[1]!.toLowerCase() as 'bpf' | 'legacy') : null,
  };
}

/** "Ok   1.16.4 (v1.16.4-03807242)" → state + message. */
function subsystem(value: string): SubsystemStatus {
  const m = /^(\S+)\s*(.*)$/.exec(value.trim());
  return { state: m?.[1] ?? '', message: (m?.[2] ?? '').trim() };
}

function versionFrom(message: string): string | null {
  return /^v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(message.trim())?.[1] ?? null;
}

function attachModeFrom(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'tcx') return 'tcx';
  if (v === 'legacy tc' || v === 'tc') return 'tc';
  return value.trim();
}

function judge(s: Omit<AgentStatusSummary, 'verdict' | 'errors' | 'ready'>): { verdict: Verdict; errors: string[]; ready: boolean } {
  const failed: string[] = [];
  const degraded: string[] = [];
  const bad = (label: string, st: SubsystemStatus | null) => {
    if (!st) return;
    const state = st.state.toLowerCase();
    if (state === 'failure') failed.push(`${label}: Failure${st.message ? ` (${st.message})` : ''}`);
    else if (state === 'warning') degraded.push(`${label}: Warning${st.message ? ` (${st.message})` : ''}`);
  };
  bad('Cilium', s.cilium);
  bad('Kubernetes', s.kubernetes);
  bad('KVStore', s.kvstore);
  bad('Cilium health daemon', s.healthDaemon);
  bad('Hubble', s.hubble);
  for (const e of s.commandErrors) failed.push(`command error: ${e}`);
  if (!s.cilium) failed.push('no Cilium row in the agent status');
  if (s.controllers) {
    const failing = s.controllers.total - s.controllers.healthy;
    if (failing > 0) {
      const names = s.controllers.failing.map((c) => `${c.name} (${c.consecutiveFailures}x: ${c.message})`);
      degraded.push(`${failing} of ${s.controllers.total} controllers failing${names.length > 0 ? `: ${names.join('; ')}` : ''}`);
    }
  }
  const ch = s.clusterHealth;
  if (ch) {
    if (ch.total !== null && ch.reachable !== null && ch.reachable < ch.total) {
      degraded.push(`cluster health: ${ch.reachable}/${ch.total} nodes reachable`);
    } else if (/^(warning|failure)$/i.test(ch.state)) {
      degraded.push(`cluster health: ${ch.state}${ch.message ? ` (${ch.message})` : ''}`);
    }
  }
  const ready = s.cilium !== null && s.cilium.state.toLowerCase() === 'ok';
  const errors = [...failed, ...degraded];
  return { verdict: failed.length > 0 ? 'failed' : degraded.length > 0 ? 'degraded' : 'ok', errors, ready };
}

/** Top-level rows of the agent status, as printed by any agent since 1.0. */
const TOP_KEYS = new Set([
  'KVStore',
  'ContainerRuntime',
  'Kubernetes',
  'Kubernetes APIs',
  'KubeProxyReplacement',
  'Host firewall',
  'SRv6',
  'CNI Chaining',
  'CNI Config file',
  'Cilium',
  'Stale status',
  'NodeMonitor',
  'Cilium health daemon',
  'IPAM',
  'IPv4 address pool',
  'IPv6 address pool',
  'Allocated addresses',
  'ClusterMesh',
  'IPv4 BIG TCP',
  'IPv6 BIG TCP',
  'BandwidthManager',
  'Host Routing',
  'Routing',
  'Attach Mode',
  'Device Mode',
  'Masquerading',
  'Clock Source for BPF',
  'Controller Status',
  'Proxy Status',
  'Global Identity Range',
  'Hubble',
  'KubeProxyReplacement Details',
  'BPF Maps',
  'Encryption',
  'Cluster health',
  'Modules Health',
]);

type AgentSection = 'controllers' | 'allocations' | 'kprDetails' | 'clusterNodes' | 'generic' | null;

type SummaryParts = Omit<AgentStatusSummary, 'verdict' | 'errors' | 'ready'>;

/** A summary with nothing read yet; the parsers fill in what their input has. */
function emptySummary(source: SummaryParts['source'], problems: ParseProblem[], kprDetails: Record<string, string> = {}, fields: Record<string, string> = {}): SummaryParts {
  return {
    source,
    version: null,
    cilium: null,
    kvstore: null,
    kubernetes: null,
    healthDaemon: null,
    kubeProxyReplacement: null,
    masquerading: null,
    ipam: null,
    routing: null,
    deviceMode: null,
    attachMode: null,
    clusterHealth: null,
    controllers: null,
    hubble: null,
    kprDetails,
    fields,
    commandErrors: [],
    problems,
  };
}

/** Parses the text of `cilium-dbg status [--verbose]` (or the agent's `cilium status`). Never throws. */
export function parseAgentStatusText(text: string): AgentStatusSummary {
  const lines = splitLines(text);
  const problems: ParseProblem[] = [];
  const fields: Record<string, string> = {};
  const kprDetails: Record<string, string> = {};
  const failing: ControllerFailure[] = [];
  const allocations: { ip: string; owner: string }[] = [];
  let section: AgentSection = null;
  const s = emptySummary('text', problems, kprDetails, fields);

  const setPool = (family: 'ipv4' | 'ipv6', value: string) => {
    const m = /^(\d+)\/(\d+)\s+allocated(?:\s+from\s+(\S+))?/.exec(value.trim());
    const pool: IpamPool = { allocated: toInt(m?.[1]), total: toInt(m?.[2]), cidr: m?.[3] ?? null };
    s.ipam ??= { raw: '', ipv4: null, ipv6: null, allocations };
    s.ipam[family] = pool;
    s.ipam.raw = [s.ipam.raw, value.trim()].filter(Boolean).join('; ');
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') {
      section = null;
      return;
    }
    if (isNoise(line)) return;
    const cmdErr = /^\s*(?:Error|error):\s*(.+)$/.exec(line) ?? /^\s*(command terminated with exit code \d+)\s*$/.exec(line);
    if (cmdErr) {
      s.commandErrors.push(cmdErr[1]!.trim());
      section = null;
      return;
    }

    const top = /^\s*([A-Za-z][A-Za-z0-9 /()-]*?):(?:\s+(.*))?$/.exec(line);
    const key = top?.[1];
    if (top && key !== undefined && TOP_KEYS.has(key)) {
      const value = (top[2] ?? '').trim();
      section = null;
      switch (key) {
        case 'Cilium':
          s.cilium = subsystem(value);
          s.version = versionFrom(s.cilium.message);
          break;
        case 'KVStore':
          s.kvstore = subsystem(value);
          break;
        case 'Kubernetes':
          s.kubernetes = subsystem(value);
          break;
        case 'Cilium health daemon':
          s.healthDaemon = subsystem(value);
          break;
        case 'KubeProxyReplacement':
          s.kubeProxyReplacement = parseKprText(value);
          break;
        case 'Masquerading':
          s.masquerading = parseMasqueradingText(value);
          break;
        case 'IPAM':
          s.ipam = { ...parseIpamText(value), allocations };
          break;
        case 'IPv4 address pool':
          setPool('ipv4', value);
          break;
        case 'IPv6 address pool':
          setPool('ipv6', value);
          break;
        case 'Allocated addresses':
          section = 'allocations';
          break;
        case 'Routing':
          s.routing = parseRoutingText(value);
          break;
        case 'Host Routing': {
          const host = /^(BPF|Legacy)\b/i.exec(value)?.[1]?.toLowerCase() as 'bpf' | 'legacy' | undefined;
          s.routing ??= { raw: '', network: null, tunnelProtocol: null, host: null };
          s.routing.host = host ?? null;
          s.routing.raw = s.routing.raw || `Host: ${value}`;
          break;
        }
        case 'Attach Mode':
          s.attachMode = attachModeFrom(value);
          break;
        case 'Device Mode':
          s.deviceMode = value.trim();
          break;
        case 'Controller Status': {
          const m = /^(\d+)\/(\d+)\s+healthy/.exec(value);
          if (m) s.controllers = { healthy: Number(m[1]), total: Number(m[2]), failing };
          else problems.push(problem(n, line, 'unrecognised Controller Status'));
          section = 'controllers';
          break;
        }
        case 'Cluster health': {
          const m = /^(\d+)\/(\d+)\s+reachable\s*(.*)$/.exec(value);
          if (m) {
            const reachable = Number(m[1]);
            const total = Number(m[2]);
            s.clusterHealth = { reachable, total, state: reachable < total ? 'Warning' : 'Ok', message: m[3]!.trim() };
          } else {
            const st = subsystem(value);
            s.clusterHealth = { reachable: null, total: null, state: st.state, message: st.message };
          }
          section = 'clusterNodes';
          break;
        }
        case 'Hubble':
          s.hubble = subsystem(value);
          break;
        case 'KubeProxyReplacement Details':
          section = 'kprDetails';
          break;
        case 'BPF Maps':
        case 'ClusterMesh':
          section = 'generic';
          break;
        default:
          break;
      }
      fields[key] = value;
      return;
    }

    const indented = /^\s/.test(line);
    switch (section) {
      case 'controllers': {
        const c = cells(line);
        if (c[0] === 'Name') return; // header
        if (c.length >= 5 && toInt(c[3]) !== null) {
          const count = toInt(c[3])!;
          if (count > 0) {
            failing.push({ name: c[0]!, lastSuccess: c[1]!, lastError: c[2]!, consecutiveFailures: count, message: c.slice(4).join(' ') });
          }
          return;
        }
        break;
      }
      case 'allocations': {
        const m = /^\s*(\S+)\s+\((.*)\)\s*$/.exec(line);
        if (m) {
          allocations.push({ ip: m[1]!, owner: m[2]! });
          return;
        }
        break;
      }
      case 'kprDetails': {
        const m = /^\s*(?:-\s*)?([^:]+?):\s*(.*)$/.exec(line);
        if (indented && m) {
          kprDetails[m[1]!.trim()] = m[2]!.trim();
          return;
        }
        break;
      }
      case 'clusterNodes':
        // "Name  IP  Node  Endpoints" header (not indented since 1.16) and one row per node.
        if (/^\s*Name\s+IP\b/.test(line) || indented) return;
        break;
      case 'generic':
        if (indented) return;
        break;
      default:
        break;
    }
    section = null;
    if (top && key !== undefined && !indented) {
      fields[key] = (top[2] ?? '').trim();
      return;
    }
    problems.push(problem(n, line, 'unrecognised line'));
  });

  if (lines.length === 0) problems.push(problem(0, '', 'empty input'));
  return { ...s, ...judge(s) };
}

/** Builds the same summary from `cilium-dbg status -o json` (the agent's StatusResponse). Never throws. */
export function parseAgentStatusJson(text: string): AgentStatusSummary {
  const problems: ParseProblem[] = [];
  const s = emptySummary('json', problems);
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const start = trimmed.indexOf('{');
  if (start < 0) {
    problems.push(problem(0, trimmed.slice(0, 200), trimmed ? 'no JSON object in the input' : 'empty input'));
    for (const l of splitLines(trimmed)) {
      const e = /^\s*(?:Error|error):\s*(.+)$/.exec(l);
      if (e) s.commandErrors.push(e[1]!.trim());
    }
    return { ...s, ...judge(s) };
  }
  if (start > 0) problems.push(problem(1, trimmed.slice(0, start), 'text before the JSON object ignored'));
  const parsed = tryJson(trimmed.slice(start));
  if (!parsed.ok || !isRecord(parsed.value)) {
    problems.push(problem(0, trimmed.slice(start, start + 200), parsed.ok ? 'JSON is not an object' : `invalid JSON: ${parsed.error}`));
    return { ...s, ...judge(s) };
  }
  const doc = parsed.value;
  const status = (v: unknown): SubsystemStatus | null =>
    isRecord(v) && str(v.state) !== null ? { state: str(v.state)!, message: str(v.msg) ?? '' } : null;

  s.cilium = status(doc.cilium);
  s.version = s.cilium ? versionFrom(s.cilium.message) : null;
  s.kvstore = status(doc.kvstore);
  s.kubernetes = status(doc.kubernetes);
  s.hubble = status(doc.hubble);

  const kpr = doc['kube-proxy-replacement'];
  if (isRecord(kpr)) {
    const raw = str(kpr.mode) ?? '';
    const mode = normaliseKprMode(raw);
    const direct = str(kpr.directRoutingDevice);
    const devices: KprDevice[] = [];
    if (Array.isArray(kpr.deviceList) && kpr.deviceList.length > 0) {
      for (const d of kpr.deviceList) {
        if (!isRecord(d) || !str(d.name)) continue;
        const ips = Array.isArray(d.ip) ? d.ip.filter((x): x is string => typeof x === 'string') : [];
        devices.push({ name: str(d.name)!, ips, directRouting: d.name === direct });
      }
    } else if (Array.isArray(kpr.devices)) {
      for (const d of kpr.devices) if (typeof d === 'string') devices.push({ name: d, ips: [], directRouting: d === direct });
    }
    s.kubeProxyReplacement = { raw, mode, coverage: kprCoverage(mode), devices, features: [] };
  }

  const masq = doc.masquerading;
  if (isRecord(masq)) {
    const modeRaw = (str(masq.mode) ?? '').toLowerCase();
    const protocols = isRecord(masq.enabledProtocols) ? masq.enabledProtocols : null;
    const enabled = masq.enabled === true;
    const v4 = protocols ? protocols.ipv4 === true : null;
    const v6 = protocols ? protocols.ipv6 === true : null;
    const off = !enabled || (protocols !== null && !v4 && !v6);
    const excluded = [str(masq['snat-exclusion-cidr-v4']), str(masq['snat-exclusion-cidr-v6']), str(masq['snat-exclusion-cidr'])].filter(
      (c): c is string => !!c,
    );
    s.masquerading = {
      raw: JSON.stringify(masq),
      mode: off ? 'disabled' : modeRaw === 'bpf' ? 'bpf' : modeRaw === 'iptables' ? 'iptables' : 'enabled',
      ipMasqAgent: masq['ip-masq-agent'] === true,
      devices: s.kubeProxyReplacement && modeRaw === 'bpf' ? s.kubeProxyReplacement.devices.map((d) => d.name) : [],
      excludedCidrs: [...new Set(excluded)],
      ipv4: off ? false : v4,
      ipv6: off ? false : v6,
    };
  }

  const ipam = doc.ipam;
  if (isRecord(ipam)) {
    const parsedIpam = parseIpamText(str(ipam.status) ?? '');
    const allocations = isRecord(ipam.allocations)
      ? Object.entries(ipam.allocations).map(([ip, owner]) => ({ ip, owner: typeof owner === 'string' ? owner : '' }))
      : [];
    s.ipam = { ...parsedIpam, allocations };
  }

  const routing = doc.routing;
  if (isRecord(routing)) {
    const inter = (str(routing['inter-host-routing-mode']) ?? '').toLowerCase();
    const intra = (str(routing['intra-host-routing-mode']) ?? '').toLowerCase();
    s.routing = {
      raw: JSON.stringify(routing),
      network: inter === 'tunnel' || inter === 'native' ? inter : null,
      tunnelProtocol: str(routing['tunnel-protocol']) || null,
      host: intra === 'bpf' || intra === 'legacy' ? intra : null,
    };
  } else if (isRecord(doc['host-routing'])) {
    const mode = (str(doc['host-routing'].mode) ?? '').toLowerCase();
    s.routing = { raw: JSON.stringify(doc['host-routing']), network: null, tunnelProtocol: null, host: mode === 'bpf' || mode === 'legacy' ? mode : null };
  }

  s.deviceMode = str(doc['datapath-mode']);
  const attach = str(doc['attach-mode']);
  s.attachMode = attach === null ? null : attachModeFrom(attach);

  if (Array.isArray(doc.controllers)) {
    const failing: ControllerFailure[] = [];
    for (const c of doc.controllers) {
      if (!isRecord(c) || !isRecord(c.status)) continue;
      const count = num(c.status['consecutive-failure-count']) ?? 0;
      if (count > 0) {
        failing.push({
          name: str(c.name) ?? '?',
          lastSuccess: str(c.status['last-success-timestamp']) ?? 'never',
          lastError: str(c.status['last-failure-timestamp']) ?? 'never',
          consecutiveFailures: count,
          message: str(c.status['last-failure-msg']) ?? '',
        });
      }
    }
    s.controllers = { healthy: doc.controllers.length - failing.length, total: doc.controllers.length, failing };
  }

  const cluster = doc.cluster;
  if (isRecord(cluster)) {
    s.healthDaemon = status(cluster.ciliumHealth);
    // The StatusResponse has no reachability counts (those come from the health API); keep the node count.
    const nodes = Array.isArray(cluster.nodes) ? cluster.nodes.length : null;
    if (s.healthDaemon) s.clusterHealth = { reachable: null, total: nodes, state: s.healthDaemon.state, message: s.healthDaemon.message };
  }

  for (const [k, v] of Object.entries(doc)) if (typeof v === 'string') s.fields[k] = v;
  return { ...s, ...judge(s) };
}
