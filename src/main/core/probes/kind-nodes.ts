import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LabError } from '../../../shared/errors';
import { known, unknown, type Fact } from '../../../shared/facts';
import { execQuiet, type ExecResult } from '../exec';
import { KERNEL_OPTIONS_OF_INTEREST, kernelConfigSearchPaths, parseKernelConfig } from '../facts/kernel-config';
import { markUnknown, setNodeFact } from '../facts/factset';
import { NODE_FACT_KEYS, type BtfInfo, type CgroupInfo, type DefaultRoute, type FactSet, type InterfaceAddress, type KernelConfig, type NetInterface } from '../facts/types';
import { resolveTool } from '../runner/tools';
import { btfSearchPaths, parseIpLinkJson } from './host';
import { cgroupFromMounts, parseIpAddrJson, parseIpRouteJson, parseMounts, parseProcNetIpv6Route, parseProcNetRoute } from './host-kernel';

/**
 * Node facts read inside a node: the same fixed shell script runs in a kind node container
 * (`docker exec NODE sh -c SCRIPT sh`) and in the opt-in node debug pod (`sh -c SCRIPT sh
 * /host`, the node's /proc, /sys, /boot and /lib/modules mounted under /host). It prints
 * sections headed `@@dl:<name>`; parseNodeScript turns them into the node.* facts the host
 * probe reads on this machine, with the same search orders (kubeadm for the kernel config,
 * cilium/ebpf for BTF). The script is a constant: nothing from the user or the cluster is
 * ever spliced into it, and it only reads.
 */

const MARK = '@@dl:';
const REL = '$K';

/** Builds the script from the search-order functions so they cannot drift apart. */
function buildScript(): string {
  const list = (paths: string[]) => paths.join(' ');
  return [
    'set -f',
    'R="${1:-}"',
    'K=$(cat /proc/sys/kernel/osrelease 2>/dev/null)',
    `echo "${MARK}release"`,
    'echo "$K"',
    `echo "${MARK}btf"`,
    `for p in ${list(btfSearchPaths(REL))}; do if [ -e "$R$p" ]; then echo "$p"; break; fi; done`,
    `echo "${MARK}config"`,
    `for p in ${list(kernelConfigSearchPaths(REL))}; do if [ -e "$R$p" ]; then echo "$p"; base64 "$R$p" || echo "${MARK}unreadable"; break; fi; done`,
    `echo "${MARK}mounts"`,
    'if [ -r "$R/proc/1/mounts" ]; then grep cgroup "$R/proc/1/mounts"; else grep cgroup /proc/mounts; fi',
    `echo "${MARK}cgroup-controllers"`,
    'for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do if [ -r "$R$d/cgroup.controllers" ]; then echo "$d $(cat "$R$d/cgroup.controllers")"; fi; done',
    `echo "${MARK}ip-link"`,
    `if ! ip -j -d link show 2>/dev/null; then echo "${MARK}sys-class-net"; set +f; for d in "$R"/sys/class/net/*; do echo "\${d##*/} $(cat "$d/mtu" 2>/dev/null) $(cat "$d/operstate" 2>/dev/null) $(cat "$d/type" 2>/dev/null) $(grep '^DEVTYPE=' "$d/uevent" 2>/dev/null | cut -d= -f2)"; done; fi`,
    `echo "${MARK}ip-addr"`,
    `if ! ip -j addr show 2>/dev/null; then echo "${MARK}ip-addr-oneline"; ip -o addr show 2>&1; fi`,
    `echo "${MARK}ip-route4"`,
    'ip -j -4 route show 2>/dev/null',
    `echo "${MARK}ip-route6"`,
    'ip -j -6 route show 2>/dev/null',
    `echo "${MARK}proc-net-route"`,
    'cat /proc/net/route 2>/dev/null',
    `echo "${MARK}proc-net-ipv6-route"`,
    'cat /proc/net/ipv6_route 2>/dev/null',
    `echo "${MARK}end"`,
    '',
  ].join('\n');
}

/** The node reading script; `$1` is the root the node's files are under ('' in a kind node, /host in the debug pod). */
export const NODE_SCRIPT = buildScript();

