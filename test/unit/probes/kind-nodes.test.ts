import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FACT_KEYS } from '../../../src/main/core/facts/types';
import { btfSearchPaths } from '../../../src/main/core/probes/host';
import { kernelConfigSearchPaths } from '../../../src/main/core/facts/kernel-config';
import {
  engineFailure,
  kindNodeExecArgv,
  kindNodeListArgv,
  NODE_SCRIPT,
  parseIpAddrOneline,
  parseKindNodeList,
  parseNodeScript,
  parseSysClassNetLines,
  readKindNodeFacts,
  splitSections,
} from '../../../src/main/core/probes/kind-nodes';
import { resolveTool } from '../../../src/main/core/runner/tools';
import type { ExecResult } from '../../../src/main/core/exec';

const FIX = join(__dirname, '../../fixtures/probes');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');

describe('node script', () => {
  it('is one fixed script whose search lists are the probes’ own (kubeadm config order, cilium/ebpf BTF order)', () => {
    expect(NODE_SCRIPT).toContain(`for p in ${btfSearchPaths('$K').join(' ')}; do`);
    expect(NODE_SCRIPT).toContain(`for p in ${kernelConfigSearchPaths('$K').join(' ')}; do`);
    // Only reads: no redirection into files, no package managers, no writes to /proc or /sys.
    expect(NODE_SCRIPT).not.toMatch(/>\s*\/(?!dev\/null)/);
    expect(NODE_SCRIPT).not.toMatch(/\b(rm|mount|modprobe|apt|apk|dnf|sysctl -w|tee)\b/);
  });

  it('composes argv, never a shell string built from input: the node name is one argv element, the script another', () => {
    expect(kindNodeListArgv('lab')).toEqual(['ps', '--filter', 'label=io.x-k8s.kind.cluster=lab', '--format', '{{.Names}}']);
    const evil = 'lab-worker; rm -rf /';
    const argv = kindNodeExecArgv(evil);
    expect(argv).toEqual(['exec', evil, 'sh', '-c', NODE_SCRIPT, 'sh']);
    expect(NODE_SCRIPT).not.toContain(evil);
    // The cluster name only ever lands inside the --filter value.
    expect(kindNodeListArgv('x $(id)')).toContain('label=io.x-k8s.kind.cluster=x $(id)');
  });

  it('lists node containers without kind’s external load balancer', () => {
    expect(parseKindNodeList('lab-worker\nlab-control-plane\nlab-external-load-balancer\nlab-worker2\n')).toEqual([
      'lab-control-plane',
      'lab-worker',
      'lab-worker2',
    ]);
  });

  it('parses the real iproute2 output (kind node image has ip -j)', () => {
    const f = parseNodeScript(fixture('node-script-iproute2.txt'), 'docker exec lab-worker');
    expect(f.release).toMatchObject({ state: 'known', value: '6.18.44-fc-v669' });
    expect(f.btf).toMatchObject({ state: 'known', value: { present: true, path: '/sys/kernel/btf/vmlinux', searched: btfSearchPaths('6.18.44-fc-v669') } });
    expect(f.config.state).toBe('known');
    if (f.config.state === 'known') {
      expect(f.config.value.path).toBe('/proc/config.gz');
      expect(f.config.value.searched).toEqual(['/proc/config.gz']);
      expect(f.config.value.optionCount).toBeGreaterThan(1000);
      expect(f.config.value.options.BPF_SYSCALL).toBe('y');
    }
    expect(f.cgroup).toMatchObject({ state: 'known', value: { mode: 'hybrid', v2Mount: '/sys/fs/cgroup/unified', controllers: ['hugetlb'] } });
    expect(f.interfaces.state === 'known' && f.interfaces.value.find((i) => i.name === 'eth0')).toMatchObject({ mtu: 1400, state: 'up' });
    expect(f.interfaces.state === 'known' && f.interfaces.value.find((i) => i.name === 'ifb0')).toMatchObject({ kind: 'ifb' });
    expect(f.addresses.state === 'known' && f.addresses.value.filter((a) => a.device === 'eth0').map((a) => a.address)).toEqual(['192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1']);
    expect(f.route).toMatchObject({ state: 'known', value: { ipv4: { device: 'eth0', gateway: '192.0.2.1' }, ipv6: { device: 'eth0', gateway: 'fd00::1' } } });
    expect(f.route.state === 'known' && f.route.source).toContain('ip -j route');
  });

  it('parses the busybox fallbacks (/sys/class/net, ip -o addr, /proc/net/route) to the same facts', () => {
    const a = parseNodeScript(fixture('node-script-iproute2.txt'), 'x');
    const b = parseNodeScript(fixture('node-script-busybox.txt'), 'x');
    expect(b.release).toEqual(a.release);
    expect(b.config.state === 'known' && b.config.value.options).toEqual(a.config.state === 'known' && a.config.value.options);
    expect(b.interfaces.state === 'known' && b.interfaces.source).toContain('/sys/class/net');
    const mtu = (f: typeof a) => (f.interfaces.state === 'known' ? Object.fromEntries(f.interfaces.value.map((i) => [i.name, [i.mtu, i.state]])) : null);
    expect(mtu(b)).toEqual(mtu(a));
    expect(b.addresses.state === 'known' && b.addresses.value).toEqual(a.addresses.state === 'known' && a.addresses.value);
    expect(b.route.state === 'known' && b.route.value).toEqual(a.route.state === 'known' && a.route.value);
    expect(b.route.state === 'known' && b.route.source).toContain('/proc/net/route');
  });

  it('parses the debug-pod run (root /host): same kernel facts', () => {
    const f = parseNodeScript(fixture('node-script-debugpod-busybox.txt'), 'debug pod');
    expect(f.release).toMatchObject({ state: 'known', value: '6.18.44-fc-v669' });
    expect(f.btf).toMatchObject({ state: 'known', value: { present: true } });
    expect(f.config.state).toBe('known');
    expect(f.cgroup.state === 'known' && f.cgroup.value.mode).toBe('hybrid');
  });

  it('says what is missing when a section is empty or broken', () => {
    const out = '@@dl:release\n5.15.0-1052-azure\n@@dl:btf\n@@dl:config\n@@dl:mounts\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n@@dl:cgroup-controllers\n/sys/fs/cgroup cpu memory\n@@dl:end\n';
    const f = parseNodeScript(out, 'docker exec n', ' (only /proc, /sys, /boot and /lib/modules are mounted)');
    expect(f.btf).toMatchObject({ state: 'known', value: { present: false, path: null } });
    expect(f.config).toMatchObject({ state: 'unknown', reason: 'not-found' });
    expect(f.config.state === 'unknown' && f.config.detail).toContain('only /proc, /sys');
    expect(f.cgroup).toMatchObject({ state: 'known', value: { mode: 'v2', controllers: ['cpu', 'memory'] } });
    expect(f.interfaces.state).toBe('unknown');
    expect(parseNodeScript('', 'x').release.state).toBe('unknown');
    expect(parseNodeScript('@@dl:release\n6.1.0\n@@dl:config\n/boot/config-6.1.0\n!!!notbase64\n', 'x').config.state).toBe('unknown');
    expect(splitSections('@@dl:a\n1\n2\n@@dl:b\n').get('a')).toBe('1\n2');
  });

  it('parses ip -o addr and /sys/class/net lines', () => {
    expect(parseIpAddrOneline('5: vxlan.calico    inet 10.1.2.3/32 scope global vxlan.calico\\       valid_lft forever\n7: eth0@if8    inet 10.244.1.5/24 brd 10.244.1.255 scope global eth0')).toEqual([
      { device: 'vxlan.calico', address: '10.1.2.3', prefixLength: 32, family: 'ipv4' },
      { device: 'eth0', address: '10.244.1.5', prefixLength: 24, family: 'ipv4' },
    ]);
    expect(parseSysClassNetLines('cilium_vxlan 1500 unknown 1 vxlan\nlo 65536 unknown 772 ')).toEqual([
      { name: 'cilium_vxlan', mtu: 1500, kind: 'vxlan', state: 'unknown', parent: null },
      { name: 'lo', mtu: 65536, kind: 'loopback', state: 'unknown', parent: null },
    ]);
  });
});

