import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { calicoEbpfEligibility, ciliumEligibility, deriveInputs, formatRecommendation, recommend, RULE_TABLE } from '../../../src/main/core/recommend';
import type { RecommendAnswers } from '../../../src/shared/api/report';
import { RecommendationSchema, ReasonInputSchema } from '../../../src/shared/api/report';
import { known } from '../../../src/shared/facts';
import type { FactSet } from '../../../src/main/core/facts/types';
import { fakeCluster, type FakeCluster } from './fixtures';

type Case = [name: string, cluster: FakeCluster, answers: Partial<RecommendAnswers>, rule: string, choice: string];

/**
 * One row per rule of the decision table (src/main/core/recommend/rules.ts), plus the rows
 * where a requirement rules an option out. Test names start with the rule that decides.
 */
const CASES: Case[] = [
  ['R1 egress by DNS on 6.8 kernels → Cilium with DNS-aware egress', { kernel: '6.8.0-1015-aws' }, { egressByDns: true }, 'R1', 'cilium-dns-egress'],
  ['R1 egress by DNS wins over audit and latency', { kernel: '6.1.0-18-cloud-amd64' }, { egressByDns: true, audit: true, latencySensitive: true }, 'R1', 'cilium-dns-egress'],
  ['R1 egress by DNS on RHEL 8.10 (4.18.0-553) → Cilium (RHEL exception)', { kernel: '4.18.0-553.5.1.el8_10.x86_64' }, { egressByDns: true }, 'R1', 'cilium-dns-egress'],
  ['R2 audit on 5.15 → Cilium with Hubble', { kernel: '5.15.0-1052-azure' }, { audit: true }, 'R2', 'cilium-kpr'],
  ['R3 multi-cloud on 6.8 → Cilium with Cluster Mesh', { kernel: '6.8.0-1008-gke' }, { multiCloud: true }, 'R3', 'cilium-kpr'],
  ['R4 latency-sensitive with Calico running → Calico switched to eBPF', { cni: 'calico', kernel: '5.15.0-1052-azure' }, { latencySensitive: true }, 'R4', 'calico-ebpf'],
  ['R4 large Calico cluster → Calico switched to eBPF', { cni: 'calico', nodes: 120 }, {}, 'R4', 'calico-ebpf'],
  ['R5 latency-sensitive on kindnet → Cilium with kube-proxy replacement', { cni: 'kindnet' }, { latencySensitive: true }, 'R5', 'cilium-kpr'],
  ['R5 large by nodes (150) with no answers → Cilium with kube-proxy replacement', { nodes: 150 }, {}, 'R5', 'cilium-kpr'],
  ['R5 large by pods (4,000 on 20 nodes) → Cilium with kube-proxy replacement', { nodes: 20, pods: 4000 }, {}, 'R5', 'cilium-kpr'],
  ['R5 latency-sensitive with Calico running but Calico eBPF ruled out (s390x) → Cilium', { cni: 'calico', arch: 's390x' }, { latencySensitive: true }, 'R5', 'cilium-kpr'],
  ['R6 latency-sensitive on 5.4 (too old for Cilium, fine for Calico eBPF) → Calico eBPF', { kernel: '5.4.0-26-generic' }, { latencySensitive: true }, 'R6', 'calico-ebpf'],
  ['R6 audit on 5.4 → Calico eBPF with flow logs, L7 unmet', { kernel: '5.4.0-26-generic' }, { audit: true }, 'R6', 'calico-ebpf'],
  ['R6 latency-sensitive on RHEL 8.2 4.18.0-193 → Calico eBPF (RHEL backport)', { kernel: '4.18.0-193.el8.x86_64' }, { latencySensitive: true }, 'R6', 'calico-ebpf'],
  ['R6 mixed kernels: the oldest (5.4) decides', { kernel: ['6.8.0-1015-aws', '5.4.0-26-generic'] }, { multiCloud: true }, 'R6', 'calico-ebpf'],
  ['R7 small single-cloud cluster without needs keeps the default CNI', { nodes: 3, pods: 40 }, {}, 'R7', 'default-cni'],
  ['R7 old kernel (4.19) rules out both eBPF data planes', { kernel: '4.19.0-25-amd64' }, { latencySensitive: true, audit: true }, 'R7', 'default-cni'],
  ['R7 RHEL 8.1 (4.18.0-147) is below Calico eBPF RHEL 8.2 and Cilium RHEL 8.10', { kernel: '4.18.0-147.5.1.el8_1.x86_64' }, { latencySensitive: true }, 'R7', 'default-cni'],
  ['R7 egress by DNS with 5.4 kernels: Calico OSS has no DNS policy, Cilium needs 5.10', { kernel: '5.4.0-26-generic' }, { egressByDns: true }, 'R7', 'default-cni'],
  ['R7 GKE with 5.4 kernels: Calico eBPF unsupported on GKE, Cilium needs 5.10', { kernel: '5.4.0-1049-gke', labels: { 'cloud.google.com/gke-nodepool': 'default-pool' }, cni: 'gke-dataplane-v2' }, { latencySensitive: true }, 'R7', 'default-cni'],
  ['R7 AL2 4.14 on EKS keeps the VPC CNI', { kernel: '4.14.171-136.231.amzn2.x86_64', cni: 'aws-vpc-cni', labels: { 'eks.amazonaws.com/nodegroup': 'ng-1' } }, { latencySensitive: true }, 'R7', 'default-cni'],
];

