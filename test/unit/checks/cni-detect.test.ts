import { describe, expect, it } from 'vitest';
import { cniDetect, detectCnis } from '../../../src/main/core/checks/cni-detect';
import { daemonSetWorkload } from '../../../src/main/core/facts/from-k8s';
import type { RawObject } from '../../../src/main/core/facts';
import { unknown } from '../../../src/shared/facts';
import { clusterFacts, loadYaml, withStatus } from './fixtures';

const ds = (file: string, name: string, desired = 3, ready = desired) => withStatus(loadYaml(file), { [`DaemonSet/${name}`]: { desired, ready } });

describe('cni.detect on real manifests', () => {
  it.each([
    ['cilium/cilium-1.18-default.yaml', 'cilium', 'cilium', 'Cilium', '1.18.6'],
    ['k8s/kind-kindnet-daemonset.yaml', 'kindnet', 'kindnet', 'kindnet (kind)', 'v20250512-df8de77b'],
    ['k8s/flannel-daemonset.yaml', 'kube-flannel-ds', 'flannel', 'Flannel', '0.26.7'],
    ['k8s/calico-node-daemonset.yaml', 'calico-node', 'calico', 'Calico', 'master'],
    ['k8s/aws-node-daemonset.yaml', 'aws-node', 'aws-vpc-cni', 'Amazon VPC CNI (aws-node)', '1.19.2'],
  ])('%s -> %s', (file, dsName, id, name, version) => {
    const facts = clusterFacts(ds(file, dsName));
    const w = facts['k8s.workloads'];
    const found = detectCnis(w?.state === 'known' ? w.value : []);
    expect(found.map((c) => [c.id, c.version])).toEqual([[id, version]]);
    const f = cniDetect.evaluate(facts, {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.summary).toBe(`${name} ${version}`);
  });

  it('finds nothing on a kubeadm cluster without a CNI, and fails when every node is NotReady', () => {
    const nodes = loadYaml('k8s/kind-cilium-nodes.yaml').map((l) => ({ ...l, items: l.items?.filter((i) => i.kind === 'Node').map((n) => ({ ...n, status: { ...(n.status as object), conditions: [{ type: 'Ready', status: 'False' }] } })) }));
    const f = cniDetect.evaluate(clusterFacts('kubeadm/kubeadm-iptables.yaml', nodes as RawObject[]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('all 2 nodes are NotReady');
    const some = cniDetect.evaluate(clusterFacts('kubeadm/kubeadm-iptables.yaml', 'k8s/eks-node-al2-arm64.json'), {});
    expect(some.status).toBe('warn');
  });

  it('fails Cilium and kindnet side by side (kind without disableDefaultCNI) and shows the kind config', () => {
    const f = cniDetect.evaluate(clusterFacts([...ds('cilium/cilium-1.18-default.yaml', 'cilium'), ...ds('k8s/kind-kindnet-daemonset.yaml', 'kindnet')]), {});
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('2 CNIs run at once (cilium+kindnet)');
    expect(f.fix?.yaml).toContain('disableDefaultCNI: true');
  });

  it('accepts Cilium chained with the AWS VPC CNI (cni-chaining-mode: aws-cni)', () => {
    const cilium = ds('cilium/cilium-1.18-default.yaml', 'cilium').map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { ...(o.data as object), 'cni-chaining-mode': 'aws-cni' } } : o));
    const f = cniDetect.evaluate(clusterFacts([...cilium, ...ds('k8s/aws-node-daemonset.yaml', 'aws-node')]), {});
    expect(f.status, f.summary).toBe('pass');
    expect(f.summary).toContain('Cilium chained (cni-chaining-mode: aws-cni) with Amazon VPC CNI (aws-node)');
  });

  it('warns on a CNI DaemonSet that is not fully ready, fails at zero', () => {
    expect(cniDetect.evaluate(clusterFacts(ds('k8s/flannel-daemonset.yaml', 'kube-flannel-ds', 3, 2)), {}).status).toBe('warn');
    const zero = cniDetect.evaluate(clusterFacts(ds('k8s/flannel-daemonset.yaml', 'kube-flannel-ds', 3, 0)), {});
    expect(zero.status).toBe('fail');
    expect(zero.details).toEqual([expect.objectContaining({ subject: 'kube-flannel/kube-flannel-ds', summary: 'Flannel: 0/3 pods ready' })]);
  });

  it('recognises the VPC CNI image an EKS node pulled (from the node\'s image list)', () => {
    const w = daemonSetWorkload({ metadata: { namespace: 'kube-system', name: 'aws-node' }, spec: { template: { spec: { containers: [{ image: '602401143452.dkr.ecr-fips.us-east-1.amazonaws.com/amazon-k8s-cni:v1.13.2-eksbuild.1' }] } } } });
    expect(detectCnis([w]).map((c) => [c.id, c.version])).toEqual([['aws-vpc-cni', '1.13.2']]);
  });

  // Image references as the projects publish them (their manifests were not fetched here).
  it.each([
    ['weave-net', ['docker.io/weaveworks/weave-kube:2.8.1', 'docker.io/weaveworks/weave-npc:2.8.1'], 'weave', '2.8.1'],
    ['antrea-agent', ['antrea/antrea-agent-ubuntu:v2.2.0'], 'antrea', '2.2.0'],
    ['antrea-agent', ['antrea/antrea-ubuntu:v1.15.1'], 'antrea', '1.15.1'],
    ['kube-router', ['docker.io/cloudnativelabs/kube-router:v2.1.3'], 'kube-router', '2.1.3'],
    ['canal', ['docker.io/calico/node:v3.28.1', 'quay.io/coreos/flannel:v0.15.1'], 'canal', '3.28.1'],
    ['kube-multus-ds', ['ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.0-thick'], 'multus', '4.1.0'],
  ])('%s %j -> %s %s', (name, images, id, version) => {
    const w = daemonSetWorkload({ metadata: { namespace: 'kube-system', name }, spec: { template: { spec: { containers: images.map((image) => ({ image })) } } } });
    expect(detectCnis([w]).map((c) => [c.id, c.version])).toEqual([[id, version]]);
  });

  it('is unknown when workloads cannot be listed', () => {
    const f = cniDetect.evaluate({ 'k8s.workloads': unknown('forbidden', 'cannot list daemonsets at the cluster scope (needs list on daemonsets.apps)') }, {});
    expect(f.status).toBe('unknown');
  });
});