/** Splits script output into its sections (name -> text without the trailing newline). */
export function splitSections(output: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (name !== null) out.set(name, lines.join('\n'));
  };
  for (const line of output.split('\n')) {
    if (line.startsWith(MARK)) {
      flush();
      name = line.slice(MARK.length).trim();
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

/** `/sys/class/net` lines from the script: "name mtu operstate type devtype". */
export function parseSysClassNetLines(text: string): NetInterface[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2 && f[0] && f[0] !== '*')
    .map(([name, mtu, state, type, devtype]) => ({
      name: name!,
      mtu: Number(mtu) || 0,
      kind: devtype || (type === '772' ? 'loopback' : type === '1' ? 'ether' : type ? `arphrd-${type}` : 'unknown'),
      state: (state || 'unknown').toLowerCase(),
      parent: null,
    }));
}

/** `ip -o addr show` (iproute2 and busybox): "2: eth0    inet 10.0.0.5/24 brd … scope global eth0\ …". */
export function parseIpAddrOneline(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)/.exec(line.trim());
    if (!m) continue;
    out.push({ device: m[1]!, address: m[3]!, prefixLength: Number(m[4]), family: m[2] === 'inet' ? 'ipv4' : 'ipv6' });
  }
  return out;
}

export interface NodeScriptFacts {
  release: Fact<string>;
  btf: Fact<BtfInfo>;
  config: Fact<KernelConfig>;
  cgroup: Fact<CgroupInfo>;
  interfaces: Fact<NetInterface[]>;
  addresses: Fact<InterfaceAddress[]>;
  route: Fact<DefaultRoute>;
}

const tryJson = <T>(text: string | undefined, parse: (t: string) => T): T | null => {
  if (!text || !text.trim().startsWith('[')) return null;
  try {
    return parse(text);
  } catch {
    return null;
  }
};

/**
 * Node facts from the script's output. `source` names where it ran ("docker exec
 * lab-worker", "debug pod default/datapath-lab-probe-x on node-1"); `rootNote` is added
 * to "not found" details when only part of the node's tree was visible (the debug pod).
 */
