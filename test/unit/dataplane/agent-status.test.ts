import { describe, expect, it } from 'vitest';
import { normaliseKprMode, parseAgentStatusJson, parseAgentStatusText, type AgentStatusSummary } from '../../../src/main/core/dataplane';
import { fixture, fixtureNames } from './helpers';

const DIR = 'agent-status';

type Expected = {
  verdict: AgentStatusSummary['verdict'];
  version: string | null;
  ready: boolean;
  kpr: { mode: string; coverage: string; devices: [string, string[], boolean][]; features?: string[] } | null;
  masq: { mode: string; devices: string[]; excluded: string[]; v4: boolean | null; v6: boolean | null } | null;
  ipv4: [number | null, number | null, string | null] | null;
  ipv6?: [number | null, number | null, string | null] | null;
  routing: [network: string | null, tunnel: string | null, host: string | null] | null;
  deviceMode: string | null;
  attachMode: string | null;
  health: [reachable: number | null, total: number | null, state: string] | null;
  controllers: [healthy: number, total: number, failing: string[]] | null;
};

const TEXT_CASES: Record<string, Expected> = {
  'cilium-10059-v1.7-kpr-strict.txt': {
    verdict: 'degraded',
    version: null,
    ready: true,
    kpr: { mode: 'strict', coverage: 'full', devices: [], features: ['NodePort', 'ExternalIPs', 'HostReachableServicesTCP', 'HostReachableServicesUDP'] },
    masq: null,
    ipv4: [4, 65535, '10.1.0.0/16'],
    routing: null,
    deviceMode: null,
    attachMode: null,
    health: [0, 1, 'Warning'],
    controllers: [17, 17, []],
  },
  'cilium-10083-v1.7-kpr-probe.txt': {
    verdict: 'degraded',
    version: null,
    ready: true,
    kpr: { mode: 'probe', coverage: 'partial', devices: [], features: ['NodePort (SNAT, 30000-32767)', 'ExternalIPs', 'HostReachableServices (TCP, UDP)'] },
    masq: null,
    ipv4: [2, 65535, '10.1.0.0/16'],
    routing: null,
    deviceMode: null,
    attachMode: null,
    health: [0, 1, 'Warning'],
    controllers: [11, 11, []],
  },
  'microk8s-604-health-warning.txt': {
    verdict: 'degraded',
    version: null,
    ready: true,
    kpr: null,
    masq: null,
    ipv4: [2, 65535, '10.244.0.0/16'],
    routing: null,
    deviceMode: null,
    attachMode: null,
    health: [null, null, 'Warning'],
    controllers: [12, 12, []],
  },
  'docs-troubleshooting-v1.1.txt': {
    verdict: 'ok',
    version: null,
    ready: true,
    kpr: null,
    masq: null,
    ipv4: [261, 65535, null],
    ipv6: [4, 4294967295, null],
    routing: null,
    deviceMode: null,
    attachMode: null,
    health: [2, 2, 'Ok'],
    controllers: [20, 20, []],
  },
  'cilium-15457-v1.9.90-ci-controller-failing.txt': {
    verdict: 'degraded',
    version: '1.9.90',
    ready: true,
    kpr: {
      mode: 'strict',
      coverage: 'full',
      devices: [
        ['enp0s8', ['192.168.36.12', 'fd04::12'], true],
        ['enp0s3', ['10.0.2.15', 'fd04::12'], false],
      ],
    },
    masq: { mode: 'bpf', devices: ['enp0s8', 'enp0s3'], excluded: ['10.0.0.0/8'], v4: true, v6: true },
    ipv4: [2, 255, '10.0.0.0/24'],
    ipv6: [2, 255, 'fd02::/120'],
    routing: [null, null, 'legacy'],
    deviceMode: null,
    attachMode: null,
    health: null,
    controllers: [20, 21, ['bpf-map-sync-cilium_snat_v4_external']],
  },
  'cilium-21651-v1.12.2-verbose.txt': {
    verdict: 'ok',
    version: '1.12.2',
    ready: true,
    kpr: {
      mode: 'probe',
      coverage: 'partial',
      devices: [
        ['eth0', ['10.129.162.151'], false],
        ['eth1', ['10.129.162.151'], false],
      ],
    },
    masq: { mode: 'bpf', devices: ['eth0', 'eth1'], excluded: ['10.254.0.0/24'], v4: true, v6: false },
    ipv4: [3, 254, '10.254.0.0/24'],
    routing: [null, null, 'bpf'],
    deviceMode: null,
    attachMode: null,
    health: null,
    controllers: [23, 23, []],
  },
  'blog-rke2-v1.15.5.txt': {
    verdict: 'ok',
    version: '1.15.5',
    ready: true,
    kpr: { mode: 'false', coverage: 'off', devices: [['eth0', ['192.168.0.5', 'fe80::6245:bdff:fe94:cd06'], false]] },
    masq: { mode: 'iptables', devices: [], excluded: [], v4: true, v6: false },
    ipv4: [9, 254, '10.42.1.0/24'],
    routing: [null, null, 'legacy'],
    deviceMode: null,
    attachMode: null,
    health: [2, 2, 'Ok'],
    controllers: [52, 52, []],
  },
  'blog-talos-v1.16.4.txt': {
    verdict: 'ok',
    version: '1.16.4',
    ready: true,
    kpr: { mode: 'true', coverage: 'full', devices: [['enx22989c9b16a0', ['x.x.x.x', 'fe80::2098:9cff:fe9b:16a0'], true]] },
    masq: { mode: 'iptables', devices: [], excluded: [], v4: true, v6: false },
    ipv4: [8, 254, '10.244.1.0/24'],
    routing: ['tunnel', 'vxlan', 'legacy'],
    deviceMode: 'veth',
    attachMode: 'tcx',
    health: [4, 4, 'Ok'],
    controllers: [51, 51, []],
  },
  'blog-capi-azure-v1.17.7.txt': {
    verdict: 'ok',
    version: '1.17.7',
    ready: true,
    kpr: { mode: 'true', coverage: 'full', devices: [['eth0', ['10.0.0.4', 'fe80::6245:bdff:fe6f:1d83'], true]] },
    masq: { mode: 'bpf', devices: ['eth0'], excluded: ['192.168.0.0/24'], v4: true, v6: false },
    ipv4: [4, 254, '192.168.0.0/24'],
    routing: ['tunnel', 'vxlan', 'bpf'],
    deviceMode: 'veth',
    attachMode: 'tcx',
    health: [5, 5, 'Ok'],
    controllers: [32, 32, []],
  },
};

