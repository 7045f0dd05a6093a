import { describe, expect, it } from 'vitest';
import {
  agentCliBinary,
  agentServiceListCommand,
  agentStatusCommand,
  agentStatusCommandsWithFallback,
  ciliumStatusCommand,
  connectivityTestCommands,
  hubbleObserveCommand,
  isMissingBinaryFailure,
  validateDns1123Label,
  type DataplaneCommand,
} from '../../../src/main/core/dataplane';
import { LabError } from '../../../src/shared/errors';
import { TOOLS } from '../../../src/main/core/runner/tools';

function noKubeFlags(c: DataplaneCommand) {
  expect(c.args.some((a) => /^--(kubeconfig|context|kube-context)\b/.test(a))).toBe(false);
  expect(Object.keys(TOOLS)).toContain(c.tool);
}

describe('cilium status', () => {
  it('waits five minutes by default', () => {
    const c = ciliumStatusCommand();
    expect(c).toEqual({ tool: 'cilium', args: ['status', '--wait', '--wait-duration', '5m'], title: 'cilium status' });
    noKubeFlags(c);
  });

  it('JSON output, other namespace, no wait', () => {
    expect(ciliumStatusCommand({ output: 'json', wait: false, namespace: 'cilium' }).args).toEqual(['status', '-o', 'json', '--namespace', 'cilium']);
    expect(ciliumStatusCommand({ output: 'json', waitDuration: '90s' }).args).toEqual(['status', '--wait', '--wait-duration', '90s', '-o', 'json']);
  });

  it.each(['5', '5 m', '-5m', '5m; rm -rf /', '0m', ''])('rejects wait duration %j', (d) => {
    expect(() => ciliumStatusCommand({ waitDuration: d })).toThrow(LabError);
  });
});