export function parseNodeScript(output: string, source: string, rootNote = ''): NodeScriptFacts {
  const s = splitSections(output);
  const rel = (s.get('release') ?? '').trim();
  const release: Fact<string> = rel ? known(rel, `${source}: /proc/sys/kernel/osrelease`) : unknown('error', `${source}: no kernel release in the output (the script did not run?)`, source);
  const na = (what: string) => unknown('not-applicable', `the kernel release is unknown, so the ${what} paths cannot be built`, source);

  let btf: Fact<BtfInfo> = na('BTF');
  let config: Fact<KernelConfig> = na('kernel config');
  if (release.state === 'known') {
    const searched = btfSearchPaths(release.value);
    const found = (s.get('btf') ?? '').trim().split('\n')[0]?.trim() || null;
    btf = known({ present: found !== null, path: found, searched }, `${source}: ${found ?? `searched ${searched.length} paths`}`);

    const paths = kernelConfigSearchPaths(release.value);
    const body = (s.get('config') ?? '').split('\n');
    const path = body[0]?.trim() || null;
    if (!path) config = unknown('not-found', `no kernel config in any of ${paths.join(', ')}${rootNote}`, `${source}: kubeadm kernel config search order`);
    else if (s.has('unreadable')) config = unknown('forbidden', `${path} exists but cannot be read`, `${source}: ${path}`);
    else {
      try {
        const bytes = Buffer.from(body.slice(1).join(''), 'base64');
        const text = path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
        const parsed = parseKernelConfig(text, KERNEL_OPTIONS_OF_INTEREST);
        const idx = paths.indexOf(path);
        config =
          parsed.optionCount === 0
            ? unknown('error', `${path} has no CONFIG_ lines`, `${source}: ${path}`)
            : known({ path, searched: idx >= 0 ? paths.slice(0, idx + 1) : [path], options: parsed.options, optionCount: parsed.optionCount }, `${source}: ${path}`);
      } catch (err) {
        config = unknown('error', `cannot decode ${path}: ${(err as Error).message}`, `${source}: ${path}`);
      }
    }
  }

  const controllers = new Map<string, string[]>();
  for (const line of (s.get('cgroup-controllers') ?? '').split('\n')) {
    const [dir, ...rest] = line.trim().split(/\s+/);
    if (dir) controllers.set(dir, rest);
  }
  const mountsText = s.get('mounts');
  const cgroup: Fact<CgroupInfo> =
    mountsText === undefined ? unknown('error', 'no mount table in the output', source) : known(cgroupFromMounts(parseMounts(mountsText), (m) => controllers.get(m) ?? []), `${source}: /proc/1/mounts, cgroup.controllers`);

  let interfaces: Fact<NetInterface[]>;
  const links = tryJson(s.get('ip-link'), parseIpLinkJson);
  if (links) interfaces = known(links, `${source}: ip -j -d link show`);
  else if (s.has('sys-class-net')) interfaces = known(parseSysClassNetLines(s.get('sys-class-net') ?? ''), `${source}: /sys/class/net`);
  else interfaces = unknown('error', 'neither ip -j link nor /sys/class/net answered', source);

  let addresses: Fact<InterfaceAddress[]>;
  const addrs = tryJson(s.get('ip-addr'), parseIpAddrJson);
  if (addrs) addresses = known(addrs, `${source}: ip -j addr show`);
  else if (s.has('ip-addr-oneline')) {
    const text = s.get('ip-addr-oneline') ?? '';
    const parsed = parseIpAddrOneline(text);
    addresses = parsed.length || !text.trim() ? known(parsed, `${source}: ip -o addr show`) : unknown('error', `ip -o addr show: ${text.trim().split('\n')[0]}`, source);
  } else addresses = unknown('error', 'no address listing in the output', source);

  let route: Fact<DefaultRoute>;
  const r4 = tryJson(s.get('ip-route4'), parseIpRouteJson);
  const r6 = tryJson(s.get('ip-route6'), parseIpRouteJson);
  const p4 = s.get('proc-net-route');
  const p6 = s.get('proc-net-ipv6-route');
  if (s.get('ip-route4')?.trim().startsWith('[')) route = known({ ipv4: r4, ipv6: r6 }, `${source}: ip -j route show`);
  else if (p4?.trim() || p6?.trim()) route = known({ ipv4: p4?.trim() ? parseProcNetRoute(p4) : null, ipv6: p6?.trim() ? parseProcNetIpv6Route(p6) : null }, `${source}: /proc/net/route, /proc/net/ipv6_route`);
  else route = unknown('error', 'no routing table in the output', source);

  return { release, btf, config, cgroup, interfaces, addresses, route };
}

/** Adds one node's parsed facts to a FactSet under every node key. */
export function addNodeFacts(set: FactSet, node: string, f: NodeScriptFacts, source: string): FactSet {
  setNodeFact(set, 'node.kernel.release', node, f.release, source);
  setNodeFact(set, 'node.kernel.btf', node, f.btf, source);
  setNodeFact(set, 'node.kernel.config', node, f.config, source);
  setNodeFact(set, 'node.cgroup', node, f.cgroup, source);
  setNodeFact(set, 'node.interfaces', node, f.interfaces, source);
  setNodeFact(set, 'node.addresses', node, f.addresses, source);
  setNodeFact(set, 'node.route.default', node, f.route, source);
  return set;
}

/** Marks every node key of one node unknown (the node did not answer). */
export function nodeUnknown(set: FactSet, node: string, f: Fact<never>, source: string): FactSet {
  for (const k of NODE_FACT_KEYS) setNodeFact(set, k, node, f as Fact<never>, source);
  return set;
}

// ---------------------------------------------------------------------------------------
// kind node containers

export type Engine = 'docker' | 'podman';

/** The label kind puts on its node containers. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/**
 * argv (after the engine) listing a kind cluster's containers by name. Names only: docker's
 * `{{.Label "k"}}` has no podman equivalent, and kind names its HA load balancer
 * `<cluster>-external-load-balancer`.
 */
export function kindNodeListArgv(cluster: string): string[] {
  return ['ps', '--filter', `label=${KIND_CLUSTER_LABEL}=${cluster}`, '--format', '{{.Names}}'];
}

/** argv (after the engine) running the node script in one node container. */
export function kindNodeExecArgv(node: string): string[] {
  return ['exec', node, 'sh', '-c', NODE_SCRIPT, 'sh'];
}

