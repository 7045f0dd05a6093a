import { describe, expect, it } from 'vitest';
import { dnsCoredns } from '../../../src/main/core/checks/dns-coredns';
import type { RawObject } from '../../../src/main/core/facts';
import { unknown } from '../../../src/shared/facts';
import { clusterFacts, loadYaml, withStatus } from './fixtures';

/** The EndpointSlice the EndpointSlice controller writes for kube-dns (two CoreDNS pods). */
function dnsSlice(ready: string[], notReady: string[] = []): RawObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: { namespace: 'kube-system', name: 'kube-dns-x7k2p', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
    endpoints: [...ready.map((a) => ({ addresses: [a], conditions: { ready: true } })), ...notReady.map((a) => ({ addresses: [a], conditions: { ready: false } }))],
    ports: [
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
  };
}

const kubeadm = (file = 'kubeadm-iptables', ready = 2) => withStatus(loadYaml(`kubeadm/${file}.yaml`), { 'Deployment/coredns': { desired: 2, ready } });

describe('dns.coredns on kubeadm-rendered objects', () => {
  it('passes: coredns 2/2, kube-dns 10.96.0.10 = 10th address of 10.96.0.0/16, two ready endpoints', () => {
    const f = dnsCoredns.evaluate(clusterFacts([...kubeadm(), dnsSlice(['10.244.0.3', '10.244.0.4'])]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.summary).toBe('coredns 2/2 ready, Service 10.96.0.10 on 53/UDP+TCP with 2 ready endpoint(s)');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Expected DNS IP', value: '10.96.0.10 (10th address of serviceSubnet 10.96.0.0/16 (kubeadm-config))' }));
  });

  it('passes an EKS-style service CIDR (172.20.0.0/16 -> 172.20.0.10)', () => {
    const f = dnsCoredns.evaluate(clusterFacts([...kubeadm('kubeadm-custom-subnets'), dnsSlice(['192.168.0.3'])]), {});
    expect(f.status, f.summary).toBe('pass');
  });

  it('infers the 10th address from the kubernetes Service when kubeadm-config is absent', () => {
    const objs = [...kubeadm().filter((o) => o.metadata?.name !== 'kubeadm-config'), ...loadYaml('k8s/kind-dualstack.yaml'), dnsSlice(['10.244.1.2'])];
    const f = dnsCoredns.evaluate(clusterFacts(objs), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Expected DNS IP', value: expect.stringContaining('kubernetes Service 10.96.0.1 is the 1st address') }));
  });

  it('warns when kube-dns is not the 10th address (kubelet clusterDNS must match)', () => {
    const objs = kubeadm().map((o) => (o.kind === 'Service' && o.metadata?.name === 'kube-dns' ? { ...o, spec: { ...(o.spec as object), clusterIP: '10.96.0.53', clusterIPs: ['10.96.0.53'] } } : o));
    const f = dnsCoredns.evaluate(clusterFacts([...objs, dnsSlice(['10.244.0.3'])]), {});
    expect(f.status).toBe('warn');
    expect(f.summary).toContain("kube-dns is 10.96.0.53, not 10.96.0.10");
  });

  it('fails when CoreDNS has no ready pod, and when the Service has no ready endpoint', () => {
    const f = dnsCoredns.evaluate(clusterFacts([...kubeadm('kubeadm-iptables', 0), dnsSlice([], ['10.244.0.3', '10.244.0.4'])]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('coredns has no ready pod (0/2)');
    expect(f.summary).toContain('no ready endpoint');
    expect(f.fix?.text).toContain('pod network is not up');
  });

  it('warns on a partly ready Deployment with not-ready endpoints', () => {
    const f = dnsCoredns.evaluate(clusterFacts([...kubeadm('kubeadm-iptables', 1), dnsSlice(['10.244.0.3'], ['10.244.0.4'])]), {});
    expect(f.status).toBe('warn');
    expect(f.details).toEqual([expect.objectContaining({ subject: 'kube-dns endpoints', summary: 'not ready: 10.244.0.4' })]);
  });

  it('fails without a kube-dns Service', () => {
    const objs = kubeadm().filter((o) => !(o.kind === 'Service' && o.metadata?.name === 'kube-dns'));
    const f = dnsCoredns.evaluate(clusterFacts(objs), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('no kube-dns Service');
  });

  it('is unknown when EndpointSlices cannot be listed, and says so', () => {
    const facts = { ...clusterFacts(kubeadm()), 'dns.endpoints': unknown('forbidden', 'cannot list endpointslices.discovery.k8s.io in kube-system (needs list on endpointslices)') };
    const f = dnsCoredns.evaluate(facts, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('dns.endpoints: forbidden');
  });
});