function view(s: AgentStatusSummary): Expected {
  const pool = (p: { allocated: number | null; total: number | null; cidr: string | null } | null | undefined) =>
    p ? ([p.allocated, p.total, p.cidr] as [number | null, number | null, string | null]) : null;
  const k = s.kubeProxyReplacement;
  const m = s.masquerading;
  return {
    verdict: s.verdict,
    version: s.version,
    ready: s.ready,
    kpr: k
      ? {
          mode: k.mode,
          coverage: k.coverage,
          devices: k.devices.map((d) => [d.name, d.ips, d.directRouting]),
          ...(k.features.length > 0 ? { features: k.features } : {}),
        }
      : null,
    masq: m ? { mode: m.mode, devices: m.devices, excluded: m.excludedCidrs, v4: m.ipv4, v6: m.ipv6 } : null,
    ipv4: pool(s.ipam?.ipv4),
    ...(s.ipam?.ipv6 ? { ipv6: pool(s.ipam.ipv6) } : {}),
    routing: s.routing ? [s.routing.network, s.routing.tunnelProtocol, s.routing.host] : null,
    deviceMode: s.deviceMode,
    attachMode: s.attachMode,
    health: s.clusterHealth ? [s.clusterHealth.reachable, s.clusterHealth.total, s.clusterHealth.state] : null,
    controllers: s.controllers ? [s.controllers.healthy, s.controllers.total, s.controllers.failing.map((f) => f.name)] : null,
  };
}

