import { describe, expect, it } from 'vitest';
import { IPTABLES_SERVICE_WARN, judgeKpr, kubeproxyStatus } from '../../../src/main/core/checks/kubeproxy-status';
import { known, unknown } from '../../../src/shared/facts';
import { clusterFacts, loadYaml, withStatus } from './fixtures';

const kubeadm = (mode: string, ready = 3) => withStatus(loadYaml(`kubeadm/kubeadm-${mode}.yaml`), { 'DaemonSet/kube-proxy': { desired: 3, ready }, 'Deployment/coredns': { desired: 2, ready: 2 } });
const cilium = (name: string) => withStatus(loadYaml(`cilium/${name}.yaml`), { 'DaemonSet/cilium': { desired: 3, ready: 3 }, 'Deployment/cilium-operator': { desired: 2, ready: 2 } });
/** kind with kubeProxyMode "none": no kube-proxy DaemonSet and no ConfigMap. */
const noKubeProxy = (mode = 'iptables') => kubeadm(mode).filter((o) => o.metadata?.name !== 'kube-proxy');

describe('kube-proxy-replacement values across Cilium versions', () => {
  it.each([
    [null, '1.18.6', 'pass', false],
    ['true', '1.18.6', 'pass', true],
    ['false', '1.14.19', 'pass', false],
    ['strict', '1.14.19', 'warn', true],
    ['partial', '1.15.0', 'warn', false],
    ['disabled', '1.13.4', 'pass', false],
    ['strict', '1.16.0', 'fail', null],
    ['probe', '1.13.0', 'fail', null],
    ['probe', '1.12.10', 'warn', false],
    ['yes', '1.18.6', 'fail', null],
  ] as const)('%s on %s: %s', (raw, v, status, replaces) => {
    expect(judgeKpr(raw, v)).toMatchObject({ status, replaces });
  });
});

describe('kubeproxy.status', () => {
  it('kube-proxy (kubeadm, iptables) alone, Cilium not installed: pass', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts(kubeadm('iptables')), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.summary).toBe('Services implemented by kube-proxy (iptables)');
  });

  it('reads the mode kubeadm renders: "" means iptables, ipvs and nftables as written', () => {
    expect(kubeproxyStatus.evaluate(clusterFacts(kubeadm('default-mode')), {}).evidence).toContainEqual(expect.objectContaining({ label: 'kube-proxy mode', value: 'iptables (mode "" = iptables on Linux)' }));
    expect(kubeproxyStatus.evaluate(clusterFacts(kubeadm('ipvs')), {}).summary).toBe('Services implemented by kube-proxy (ipvs)');
    expect(kubeproxyStatus.evaluate(clusterFacts(kubeadm('nftables')), {}).summary).toBe('Services implemented by kube-proxy (nftables)');
  });

  it('Cilium with kube-proxy replacement on kind with kubeProxyMode none: pass', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts([...noKubeProxy(), ...cilium('cilium-1.18-kind-kpr')]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Agent API server address', value: 'kind-control-plane:6443' }));
  });

  it('fails kube-proxy replacement without k8sServiceHost/Port when kube-proxy is absent', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts([...noKubeProxy(), ...cilium('cilium-1.18-kpr-no-host')]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('no k8sServiceHost/k8sServicePort');
    expect(f.fix?.yaml).toContain('k8sServiceHost');
  });

  it('warns when both kube-proxy and the replacement run', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts([...kubeadm('iptables'), ...cilium('cilium-1.18-kind-kpr')]), {});
    expect(f.status).toBe('warn');
    expect(f.summary).toContain('both active');
    expect(f.fix?.commands).toContainEqual(['kubectl', '-n', 'kube-system', 'delete', 'daemonset', 'kube-proxy']);
  });

  it('fails when neither runs (Cilium without replacement, kube-proxy removed)', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts([...noKubeProxy(), ...cilium('cilium-1.18-default')]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('no kube-proxy and Cilium does not replace it');
  });

  it('1.14 "strict" is deprecated (warn); the same config targeted at 1.16 fails', () => {
    const facts = clusterFacts([...noKubeProxy(), ...cilium('cilium-1.14-strict')]);
    const now = kubeproxyStatus.evaluate(facts, {});
    expect(now.status).toBe('warn');
    expect(now.summary).toContain('deprecated since 1.14');
    const upgrade = kubeproxyStatus.evaluate(facts, { ciliumVersion: '1.16' });
    expect(upgrade.status).toBe('fail');
    expect(upgrade.summary).toContain('removed in Cilium 1.16');
    expect(upgrade.fix?.yaml).toBe('kubeProxyReplacement: true\n');
  });

  it(`warns on iptables mode with ${IPTABLES_SERVICE_WARN} or more Services`, () => {
    const facts = { ...clusterFacts(kubeadm('iptables')), 'k8s.serviceCount': known(1500, 'GET /api/v1/services?limit=1 (remainingItemCount)') };
    const f = kubeproxyStatus.evaluate(facts, {});
    expect(f.status).toBe('warn');
    expect(f.summary).toContain('iptables mode with 1500 Services');
    expect(f.reference).toContain('docs.aws.amazon.com/eks/latest/best-practices/nftables');
    const nft = kubeproxyStatus.evaluate({ ...clusterFacts(kubeadm('nftables')), 'k8s.serviceCount': known(1500, 'count') }, {});
    expect(nft.status).toBe('pass');
  });

  it('fails when kube-proxy is the only implementation and not ready everywhere', () => {
    const f = kubeproxyStatus.evaluate(clusterFacts(kubeadm('iptables', 1)), {});
    expect(f.status).toBe('fail');
    expect(f.details).toEqual([expect.objectContaining({ subject: 'kube-system/kube-proxy', summary: '2 of 3 pods not ready' })]);
  });

  it('is unknown, not "nothing found", when cilium-config was not read', () => {
    const { ['cilium.config']: _drop, ...facts } = clusterFacts(noKubeProxy());
    const f = kubeproxyStatus.evaluate(facts, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('cilium.config: not gathered');
    const forbidden = kubeproxyStatus.evaluate({ ...facts, 'cilium.config': unknown('forbidden', 'cannot get configmaps in kube-system') }, {});
    expect(forbidden.status).toBe('unknown');
  });

  it('is unknown when the workloads cannot be listed', () => {
    const f = kubeproxyStatus.evaluate({ 'k8s.workloads': unknown('forbidden', 'cannot list daemonsets in kube-system (needs list on daemonsets.apps)') }, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('needs list on daemonsets.apps');
  });
});