describe('decision table', () => {
  it('has the rules R1…R7 in order, ending with the default', () => {
    expect(RULE_TABLE.map((r) => r.id)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7']);
    expect(RULE_TABLE.at(-1)).toEqual({ id: 'R7', when: 'otherwise', choice: 'default-cni' });
  });

  it('is written out in the comment of rules.ts, row for row', () => {
    const src = readFileSync(join(__dirname, '../../../src/main/core/recommend/rules.ts'), 'utf8');
    for (const r of RULE_TABLE) expect(src).toMatch(new RegExp(`\\| ${r.id} +\\|[^\\n]*\\| ${r.choice}`));
  });

  it.each(CASES)('%s', (_name, cluster, answers, rule, choice) => {
    const rec = recommend(fakeCluster(cluster), answers);
    expect(RecommendationSchema.parse(rec)).toEqual(rec);
    expect({ rule: rec.rule, choice: rec.choice }).toEqual({ rule, choice });
    for (const r of rec.reasons) expect(ReasonInputSchema.options).toContain(r.input);
    // every answered need is either a reason or an unmet need
    for (const [k, v] of Object.entries(rec.inputs.answers)) if (v) expect([...rec.reasons, ...rec.unmet].map((r) => r.input)).toContain(k);
    // the values file is valid YAML
    expect(parseAllDocuments(rec.values.yaml).flatMap((d) => d.errors)).toEqual([]);
    for (const m of rec.manifests) expect(parseAllDocuments(m.yaml).flatMap((d) => d.errors)).toEqual([]);
    expect(rec.alternatives.map((a) => a.choice)).not.toContain(rec.choice);
    expect(rec.alternatives).toHaveLength(3);
  });
});

describe('requirements', () => {
  const elig = (kernel: string | string[], extra: FakeCluster = {}) => {
    const inputs = deriveInputs(fakeCluster({ kernel, ...extra }));
    return { cilium: ciliumEligibility(inputs).verdict, calico: calicoEbpfEligibility(inputs).verdict };
  };

  it.each([
    // [kernel, Cilium (>= 5.10 or RHEL 8.10), Calico eBPF (>= 5.3 or RHEL 8.2 4.18.0-193)]
    ['6.8.0-1008-gke', 'ok', 'ok'],
    ['5.10.184-175.731.amzn2.aarch64', 'ok', 'ok'],
    ['5.4.0-26-generic', 'no', 'ok'],
    ['5.3.18-150300.59.106-default', 'no', 'ok'],
    ['5.2.21', 'no', 'no'],
    ['4.19.0-25-amd64', 'no', 'no'],
    ['4.18.0-553.5.1.el8_10.x86_64', 'ok', 'ok'],
    ['4.18.0-193.el8.x86_64', 'no', 'ok'],
    ['4.18.0-147.5.1.el8_1.x86_64', 'no', 'no'],
    ['4.14.171-136.231.amzn2.x86_64', 'no', 'no'],
  ])('kernel %s: Cilium %s, Calico eBPF %s', (kernel, cilium, calico) => {
    expect(elig(kernel)).toEqual({ cilium, calico });
  });

  it('Calico eBPF is ruled out on GKE and on architectures other than x86-64 and arm64', () => {
    expect(elig('6.8.0-1008-gke', { labels: { 'cloud.google.com/gke-nodepool': 'p' } }).calico).toBe('no');
    expect(elig('6.8.0', { arch: 'ppc64le' }).calico).toBe('no');
    expect(elig('6.8.0', { arch: 'arm64' }).calico).toBe('ok');
  });

  it('unknown kernels rule nothing out, and say so', () => {
    const rec = recommend(fakeCluster({ unknownNodes: true }), { latencySensitive: true });
    expect(rec.choice).toBe('cilium-kpr');
    expect(rec.caveats.join('\n')).toMatch(/Kernel releases are unknown: run `datapath-lab check`/);
    expect(rec.inputs.kernels).toEqual([]);
  });

  it('the node probe’s uname -r wins over the kubelet’s report', () => {
    const facts: FactSet = { ...fakeCluster({ kernel: '5.4.0-26-generic' }), 'node.kernel.release': known({ 'lab-control-plane': known('6.8.0-1015-aws', '/proc'), 'lab-worker1': known('6.8.0-1015-aws', '/proc'), 'lab-worker2': known('6.8.0-1015-aws', '/proc') }, 'node probe') };
    expect(recommend(facts, { egressByDns: true }).choice).toBe('cilium-dns-egress');
  });
});

describe('reasons, trade-offs and caveats', () => {
  it('R7 on an old kernel lists every need it cannot meet, with what would meet it', () => {
    const rec = recommend(fakeCluster({ kernel: '4.19.0-25-amd64' }), { latencySensitive: true, audit: true, egressByDns: true, multiCloud: true });
    expect(rec.choice).toBe('default-cni');
    expect(rec.unmet.map((u) => u.input).sort()).toEqual(['audit', 'egressByDns', 'latencySensitive', 'multiCloud']);
    expect(rec.reasons.find((r) => r.input === 'kernel')?.text).toMatch(/eBPF data plane is ruled out: Cilium 1\.20 needs 5\.10.*older: 4\.19\.0-25-amd64/);
    expect(rec.summary).toMatch(/^Keep kindnet \(kind\) .* with Kubernetes NetworkPolicy: /);
  });

  it('R7 without needs says nothing asks for more', () => {
    const rec = recommend(fakeCluster({ nodes: 3, pods: 40 }), {});
    expect(rec.reasons.map((r) => r.text).join('\n')).toMatch(/3 nodes and 40 pods: a small to medium cluster/);
    expect(rec.reasons.map((r) => r.text).join('\n')).toMatch(/nothing here needs more than NetworkPolicy/);
    expect(rec.values.kind).toBe('network-policy');
    expect(rec.caveats.join('\n')).toMatch(/kind enforces NetworkPolicy with kindnet since kind v0\.24\.0/);
  });

  it('flannel: the default CNI does not enforce NetworkPolicy', () => {
    expect(recommend(fakeCluster({ cni: 'flannel' }), {}).caveats.join('\n')).toMatch(/Flannel does not enforce NetworkPolicy/);
  });

  it('Cilium on kind with kindnet: create the cluster without kindnet and kube-proxy; remove kube-proxy', () => {
    const rec = recommend(fakeCluster({ cni: 'kindnet' }), { latencySensitive: true }, { target: { kind: 'kind', name: 'kind-lab' } });
    expect(rec.caveats.join('\n')).toMatch(/disableDefaultCNI: true and kubeProxyMode: "none"/);
    expect(rec.caveats.join('\n')).toMatch(/kube-proxy runs: once Cilium is up, remove it/);
    expect(rec.tradeOffs.join('\n')).toMatch(/Replacing kindnet \(kind\) is disruptive/);
  });

  it('Cilium already running is upgraded in place', () => {
    const rec = recommend(fakeCluster({ cni: 'cilium', kubeProxy: false }), { audit: true });
    expect(rec.reasons.find((r) => r.input === 'cni')?.text).toMatch(/Cilium 1\.18\.6 runs now: the values upgrade it in place/);
    expect(rec.values.commands).toContainEqual(['helm', 'upgrade', 'cilium', 'cilium/cilium', '--namespace', 'kube-system', '--reuse-values', '-f', 'cilium-values.yaml']);
    expect(rec.caveats.join('\n')).not.toMatch(/kube-proxy runs/);
  });

  it('Cilium already running on kernels too old for it: the caveat says to upgrade those nodes', () => {
    const rec = recommend(fakeCluster({ cni: 'cilium', kernel: ['6.8.0-1015-aws', '5.4.0-26-generic'] }), { latencySensitive: true });
    expect(rec.choice).toBe('calico-ebpf');
    expect(rec.caveats.join('\n')).toMatch(/Cilium 1\.18\.6 already runs on kernels older than current Cilium needs \(5\.4\.0-26-generic\)/);
  });

  it('cgroup v1 nodes and missing L7 kernel options are caveats, not vetoes', () => {
    const rec = recommend(fakeCluster({ cgroupV1: true }), { latencySensitive: true });
    expect(rec.choice).toBe('cilium-kpr');
    expect(rec.caveats.join('\n')).toMatch(/cgroup v1 .*socket load balancing .* needs cgroup v2/);
    const facts = fakeCluster({});
    facts['node.kernel.config'] = known({ 'lab-worker1': known({ path: '/boot/config', searched: [], options: { NETFILTER_XT_TARGET_TPROXY: 'n', NETFILTER_XT_TARGET_MARK: 'y', NETFILTER_XT_TARGET_CT: 'y', NETFILTER_XT_MATCH_MARK: 'y', NETFILTER_XT_MATCH_SOCKET: 'm' }, optionCount: 5000 }, '/boot/config') }, 'node probe');
    expect(recommend(facts, { egressByDns: true }).caveats.join('\n')).toMatch(/lab-worker1 has no CONFIG_NETFILTER_XT_TARGET_TPROXY/);
  });

  it('is deterministic', () => {
    const f = fakeCluster({ kernel: ['6.8.0-1015-aws', '5.15.0-1052-azure'], nodes: 7 });
    expect(JSON.stringify(recommend(f, { audit: true, multiCloud: true }))).toBe(JSON.stringify(recommend(f, { audit: true, multiCloud: true })));
  });

  it('formats as text with reasons, trade-offs, the values file and how to apply it', () => {
    const text = formatRecommendation(recommend(fakeCluster({}), { egressByDns: true }));
    expect(text).toMatch(/^Recommendation: Cilium with DNS-aware egress policy\n/);
    expect(text).toContain('[egressByDns] Egress by DNS name:');
    expect(text).toContain('  $ helm install cilium cilium/cilium --namespace kube-system -f cilium-values.yaml');
    expect(text).toContain('egress-by-name.yaml: A CiliumNetworkPolicy that allows egress to one DNS name');
  });
});

describe('values files', () => {
  it('Cilium: kube-proxy replacement with the API server the agent can reach, kubernetes IPAM from kubeadm podSubnet', () => {
    const rec = recommend(fakeCluster({ cni: 'flannel' }), { latencySensitive: true });
    const v = parse(rec.values.yaml) as Record<string, unknown>;
    expect(v).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: '172.18.0.2', k8sServicePort: 6443, ipam: { mode: 'kubernetes' }, routingMode: 'tunnel', hubble: { enabled: true, relay: { enabled: true } } });
  });

  it('Cilium on kind uses the control-plane container name', () => {
    const v = parse(recommend(fakeCluster({}), { latencySensitive: true }, { target: { kind: 'kind', name: 'kind-lab' } }).values.yaml) as Record<string, unknown>;
    expect(v.k8sServiceHost).toBe('lab-control-plane');
  });

  it('Cilium for an audit: Hubble metrics and the flow log exporter, the L7 proxy, an L7 visibility policy', () => {
    const rec = recommend(fakeCluster({}), { audit: true });
    const v = parse(rec.values.yaml) as { hubble: { export: { static: { enabled: boolean; filePath: string } }; metrics: { enabled: string[] } }; l7Proxy: boolean };
    expect(v.hubble.export.static).toEqual({ enabled: true, filePath: '/var/run/cilium/hubble/events.log' });
    expect(v.hubble.metrics.enabled).toContain('dns');
    expect(v.l7Proxy).toBe(true);
    expect(rec.manifests.map((m) => m.fileName)).toEqual(['l7-visibility.yaml', 'baseline-network-policy.yaml']);
  });

  it('Cilium multi-cloud: Cluster Mesh name and id, WireGuard; the name is made valid', () => {
    const facts = fakeCluster({});
    const v = parse(recommend(facts, { multiCloud: true }, { target: { name: 'arn:aws:eks:eu-west-1:123456789012:cluster/Prod_Net' } }).values.yaml) as Record<string, unknown>;
    expect(v).toMatchObject({ cluster: { name: 'prod-net', id: 1 }, clustermesh: { useAPIServer: true }, encryption: { enabled: true, type: 'wireguard' } });
  });

  it('Cilium DNS egress: a toFQDNs policy with DNS through the proxy', () => {
    const rec = recommend(fakeCluster({}), { egressByDns: true });
    const cnp = parse(rec.manifests[0]!.yaml) as { kind: string; spec: { egress: { toFQDNs?: unknown[]; toPorts: { rules?: { dns: unknown[] } }[] }[] } };
    expect(cnp.kind).toBe('CiliumNetworkPolicy');
    expect(cnp.spec.egress[0]!.toPorts[0]!.rules!.dns).toEqual([{ matchPattern: '*' }]);
    expect(cnp.spec.egress[1]!.toFQDNs).toEqual([{ matchName: 'api.github.com' }]);
  });

  it('Cilium on EKS: ENI IPAM, native routing, the aws-node patch first; AL2023 masquerades on ens+', () => {
    const rec = recommend(fakeCluster({ cni: 'aws-vpc-cni', labels: { 'eks.amazonaws.com/nodegroup': 'ng' }, osImage: 'Amazon Linux 2023.6.20250115' }), { egressByDns: true });
    expect(parse(rec.values.yaml)).toMatchObject({ eni: { enabled: true }, ipam: { mode: 'eni' }, routingMode: 'native', egressMasqueradeInterfaces: 'ens+' });
    expect(rec.values.commands[0]).toEqual(['kubectl', '-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}']);
  });

  it('Cilium on AKS: bring your own CNI', () => {
    const rec = recommend(fakeCluster({ cni: null, labels: { 'kubernetes.azure.com/cluster': 'MC_rg_aks' } }), { latencySensitive: true });
    expect(parse(rec.values.yaml)).toMatchObject({ aksbyocni: { enabled: true } });
  });

  it('Calico: the tigera-operator values with the BPF data plane, the pod CIDR, the API server endpoint and flow logs for an audit', () => {
    const rec = recommend(fakeCluster({ kernel: '5.4.0-26-generic', cni: 'flannel' }), { audit: true });
    expect(rec.values.kind).toBe('calico-helm-values');
    expect(parse(rec.values.yaml)).toEqual({
      installation: { calicoNetwork: { linuxDataplane: 'BPF', ipPools: [{ name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', encapsulation: 'VXLAN', natOutgoing: 'Enabled', nodeSelector: 'all()' }] } },
      kubernetesServiceEndpoint: { host: '172.18.0.2', port: '6443' },
      goldmane: { enabled: true },
      whisker: { enabled: true },
    });
  });

  it('Calico already running is upgraded in place', () => {
    const rec = recommend(fakeCluster({ cni: 'calico' }), { latencySensitive: true });
    expect(rec.values.commands[1]).toEqual(['helm', 'upgrade', 'calico', 'projectcalico/tigera-operator', '--namespace', 'tigera-operator', '--reuse-values', '-f', 'calico-values.yaml']);
  });

  it('an unknown API server leaves a placeholder and a caveat', () => {
    const facts = fakeCluster({ unknownNodes: true });
    const rec = recommend(facts, { latencySensitive: true });
    expect(parse(rec.values.yaml)).toMatchObject({ k8sServiceHost: 'API_SERVER_HOST' });
    expect(rec.caveats.join('\n')).toMatch(/replace API_SERVER_HOST/);
  });

  it('values from the target cannot change the YAML structure', () => {
    const facts = fakeCluster({});
    const w = facts['k8s.workloads']!;
    if (w.state === 'known') w.value.push({ kind: 'DaemonSet', namespace: 'kube-system', name: 'x', labels: {}, images: [], initImages: [], desired: 1, ready: 1, available: 1, updated: 1, env: { KUBERNETES_SERVICE_HOST: 'evil"\nkubeProxyReplacement: false\n#', KUBERNETES_SERVICE_PORT: '6443' } });
    const v = parse(recommend(facts, { latencySensitive: true }).values.yaml) as Record<string, unknown>;
    expect(v.kubeProxyReplacement).toBe(true);
    expect(v.k8sServiceHost).toBe('evil"\nkubeProxyReplacement: false\n#');
  });
});