describe('parseAgentStatusText on real outputs', () => {
  it('has an expectation for every full-status fixture', () => {
    const fragments = ['docs-kubeproxy-free-kpr-details.txt', 'docs-kubeproxy-free-kpr-grep.txt'];
    expect(fixtureNames(DIR, '.txt').filter((f) => !fragments.includes(f)).sort()).toEqual(Object.keys(TEXT_CASES).sort());
  });

  for (const [name, exp] of Object.entries(TEXT_CASES)) {
    it(name, () => {
      const text = fixture(DIR, name);
      const s = parseAgentStatusText(text);
      expect(s.problems).toEqual([]);
      expect(view(s)).toEqual(exp);

      // Cross-checks against the raw text.
      const ctl = /Controller Status:\s+(\d+)\/(\d+) healthy/.exec(text);
      expect(s.controllers ? [s.controllers.healthy, s.controllers.total] : null).toEqual(ctl ? [Number(ctl[1]), Number(ctl[2])] : null);
      const kprLine = /KubeProxyReplacement:\s+(\S+)/.exec(text);
      expect(s.kubeProxyReplacement?.raw.split(/\s/)[0] ?? null).toBe(kprLine?.[1] ?? null);
      const ipam = /IPv4: (\d+)\/(\d+) allocated from (\S+?),/.exec(text);
      if (ipam) expect(s.ipam?.ipv4).toEqual({ allocated: Number(ipam[1]), total: Number(ipam[2]), cidr: ipam[3] });
    });
  }

  it('lists the failing controller with its counts and message', () => {
    const s = parseAgentStatusText(fixture(DIR, 'cilium-15457-v1.9.90-ci-controller-failing.txt'));
    expect(s.controllers?.failing).toEqual([
      { name: 'bpf-map-sync-cilium_snat_v4_external', lastSuccess: 'never', lastError: '4s ago', consecutiveFailures: 23, message: '1 map sync errors' },
    ]);
    expect(s.errors).toEqual(['1 of 21 controllers failing: bpf-map-sync-cilium_snat_v4_external (23x: 1 map sync errors)']);
  });

  it('reads allocated addresses from --verbose', () => {
    const s = parseAgentStatusText(fixture(DIR, 'cilium-21651-v1.12.2-verbose.txt'));
    expect(s.ipam?.allocations).toEqual([
      { ip: '10.254.0.13', owner: 'health' },
      { ip: '10.254.0.149', owner: 'default/kaitest-6599d9d77f-lqgwq' },
      { ip: '10.254.0.225', owner: 'router' },
    ]);
    expect(s.fields['Host firewall']).toBe('Enabled   [eth0, eth1]');
  });

  it('reads the subsystem rows', () => {
    const s = parseAgentStatusText(fixture(DIR, 'blog-capi-azure-v1.17.7.txt'));
    expect(s.cilium).toEqual({ state: 'Ok', message: '1.17.7 (v1.17.7-621ebf56)' });
    expect(s.kvstore).toEqual({ state: 'Disabled', message: '' });
    expect(s.kubernetes).toEqual({ state: 'Ok', message: '1.34 (v1.34.1) [linux/amd64]' });
    expect(s.hubble?.state).toBe('Ok');
    expect(s.fields['Modules Health']).toBe('Stopped(0) Degraded(0) OK(60)');
  });

  it('reads the docs fragments: the KPR line with a tab, and the --verbose KPR details', () => {
    const line = parseAgentStatusText(fixture(DIR, 'docs-kubeproxy-free-kpr-grep.txt'));
    expect(line.problems).toEqual([]);
    expect(line.kubeProxyReplacement).toMatchObject({
      mode: 'true',
      devices: [
        { name: 'eth0', ips: [], directRouting: true },
        { name: 'eth1', ips: [], directRouting: false },
      ],
    });
    const details = parseAgentStatusText(fixture(DIR, 'docs-kubeproxy-free-kpr-details.txt'));
    expect(details.problems).toEqual([]);
    expect(details.kprDetails).toMatchObject({ Status: 'True', 'Socket LB': 'Enabled', Mode: 'SNAT', NodePort: 'Enabled (Range: 30000-32767)', HostPort: 'Enabled' });
    // A fragment without the Cilium row cannot be called healthy.
    expect(details.verdict).toBe('failed');
    expect(details.ready).toBe(false);
  });
});

