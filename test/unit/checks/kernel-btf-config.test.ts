import { describe, expect, it } from 'vitest';
import { kernelBtf } from '../../../src/main/core/checks/kernel-btf';
import { checkOptions, kernelConfig, requiredOptionGroups } from '../../../src/main/core/checks/kernel-config';
import { known, unknown } from '../../../src/shared/facts';
import { clusterFacts, kernelConfigFixture, mergeFactSets, nodeFacts } from './fixtures';

const RHEL8 = 'rhel-8.0_4.18.0-147.5.1.el8_1.config.gz';
const DEB10 = 'debian-10_4.19.249.config.gz';
const UBU2004 = 'ubuntu-20.04_5.4.0-26-generic.config.gz';
const DEB13 = 'debian-13_6.12.43.config.gz';

describe('kernel.btf', () => {
  it('passes when BTF is found in the cilium/ebpf search order', () => {
    const f = kernelBtf.evaluate(nodeFacts({ a: { release: '6.12.43+deb13-amd64', btf: true } }), {});
    expect(f.status).toBe('pass');
    expect(f.evidence.find((e) => e.label === 'BTF found at')?.value).toBe('/sys/kernel/btf/vmlinux (1 node)');
  });

  it('warns without BTF before Cilium 1.20 and fails from 1.20 (CONFIG_DEBUG_INFO_BTF became a base requirement)', () => {
    const facts = nodeFacts({ a: { release: '5.4.0-26-generic', btf: false, config: kernelConfigFixture(UBU2004) } });
    const warn = kernelBtf.evaluate(facts, { ciliumVersion: '1.18' });
    expect(warn.status).toBe('warn');
    expect(warn.details![0]!.summary).toContain('CONFIG_DEBUG_INFO_BTF=n');
    expect(kernelBtf.evaluate(facts, { ciliumVersion: '1.20' }).status).toBe('fail');
  });

  it('falls back to the kernel config when the BTF files were not searched', () => {
    const on = kernelBtf.evaluate(nodeFacts({ a: { config: kernelConfigFixture(DEB13) } }), { ciliumVersion: '1.20' });
    expect(on.status).toBe('pass');
    const off = kernelBtf.evaluate(nodeFacts({ a: { config: kernelConfigFixture(RHEL8) } }), { ciliumVersion: '1.20' });
    expect(off.status).toBe('fail');
    expect(off.details![0]!.summary).toContain('CONFIG_DEBUG_INFO_BTF absent');
  });

  it('is unknown, with the reasons, when no node was reached', () => {
    const f = kernelBtf.evaluate({ 'node.kernel.btf': unknown('forbidden', 'cannot create pods in kube-system (node debug pods need create on pods)') }, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('node.kernel.btf: forbidden: cannot create pods in kube-system');
    expect(f.summary).toContain('node.kernel.config: not gathered');
  });
});

describe('kernel.config on real distro kernel configs', () => {
  const defaults = clusterFacts('cilium/cilium-1.18-default.yaml');

  it.each([
    [RHEL8, '1.18', 'pass'],
    [DEB10, '1.18', 'pass'],
    [UBU2004, '1.18', 'pass'],
    [DEB13, '1.18', 'pass'],
    [RHEL8, '1.20', 'warn'], // no CONFIG_DEBUG_INFO_BTF
    [UBU2004, '1.20', 'warn'], // "# CONFIG_DEBUG_INFO_BTF is not set"
    [DEB13, '1.20', 'pass'],
  ])('%s with Cilium %s defaults: %s', (file, cilium, status) => {
    const f = kernelConfig.evaluate(mergeFactSets(defaults, nodeFacts({ n: { config: kernelConfigFixture(file) } })), { ciliumVersion: cilium });
    expect(f.status, `${f.summary} ${JSON.stringify(f.details)}`).toBe(status);
    expect(f.evidence.find((e) => e.label === 'Config read from')?.value).toBe('/proc/config.gz (1 node)');
  });

  it('netkit needs CONFIG_NETKIT: Debian 10, Ubuntu 20.04 and RHEL 8 lack it, Debian 13 has it', () => {
    const netkit = clusterFacts('cilium/cilium-1.20-netkit.yaml');
    const facts = mergeFactSets(netkit, nodeFacts({ deb10: { config: kernelConfigFixture(DEB10) }, ubu: { config: kernelConfigFixture(UBU2004) }, rhel: { config: kernelConfigFixture(RHEL8) }, deb13: { config: kernelConfigFixture(DEB13) } }));
    const f = kernelConfig.evaluate(facts, {});
    expect(f.status).toBe('fail');
    expect(f.details!.map((d) => d.subject).sort()).toEqual(['deb10', 'rhel', 'ubu']);
    expect(f.details!.find((d) => d.subject === 'deb10')!.summary).toContain('CONFIG_NETKIT absent (netkit datapath)');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Missing or wrong', value: 'CONFIG_NETKIT on 3 nodes' }));
  });

  it('the agent probe wants BPF_JIT built in: a module fails', () => {
    const cfg = kernelConfigFixture(DEB13);
    const facts = mergeFactSets(defaults, nodeFacts({ n: { config: { ...cfg, options: { ...cfg.options, BPF_JIT: 'm', NET_SCH_INGRESS: 'm' } } } }));
    const f = kernelConfig.evaluate(facts, { ciliumVersion: '1.18' });
    expect(f.status).toBe('fail');
    expect(f.details![0]!.summary).toContain('CONFIG_BPF_JIT m (must be built in) (agent start-up (its kernel probe))');
    expect(f.details![0]!.summary).not.toContain('NET_SCH_INGRESS');
  });

  it('IPsec asks for the XFRM set; INET_XFRM_MODE_TUNNEL only before 5.2', () => {
    const ipsec = clusterFacts('cilium/cilium-1.18-ipsec.yaml');
    const groups = requiredOptionGroups(ipsec, '1.18.6');
    expect(groups.map((g) => g.name)).toContain('IPsec encryption');
    const deb13 = kernelConfigFixture(DEB13);
    expect(checkOptions(deb13, groups, '6.12.43+deb13-amd64')).toEqual([]);
    expect(checkOptions(deb13, groups, '4.19.0-25-amd64').map((p) => p.option)).toEqual(['INET_XFRM_MODE_TUNNEL']);
  });

  it('warns about socket-LB on a cgroup v1/hybrid node when kube-proxy is replaced', () => {
    const kpr = clusterFacts('cilium/cilium-1.18-kind-kpr.yaml');
    const f = kernelConfig.evaluate(mergeFactSets(kpr, nodeFacts({ v2: { config: kernelConfigFixture(DEB13), cgroup: 'v2' }, hyb: { config: kernelConfigFixture(DEB13), cgroup: 'hybrid' } })), {});
    expect(f.status).toBe('warn');
    expect(f.details).toEqual([expect.objectContaining({ subject: 'hyb', summary: expect.stringContaining('socket-LB, which needs cgroup v2') })]);
  });

  it('says where the config came from, or why there is none', () => {
    const missing = kernelConfig.evaluate(
      mergeFactSets(defaults, { 'node.kernel.config': known({ n: unknown('not-found', 'no kernel config in any of /proc/config.gz, /boot/config-6.1.0-18-amd64, …', 'kubeadm kernel config search order') }, 'node probe') }),
      {},
    );
    expect(missing.status).toBe('unknown');
    expect(missing.details![0]!.summary).toContain('node.kernel.config: not-found: no kernel config in any of /proc/config.gz');
  });
});