describe('readKindNodeFacts', () => {
  const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0, timedOut: false });

  it('runs the script in every node container and keys the facts by container name', async () => {
    const calls: string[][] = [];
    const out = fixture('node-script-iproute2.txt');
    const r = await readKindNodeFacts({
      cluster: 'lab',
      enginePath: '/usr/bin/docker',
      exec: async (file, args) => {
        calls.push([file, ...args]);
        if (args[0] === 'ps') return ok('lab-control-plane\nlab-worker\n');
        if (args[1] === 'lab-worker') return { stdout: '', stderr: 'Error response from daemon: container abc is not running', code: 1, timedOut: false };
        return ok(out);
      },
    });
    expect(calls[0]).toEqual(['/usr/bin/docker', ...kindNodeListArgv('lab')]);
    expect(calls.slice(1).map((c) => c.slice(0, 3))).toEqual(expect.arrayContaining([['/usr/bin/docker', 'exec', 'lab-control-plane'], ['/usr/bin/docker', 'exec', 'lab-worker']]));
    expect(r.nodes).toEqual(['lab-control-plane', 'lab-worker']);
    const rel = r.facts['node.kernel.release'];
    expect(rel?.state).toBe('known');
    if (rel?.state === 'known') {
      expect(rel.value['lab-control-plane']).toMatchObject({ state: 'known', value: '6.18.44-fc-v669' });
      expect(rel.value['lab-worker']).toMatchObject({ state: 'unknown', reason: 'error', detail: 'docker: container abc is not running' });
    }
  });

  it('with the real docker client and no engine: every node fact unknown with docker’s own words', async () => {
    const docker = resolveTool('docker').path;
    if (!docker) return; // the client is installed on the dev machine and in CI
    const r = await readKindNodeFacts({ cluster: 'lab', enginePath: docker, timeoutMs: 15_000 });
    for (const k of NODE_FACT_KEYS) {
      const f = r.facts[k];
      expect(f).toMatchObject({ state: 'unknown', reason: 'unreachable' });
      expect(f?.state === 'unknown' && f.detail).toMatch(/^docker: Cannot connect to the Docker daemon/);
    }
  });

  it('without any engine: not-found with the install hint', async () => {
    const r = await readKindNodeFacts({ cluster: 'lab', enginePath: '/nonexistent/docker', exec: async () => ({ stdout: '', stderr: 'spawn /nonexistent/docker ENOENT', code: null, timedOut: false }) });
    expect(r.facts['node.kernel.release']).toMatchObject({ state: 'unknown', reason: 'error', detail: 'docker: spawn /nonexistent/docker ENOENT' });
    expect(engineFailure('podman', { stdout: '', stderr: 'Error: unable to connect to Podman socket', code: 125, timedOut: false })).toBe('podman: unable to connect to Podman socket');
  });
});