describe('KubeProxyReplacement modes', () => {
  it.each([
    ['True', 'true'],
    ['true', 'true'],
    ['False', 'false'],
    ['STRICT', 'strict'],
    ['Strict', 'strict'],
    ['Partial', 'partial'],
    ['probe', 'probe'],
    ['Disabled', 'disabled'],
    ['Maybe', 'unknown'],
  ])('%s → %s (case-insensitive)', (raw, mode) => {
    expect(normaliseKprMode(raw)).toBe(mode);
    const s = parseAgentStatusText(`Cilium:   Ok   OK\nKubeProxyReplacement:   ${raw}`);
    expect(s.kubeProxyReplacement?.mode).toBe(mode);
  });

  it('reads "Partial () []" from old agents as partial with nothing listed', () => {
    const s = parseAgentStatusText('KubeProxyReplacement:   Partial   ()   []');
    expect(s.kubeProxyReplacement).toMatchObject({ mode: 'partial', coverage: 'partial', devices: [], features: [] });
  });
});

describe('masquerading, IPAM and routing variants', () => {
  it('reads BPF masquerading with ip-masq-agent and both families', () => {
    const s = parseAgentStatusText('Masquerading:   BPF (ip-masq-agent)   [eth0, eth1]   10.0.0.0/16 fd00::/48 [IPv4: Enabled, IPv6: Enabled]');
    expect(s.masquerading).toMatchObject({ mode: 'bpf', ipMasqAgent: true, devices: ['eth0', 'eth1'], excludedCidrs: ['10.0.0.0/16', 'fd00::/48'], ipv4: true, ipv6: true });
  });

  it('reads disabled masquerading', () => {
    expect(parseAgentStatusText('Masquerading:   Disabled').masquerading).toMatchObject({ mode: 'disabled', ipv4: false, ipv6: false });
  });

  it('reads native routing and netkit', () => {
    const s = parseAgentStatusText('Routing:   Network: Native   Host: BPF\nAttach Mode:   Legacy TC\nDevice Mode:   netkit');
    expect(s.routing).toMatchObject({ network: 'native', tunnelProtocol: null, host: 'bpf' });
    expect(s.attachMode).toBe('tc');
    expect(s.deviceMode).toBe('netkit');
  });

  it('reads IPAM without counts (multi-pool style)', () => {
    const s = parseAgentStatusText('IPAM:   IPv4: 10.101.229.0/24, IPv6: fd00:101:224:5::/64');
    expect(s.ipam?.ipv4).toEqual({ allocated: null, total: null, cidr: '10.101.229.0/24' });
    expect(s.ipam?.ipv6).toEqual({ allocated: null, total: null, cidr: 'fd00:101:224:5::/64' });
  });

  it('fails on Cilium: Failure', () => {
    const s = parseAgentStatusText('Cilium:   Failure   Kubernetes APIs not ready\nController Status:   3/3 healthy');
    expect(s.verdict).toBe('failed');
    expect(s.ready).toBe(false);
    expect(s.errors[0]).toBe('Cilium: Failure (Kubernetes APIs not ready)');
  });
});

describe('parseAgentStatusJson', () => {
  it('agrees with the text for the same agent (constructed JSON for the 1.17.7 fixture)', () => {
    const j = parseAgentStatusJson(fixture(DIR, 'constructed-v1.17.7.json'));
    const t = parseAgentStatusText(fixture(DIR, 'blog-capi-azure-v1.17.7.txt'));
    expect(j.problems).toEqual([]);
    expect(j.verdict).toBe('ok');
    expect(j.version).toBe(t.version);
    expect(j.ready).toBe(true);
    expect(j.kubeProxyReplacement).toMatchObject({ mode: t.kubeProxyReplacement!.mode, coverage: 'full', devices: t.kubeProxyReplacement!.devices });
    expect({ ...j.masquerading, raw: '' }).toEqual({ ...t.masquerading, raw: '' });
    expect(j.ipam?.ipv4).toEqual(t.ipam?.ipv4);
    expect({ ...j.routing, raw: '' }).toEqual({ ...t.routing, raw: '' });
    expect(j.deviceMode).toBe(t.deviceMode);
    expect(j.attachMode).toBe(t.attachMode);
    expect(j.clusterHealth).toEqual({ reachable: null, total: 5, state: 'Ok', message: '' });
    expect(j.controllers).toEqual({ healthy: 2, total: 2, failing: [] });
  });

  it('reads failing controllers, old KPR modes and host-routing from older agents', () => {
    const s = parseAgentStatusJson(
      JSON.stringify({
        cilium: { state: 'Warning', msg: '1.13.4 (v1.13.4-4061cdfc)' },
        'kube-proxy-replacement': { mode: 'Strict', devices: ['eth0'], directRoutingDevice: 'eth0' },
        masquerading: { enabled: true, mode: 'iptables', enabledProtocols: { ipv4: true, ipv6: false } },
        'host-routing': { mode: 'Legacy' },
        controllers: [
          { name: 'ok-one', status: { 'success-count': 3 } },
          { name: 'bad-one', status: { 'consecutive-failure-count': 4, 'last-failure-msg': 'boom' } },
        ],
      }),
    );
    expect(s.kubeProxyReplacement).toMatchObject({ mode: 'strict', coverage: 'full', devices: [{ name: 'eth0', ips: [], directRouting: true }] });
    expect(s.masquerading).toMatchObject({ mode: 'iptables', ipv4: true, ipv6: false });
    expect(s.routing).toMatchObject({ host: 'legacy', network: null });
    expect(s.controllers).toMatchObject({ healthy: 1, total: 2, failing: [{ name: 'bad-one', consecutiveFailures: 4, message: 'boom' }] });
    expect(s.verdict).toBe('degraded');
    expect(s.ready).toBe(false);
  });

  it.each([
    ['', 'empty input'],
    ['Error: Cannot get status: Get "http:///var/run/cilium/cilium.sock/v1/healthz": dial unix /var/run/cilium/cilium.sock: connect: no such file or directory', 'no JSON object'],
    ['{"cilium": {"state": "Ok"', 'invalid JSON'],
  ])('reports %j without throwing', (input, reason) => {
    const s = parseAgentStatusJson(input);
    expect(s.problems[0]?.reason).toContain(reason);
    expect(s.verdict).toBe('failed');
  });
});