/** Node container names from `ps` output, without kind's external load balancer. */
export function parseKindNodeList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((name) => !!name && !name.endsWith('-external-load-balancer'))
    .sort();
}

/** One line saying why the engine failed, e.g. "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?". */
export function engineFailure(engine: string, r: ExecResult): string {
  if (r.timedOut) return `${engine}: no answer in time`;
  const line = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).find((l) => l) ?? `exit code ${r.code ?? 'unknown'}`;
  return `${engine}: ${line.replace(/^Error response from daemon: /, '').replace(/^Error: /, '')}`;
}

export interface KindNodeOptions {
  /** kind cluster name (the context is kind-<name>). */
  cluster: string;
  /** Path of docker or podman; found on PATH (docker, then podman) when absent. */
  enginePath?: string;
  /** Test seam: the runner (defaults to execQuiet). */
  exec?: (file: string, args: string[], o: { timeoutMs: number }) => Promise<ExecResult>;
  timeoutMs?: number;
  /** Node containers read at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  onNode?: (node: string, ok: boolean, detail?: string) => void;
}

export interface KindNodeResult {
  facts: FactSet;
  nodes: string[];
  /** Script output per node, for snapshots and bug reports. */
  raw: Record<string, string>;
}

/**
 * Reads node facts from every node container of a kind cluster. When the engine cannot be
 * used at all (not installed, daemon down) every node key is unknown with the engine's own
 * words; a node whose exec fails gets unknown facts of its own.
 */
export async function readKindNodeFacts(o: KindNodeOptions): Promise<KindNodeResult> {
  const exec = o.exec ?? ((f, a, x) => execQuiet(f, a, { timeoutMs: x.timeoutMs }));
  const timeoutMs = o.timeoutMs ?? 20_000;
  const facts: FactSet = {};
  const raw: Record<string, string> = {};
  let enginePath = o.enginePath ?? null;
  if (!enginePath) enginePath = resolveTool('docker').path ?? resolveTool('podman').path;
  if (!enginePath) {
    markUnknown(facts, NODE_FACT_KEYS, 'not-found', 'neither docker nor podman is on PATH: kind node facts are read with `docker exec` (install Docker or Podman, or set its path in Settings)', 'kind node probe');
    return { facts, nodes: [], raw };
  }
  const engine = basename(enginePath);
  const list = await exec(enginePath, kindNodeListArgv(o.cluster), { timeoutMs });
  if (list.code !== 0) {
    const why = engineFailure(engine, list);
    const reason = /Cannot connect|Is the docker daemon running|connection refused|no such file or directory.*sock/i.test(why) ? 'unreachable' : 'error';
    markUnknown(facts, NODE_FACT_KEYS, reason, why, `${engine} ${kindNodeListArgv(o.cluster).slice(0, 3).join(' ')}`);
    return { facts, nodes: [], raw };
  }
  const nodes = parseKindNodeList(list.stdout);
  if (nodes.length === 0) {
    markUnknown(facts, NODE_FACT_KEYS, 'not-found', `${engine} has no containers labelled ${KIND_CLUSTER_LABEL}=${o.cluster}: is the kind cluster "${o.cluster}" running on this machine?`, `${engine} ps`);
    return { facts, nodes, raw };
  }
  const queue = [...nodes];
  const worker = async () => {
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      if (o.signal?.aborted) return;
      const source = `${engine} exec ${node}`;
      const r = await exec(enginePath!, kindNodeExecArgv(node), { timeoutMs });
      if (r.code !== 0 && !r.stdout.includes(`${MARK}end`)) {
        const why = engineFailure(engine, r);
        nodeUnknown(facts, node, unknown(r.timedOut ? 'timeout' : 'error', why, source) as Fact<never>, source);
        o.onNode?.(node, false, why);
        continue;
      }
      raw[node] = r.stdout;
      addNodeFacts(facts, node, parseNodeScript(r.stdout, source), source);
      o.onNode?.(node, true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, nodes.length) }, worker));
  if (o.signal?.aborted) throw new LabError('CANCELLED', 'the gather was cancelled');
  return { facts, nodes, raw };
}