describe('agent commands', () => {
  it('cilium-dbg status through the agent DaemonSet container', () => {
    const c = agentStatusCommand();
    expect(c.args).toEqual(['-n', 'kube-system', 'exec', 'ds/cilium', '-c', 'cilium-agent', '--', 'cilium-dbg', 'status']);
    expect(c.tool).toBe('kubectl');
    noKubeFlags(c);
    expect(agentStatusCommand({ verbose: true, output: 'json', namespace: 'cilium-system' }).args).toEqual([
      '-n',
      'cilium-system',
      'exec',
      'ds/cilium',
      '-c',
      'cilium-agent',
      '--',
      'cilium-dbg',
      'status',
      '--verbose',
      '-o',
      'json',
    ]);
  });

  it.each([
    ['1.14.5', 'cilium'],
    ['v1.13.0', 'cilium'],
    ['1.15.0-rc.1', 'cilium-dbg'],
    ['1.18.2', 'cilium-dbg'],
    ['2.0.0', 'cilium-dbg'],
    [undefined, 'cilium-dbg'],
  ])('version %s uses %s', (version, binary) => {
    expect(agentCliBinary(version)).toBe(binary);
    expect(agentStatusCommand({ ciliumVersion: version }).args[7]).toBe(binary);
  });

  it('offers cilium status as the fallback for agents older than 1.15', () => {
    const [first, fallback] = agentStatusCommandsWithFallback({ verbose: true });
    expect(first.args.slice(7)).toEqual(['cilium-dbg', 'status', '--verbose']);
    expect(fallback.args.slice(7)).toEqual(['cilium', 'status', '--verbose']);
    expect(isMissingBinaryFailure(126, '')).toBe(true);
    expect(isMissingBinaryFailure(1, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "cilium-dbg": executable file not found in $PATH')).toBe(true);
    expect(isMissingBinaryFailure(1, 'Error: Cannot get status')).toBe(false);
  });

  it('service list', () => {
    expect(agentServiceListCommand().args).toEqual(['-n', 'kube-system', 'exec', 'ds/cilium', '-c', 'cilium-agent', '--', 'cilium-dbg', 'service', 'list']);
    expect(agentServiceListCommand({ ciliumVersion: '1.14.8', output: 'json' }).args.slice(7)).toEqual(['cilium', 'service', 'list', '-o', 'json']);
  });

  it('rejects bad names and versions', () => {
    expect(() => agentStatusCommand({ namespace: 'Kube-System' })).toThrow(/DNS-1123 label/);
    expect(() => agentStatusCommand({ daemonSet: 'cilium; id' })).toThrow(LabError);
    expect(() => agentStatusCommand({ container: '--privileged' })).toThrow(LabError);
    expect(() => agentStatusCommand({ ciliumVersion: 'latest' })).toThrow(/Cilium version/);
  });
});

describe('hubble observe', () => {
  it('JSON, last 100 by default', () => {
    const c = hubbleObserveCommand();
    expect(c).toEqual({ tool: 'hubble', args: ['observe', '-o', 'json', '--last', '100'], title: 'hubble observe' });
    noKubeFlags(c);
  });

  it('namespace, dropped only, port-forward', () => {
    expect(hubbleObserveCommand({ last: 20, namespace: 'cilium-test-1', verdict: 'DROPPED', portForward: true }).args).toEqual([
      'observe',
      '-o',
      'json',
      '--last',
      '20',
      '--namespace',
      'cilium-test-1',
      '--verdict',
      'DROPPED',
      '--port-forward',
    ]);
  });

  it.each([0, -1, 10_001, 1.5, Number.NaN, '10' as unknown as number])('rejects --last %j', (last) => {
    expect(() => hubbleObserveCommand({ last })).toThrow(/whole number from 1 to 10000/);
  });

  it('rejects a bad namespace and verdict', () => {
    expect(() => hubbleObserveCommand({ namespace: 'a'.repeat(64) })).toThrow(LabError);
    expect(() => hubbleObserveCommand({ namespace: '-n' })).toThrow(LabError);
    expect(() => hubbleObserveCommand({ verdict: 'dropped' as never })).toThrow(/verdict/);
  });
});

describe('connectivity step', () => {
  it('deploys, waits, resolves, requests and cleans up in its own namespace', () => {
    const s = connectivityTestCommands();
    expect(s.namespace).toBe('datapath-lab-check');
    expect(s.serviceHost).toBe('echo.datapath-lab-check.svc.cluster.local');
    expect(s.setup.map((c) => c.args)).toEqual([
      ['create', 'namespace', 'datapath-lab-check'],
      ['-n', 'datapath-lab-check', 'create', 'deployment', 'echo', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--port=8080', '--', '/agnhost', 'netexec', '--http-port=8080'],
      ['-n', 'datapath-lab-check', 'expose', 'deployment', 'echo', '--port=80', '--target-port=8080'],
      ['-n', 'datapath-lab-check', 'create', 'deployment', 'client', '--image=docker.io/library/busybox:1.36', '--', 'sleep', '3600'],
    ]);
    expect(s.wait.map((c) => c.args)).toEqual([
      ['-n', 'datapath-lab-check', 'rollout', 'status', 'deployment/echo', '--timeout=120s'],
      ['-n', 'datapath-lab-check', 'rollout', 'status', 'deployment/client', '--timeout=120s'],
    ]);
    expect(s.checks.map((c) => c.args)).toEqual([
      ['-n', 'datapath-lab-check', 'exec', 'deploy/client', '--', 'nslookup', 'echo.datapath-lab-check.svc.cluster.local'],
      ['-n', 'datapath-lab-check', 'exec', 'deploy/client', '--', 'wget', '-q', '-O', '-', '-T', '5', 'http://echo.datapath-lab-check.svc.cluster.local/'],
    ]);
    expect(s.cleanup.map((c) => c.args)).toEqual([['delete', 'namespace', 'datapath-lab-check', '--ignore-not-found', '--wait=false']]);
    for (const c of [...s.setup, ...s.wait, ...s.checks, ...s.cleanup]) {
      expect(c.tool).toBe('kubectl');
      noKubeFlags(c);
    }
  });

  it('getent and curl, other namespace and cluster domain', () => {
    const s = connectivityTestCommands({ namespace: 'np-lab', dnsTool: 'getent', httpTool: 'curl', clusterDomain: 'corp.example', clientImage: 'curlimages/curl:8.10.1', requestTimeoutSeconds: 3 });
    expect(s.checks.map((c) => c.args.slice(5))).toEqual([
      ['getent', 'hosts', 'echo.np-lab.svc.corp.example'],
      ['curl', '-sS', '--fail', '--max-time', '3', 'http://echo.np-lab.svc.corp.example/'],
    ]);
  });

  it.each([
    [{ namespace: 'Bad_NS' }, /DNS-1123 label/],
    [{ namespace: '' }, /DNS-1123 label/],
    [{ clusterDomain: 'cluster..local' }, /subdomain/],
    [{ serverPort: 70000 }, /1 to 65535/],
    [{ serverImage: '--help' }, /image/],
    [{ clientImage: 'busybox latest' }, /image/],
    [{ rolloutTimeoutSeconds: 0 }, /rollout timeout/],
    [{ dnsTool: 'dig' as never }, /DNS tool/],
    [{ httpTool: 'nc' as never }, /HTTP tool/],
    [{ serverCommand: ['a\nb'] }, /server command/],
  ])('rejects %j', (opts, message) => {
    expect(() => connectivityTestCommands(opts)).toThrow(message);
  });

  it('errors are typed LabErrors with a fix', () => {
    try {
      validateDns1123Label('UPPER');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('INVALID_REQUEST');
      expect((err as LabError).fix).toMatch(/DNS-1123/);
    }
  });
});