/**
 * The only real agent `-o json` outputs found are fragments (see SOURCES.md): the stored copies
 * of the posts stop mid-document. The fixtures keep them as published; these helpers build a
 * parseable document from the fragment's complete parts only, adding nothing but the braces.
 */
/** The complete top-level members (two-space indentation, as the agent prints); the cut last one and anything before the first are left out. */
function completeTopLevelMembers(fragment: string): string {
  const lines = fragment.split('\n');
  const starts = lines.flatMap((l, i) => (/^ {2}"[^"]+":/.test(l) ? [i] : []));
  return `{\n${lines.slice(starts[0], starts[starts.length - 1]).join('\n').replace(/,\s*$/, '')}\n}`;
}

/** The complete elements of a top-level array (four-space indentation): from a "    {" line to its "    }" line. */
function completeArrayElements(fragment: string): string[] {
  const out: string[] = [];
  let open: string[] | null = null;
  for (const line of fragment.split('\n')) {
    if (line === '    {') open = [line];
    else if (open && /^ {4}\},?$/.test(line)) {
      out.push([...open, '    }'].join('\n'));
      open = null;
    } else open?.push(line);
  }
  return out;
}

describe('parseAgentStatusJson on real outputs (fragments)', () => {
  const head = fixture(DIR, 'cilium-35873-v1.16-json-1-head.partial.json');
  const controllers = fixture(DIR, 'cilium-35873-v1.16-json-2-controllers.partial.json');
  const tail = fixture(DIR, 'cilium-35873-v1.16-json-3-kpr-to-proxy.partial.json');
  const cluster = fixture(DIR, 'cilium-13171-v1.8.3-json-cluster.partial.json');
  const DEFAULTED =
    'Defaulted container "cilium-agent" out of: cilium-agent, config (init), apply-sysctl-overwrites (init), mount-bpf-fs (init), clean-cilium-state (init), install-cni-binaries (init)';

  it('skips kubectl\'s "Defaulted container" line and reports the cut document (cilium/cilium#35873, as stored)', () => {
    const s = parseAgentStatusJson(head);
    expect(s.problems[0]).toEqual({ line: 1, text: DEFAULTED, reason: 'text before the JSON object ignored' });
    expect(s.problems[1]?.reason).toMatch(/^invalid JSON/);
    expect(s.problems).toHaveLength(2);
    expect(s.attachMode).toBeNull();
    expect(s.verdict).toBe('failed');
    expect(s.ready).toBe(false);
  });

  it('reads the attach mode from the complete members of the head, after the kubectl line', () => {
    const s = parseAgentStatusJson(`${head.split('\n')[0]}\n${completeTopLevelMembers(head)}`);
    expect(s.problems.map((p) => p.reason)).toEqual(['text before the JSON object ignored']);
    expect(s.attachMode).toBe('tcx');
    expect(s.fields['attach-mode']).toBe('tcx');
    // No "cilium" member in this part: nothing says the agent is up.
    expect(s.cilium).toBeNull();
    expect(s.errors).toEqual(['no Cilium row in the agent status']);
  });

  it('reads Kubernetes, KVStore and BPF masquerading as a 1.16 agent writes them', () => {
    expect(/^ {4}"mode": "(\w+)"$/m.exec(tail)?.[1]).toBe('True');
    expect(normaliseKprMode('True')).toBe('true');
    const s = parseAgentStatusJson(completeTopLevelMembers(tail));
    expect(s.problems).toEqual([]);
    expect(s.kubernetes).toEqual({ state: 'Ok', message: '1.31 (v1.31.1) [linux/amd64]' });
    expect(s.kvstore).toEqual({ state: 'Ok', message: 'Disabled' });
    // "enabledProtocols" has only "ipv4": a false ipv6 is left out by the agent, and means off.
    expect(s.masquerading).toMatchObject({ mode: 'bpf', ipMasqAgent: false, excludedCidrs: ['10.244.0.0/16'], ipv4: true, ipv6: false });
    expect(s.kubeProxyReplacement).toBeNull();
  });

  it('counts controllers without "consecutive-failure-count" (left out when 0) as healthy', () => {
    const elements = completeArrayElements(controllers);
    expect(elements.map((e) => (JSON.parse(e) as { name: string }).name)).toEqual(['resolve-identity-754', 'daemon-validate-config']);
    expect(controllers).not.toContain('consecutive-failure-count');
    const s = parseAgentStatusJson(`{"controllers": [${elements.join(',')}]}`);
    expect(s.problems).toEqual([]);
    expect(s.controllers).toEqual({ healthy: 2, total: 2, failing: [] });
  });

  it('reads cluster health when "nodes" is null (cilium/cilium#13171, Cilium 1.8.3)', () => {
    const s = parseAgentStatusJson(`{${cluster.trim().replace(/,$/, '')}}`);
    expect(s.problems).toEqual([]);
    expect(s.healthDaemon).toEqual({ state: 'Ok', message: '' });
    expect(s.clusterHealth).toEqual({ reachable: null, total: null, state: 'Ok', message: '' });
  });

  it('never throws on any cut of the fragments', () => {
    for (const text of [head, controllers, tail, cluster]) {
      for (let i = 0; i <= text.length; i += 3) expect(() => parseAgentStatusJson(text.slice(0, i))).not.toThrow();
    }
  });
});

