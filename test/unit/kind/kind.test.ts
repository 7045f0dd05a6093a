import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kindConfigYaml, kindCreateArgv, kindDeleteArgv, kindExportArgv } from '../../../src/main/core/kind/config';
import { kindPreflight } from '../../../src/main/core/kind/preflight';
import { LabError } from '../../../src/shared/errors';
import type { KindClusterOptions } from '../../../src/shared/api';

const base: KindClusterOptions = { name: 'lab', workers: 2, disableDefaultCNI: true, kubeProxyMode: 'none', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' };

describe('kind config for a Cilium lab', () => {
  it('renders the documented Cilium-ready shape', () => {
    const doc = parse(kindConfigYaml(base));
    expect(doc).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'lab',
      nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }],
      networking: { disableDefaultCNI: true, kubeProxyMode: 'none', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' },
    });
    expect(kindConfigYaml(base)).toContain('# kubeProxyMode none: install Cilium with kubeProxyReplacement=true');
  });

  it('keeps kube-proxy and kindnet when asked, and pins a node image', () => {
    const doc = parse(kindConfigYaml({ ...base, workers: 0, disableDefaultCNI: false, kubeProxyMode: 'iptables', nodeImage: 'kindest/node:v1.34.0' }));
    expect(doc.nodes).toEqual([{ role: 'control-plane', image: 'kindest/node:v1.34.0' }]);
    expect(doc.networking).toMatchObject({ disableDefaultCNI: false, kubeProxyMode: 'iptables' });
  });

  it.each([
    [{ name: 'Lab' }, 'must be a DNS label'],
    [{ name: 'lab_1' }, 'must be a DNS label'],
    [{ name: '-lab' }, 'must be a DNS label'],
    [{ name: 'lab; rm -rf /' }, 'must be a DNS label'],
    [{ name: 'a'.repeat(41) }, 'at most 40'],
    [{ podSubnet: '10.244.0.0' }, 'podSubnet "10.244.0.0" is not a CIDR'],
    [{ serviceSubnet: 'ten' }, 'serviceSubnet "ten" is not a CIDR'],
    [{ podSubnet: '10.96.0.0/12' }, 'overlap'],
    [{ podSubnet: '10.244.0.0/24' }, 'too small'],
  ])('refuses %j', (patch, message) => {
    let err: unknown;
    try {
      kindConfigYaml({ ...base, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('INVALID_REQUEST');
    expect((err as LabError).message).toContain(message);
  });

  it('builds argv with the kubeconfig always explicit', () => {
    expect(kindCreateArgv('lab', '/c/kind/lab.yaml', '/home/u/.kube/config')).toEqual(['create', 'cluster', '--name', 'lab', '--config', '/c/kind/lab.yaml', '--kubeconfig', '/home/u/.kube/config', '--wait', '120s']);
    expect(kindDeleteArgv('lab', '/k')).toEqual(['delete', 'cluster', '--name', 'lab', '--kubeconfig', '/k']);
    expect(kindExportArgv('lab', '/k')).toEqual(['export', 'kubeconfig', '--name', 'lab', '--kubeconfig', '/k']);
  });
});

describe('kind preflight', () => {
  function fakeRoot(files: Record<string, string>) {
    const root = mkdtempSync(join(tmpdir(), 'dlab-root-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    return root;
  }
  const healthy = {
    '/proc/sys/fs/inotify/max_user_watches': '524288\n',
    '/proc/sys/fs/inotify/max_user_instances': '512\n',
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
    '/proc/meminfo': 'MemTotal:       16318412 kB\nMemFree:         1000000 kB\nMemAvailable:   12000000 kB\n',
  };

  it('passes a healthy host (engine check aside)', async () => {
    const checks = await kindPreflight({ provider: undefined, kindPath: '/usr/local/bin/kind', enginePath: null, root: fakeRoot(healthy), workers: 2 });
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(by.kind!.status).toBe('pass');
    expect(by.provider).toMatchObject({ status: 'fail', detail: 'docker was not found' });
    expect(by.inotify!.status).toBe('pass');
    expect(by.cgroup!.status).toBe('pass');
    expect(by.memory).toMatchObject({ status: 'pass' });
  });

  it('flags low inotify limits, cgroup v1 and little memory, each with a fix', async () => {
    const root = fakeRoot({
      '/proc/sys/fs/inotify/max_user_watches': '8192\n',
      '/proc/sys/fs/inotify/max_user_instances': '128\n',
      '/proc/meminfo': 'MemAvailable:    2097152 kB\n',
    });
    const checks = await kindPreflight({ provider: 'podman', kindPath: null, enginePath: null, root, workers: 2 });
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(by.kind).toMatchObject({ status: 'fail' });
    expect(by.kind!.fix).toContain('kind.sigs.k8s.io');
    expect(by.provider).toMatchObject({ status: 'fail', detail: 'podman was not found (KIND_EXPERIMENTAL_PROVIDER=podman)' });
    expect(by.inotify).toMatchObject({ status: 'warn', fix: 'sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512' });
    expect(by.cgroup).toMatchObject({ status: 'warn' });
    expect(by.memory).toMatchObject({ status: 'warn' });
    expect(by.memory!.detail).toContain('2.0 GiB available');
  });

  it('refuses an unknown KIND_EXPERIMENTAL_PROVIDER', async () => {
    const checks = await kindPreflight({ provider: 'lxc', kindPath: '/k', enginePath: null, root: fakeRoot(healthy), workers: 0 });
    expect(checks.find((c) => c.id === 'provider')).toMatchObject({ status: 'fail', detail: 'KIND_EXPERIMENTAL_PROVIDER=lxc is not docker, podman or nerdctl' });
  });
});