describe('parseAgentStatusText on bad input', () => {
  it('turns error output from the agent CLI or kubectl into a failed verdict', () => {
    const s = parseAgentStatusText(
      [
        'Defaulted container "cilium-agent" out of: cilium-agent, config (init)',
        'Error: Cannot get status: Get "http://localhost/v1/healthz": dial unix /var/run/cilium/cilium.sock: connect: connection refused',
        'command terminated with exit code 1',
      ].join('\n'),
    );
    expect(s.problems).toEqual([]);
    expect(s.commandErrors).toEqual([
      'Cannot get status: Get "http://localhost/v1/healthz": dial unix /var/run/cilium/cilium.sock: connect: connection refused',
      'command terminated with exit code 1',
    ]);
    expect(s.verdict).toBe('failed');
    expect(s.errors[0]).toMatch(/^command error: Cannot get status/);
    const j = parseAgentStatusJson('error: unable to upgrade connection: container not found ("cilium-agent")');
    expect(j.commandErrors).toEqual(['unable to upgrade connection: container not found ("cilium-agent")']);
  });

  it('reports unknown lines with their numbers', () => {
    const s = parseAgentStatusText('Cilium:   Ok   OK\n%%% garbage %%%\n\tController Status:   2/2 healthy');
    expect(s.problems).toEqual([{ line: 2, text: '%%% garbage %%%', reason: 'unrecognised line' }]);
    expect(s.controllers?.total).toBe(2);
  });

  it('survives every truncation of a real output', () => {
    const text = fixture(DIR, 'cilium-21651-v1.12.2-verbose.txt');
    for (let i = 0; i <= text.length; i += 5) expect(() => parseAgentStatusText(text.slice(0, i))).not.toThrow();
  });
});
