import type { Recommendation, RecommendAnswers, RecommendationChoice } from '../../../shared/api/report';
import type { RecommendInputs } from './inputs';

/**
 * Files to start from, one per recommendation. Values are written as YAML by hand so that
 * each line can say why it is there; anything taken from the target is quoted with
 * JSON.stringify (a JSON string is a valid YAML scalar), so no fact can change the YAML's shape.
 *
 * Keys, as documented:
 * - cilium/cilium Helm chart: kubeProxyReplacement, k8sServiceHost, k8sServicePort, ipam.mode,
 *   routingMode, tunnelProtocol, hubble.enabled, hubble.relay.enabled, hubble.metrics.enabled,
 *   hubble.export.static.{enabled,filePath} (Hubble exporter), cluster.{name,id},
 *   clustermesh.useAPIServer, encryption.{enabled,type}, l7Proxy; EKS eni.enabled, ipam.mode eni,
 *   egressMasqueradeInterfaces, routingMode native; AKS aksbyocni.enabled (Installation using Helm).
 * - tigera-operator Helm chart (Calico): installation.calicoNetwork.linuxDataplane: BPF,
 *   installation.calicoNetwork.ipPools, kubernetesServiceEndpoint.{host,port}, goldmane.enabled,
 *   whisker.enabled (charts/tigera-operator/values.yaml, Calico 3.30).
 */

const q = (s: string): string => JSON.stringify(s);

export interface ValuesFile {
  values: Recommendation['values'];
  manifests: Recommendation['manifests'];
}

function apiServerLines(inputs: RecommendInputs, hostKey: string, portKey: string, indent = ''): string[] {
  const a = inputs.apiServer;
  return a
    ? [`${indent}${hostKey}: ${q(a.host)}   # from ${a.from}`, `${indent}${portKey}: ${portKey === 'port' ? q(a.port) : a.port}`]
    : [`${indent}${hostKey}: "API_SERVER_HOST"   # set: the API server's address as nodes reach it (not a Service IP)`, `${indent}${portKey}: ${portKey === 'port' ? '"6443"' : '6443'}`];
}

function ciliumValues(choice: RecommendationChoice, inputs: RecommendInputs, a: RecommendAnswers): string {
  const L: string[] = [
    '# Helm values for the cilium/cilium chart, made by Datapath Lab (datapath-lab recommend).',
    '# Install: helm install cilium cilium/cilium --namespace kube-system -f cilium-values.yaml',
    '',
    '# Cilium replaces kube-proxy (socket and eBPF service load balancing):',
    '# https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/',
    'kubeProxyReplacement: true',
    '# Without kube-proxy the agent must reach the API server directly.',
    ...apiServerLines(inputs, 'k8sServiceHost', 'k8sServicePort'),
    '',
  ];
  if (inputs.platform === 'eks') {
    L.push(
      '# EKS: Cilium hands out VPC addresses (ENI IPAM) and routes natively, as the VPC CNI did.',
      '# Patch the aws-node DaemonSet first so the VPC CNI stands down (see the commands).',
      '# https://docs.cilium.io/en/stable/installation/k8s-install-helm/ (EKS)',
      'eni:',
      '  enabled: true',
      'ipam:',
      '  mode: eni',
      'routingMode: native',
      '# Amazon Linux 2 names interfaces eth*, Amazon Linux 2023 ens*.',
      `egressMasqueradeInterfaces: ${q(inputs.osImages.some((o) => /Amazon Linux 2023/i.test(o)) ? 'ens+' : 'eth+')}`,
      '',
    );
  } else if (inputs.platform === 'aks') {
    L.push('# AKS: a cluster created with --network-plugin none (bring your own CNI).', '# https://docs.cilium.io/en/stable/installation/k8s-install-helm/ (AKS)', 'aksbyocni:', '  enabled: true', '');
  } else {
    const podCidrs = inputs.podCIDR !== null;
    L.push(
      podCidrs ? `# Pod CIDRs come from the nodes (kubeadm podSubnet ${inputs.podCIDR}).` : '# Pod CIDRs from the Cilium operator; pick a range that overlaps no node or VPC network.',
      'ipam:',
      `  mode: ${podCidrs ? 'kubernetes' : 'cluster-pool'}`,
      ...(podCidrs ? [] : ['  operator:', '    clusterPoolIPv4PodCIDRList: ["10.42.0.0/16"]', '    clusterPoolIPv4MaskSize: 24']),
      'routingMode: tunnel',
      'tunnelProtocol: vxlan',
      '',
    );
  }
  L.push('# Hubble: flow visibility (hubble observe, Hubble UI).', 'hubble:', '  enabled: true', '  relay:', '    enabled: true');
  if (a.audit) {
    L.push(
      '  # Audit: flow metrics and flow logs written to a file on each node for your log shipper.',
      '  # https://docs.cilium.io/en/stable/observability/hubble/configuration/export/',
      '  metrics:',
      '    enabled: ["dns", "drop", "tcp", "flow", "httpV2:exemplars=true"]',
      '  export:',
      '    static:',
      '      enabled: true',
      '      filePath: /var/run/cilium/hubble/events.log',
    );
  }
  L.push('');
  if (choice === 'cilium-dns-egress' || a.audit) {
    L.push(
      '# The L7 proxy (Envoy) and the DNS proxy: toFQDNs policies and L7 (HTTP, DNS) visibility need it.',
      '# It is on by default; it is written here so nobody turns it off.',
      'l7Proxy: true',
      '',
    );
  }
  if (a.multiCloud) {
    L.push(
      '# Multi-cloud / hybrid: Cluster Mesh connects clusters; every cluster needs a unique name and id (1-255)',
      '# and pod CIDRs that do not overlap. https://docs.cilium.io/en/stable/network/clustermesh/clustermesh/',
      'cluster:',
      `  name: ${q(inputs.clusterName)}`,
      '  id: 1   # set: unique per cluster in the mesh',
      'clustermesh:',
      '  useAPIServer: true',
      '# Traffic between clouds crosses networks you do not own: encrypt it (WireGuard needs kernel 5.6).',
      'encryption:',
      '  enabled: true',
      '  type: wireguard',
      '',
    );
  }
  return `${L.join('\n').replace(/\n+$/, '')}\n`;
}

function calicoValues(inputs: RecommendInputs, a: RecommendAnswers): string {
  const L: string[] = [
    '# Helm values for the tigera-operator chart (Calico), made by Datapath Lab (datapath-lab recommend).',
    '# Calico with the eBPF data plane: https://docs.tigera.io/calico/latest/operations/ebpf/install',
    'installation:',
    '  calicoNetwork:',
    '    linuxDataplane: BPF',
    '    ipPools:',
    '      - name: default-ipv4-ippool',
    `        cidr: ${q(inputs.podCIDR ?? '192.168.0.0/16')}${inputs.podCIDR ? '   # kubeadm podSubnet' : '   # set: your pod CIDR'}`,
    '        # eBPF mode forwards NodePort traffic over VXLAN: the network between nodes must allow it.',
    '        encapsulation: VXLAN',
    '        natOutgoing: Enabled',
    '        nodeSelector: all()',
    '',
    '# eBPF mode replaces kube-proxy, so Calico must reach the API server directly.',
    'kubernetesServiceEndpoint:',
    ...apiServerLines(inputs, 'host', 'port', '  '),
  ];
  if (a.audit) {
    L.push('', '# Flow logs (Calico 3.30+): the Goldmane aggregator and the Whisker UI. L7 detail is not in Calico Open Source.', 'goldmane:', '  enabled: true', 'whisker:', '  enabled: true');
  }
  return `${L.join('\n')}\n`;
}

/** A default-deny baseline for one namespace that keeps DNS working (the first NetworkPolicy most clusters need). */
const BASELINE_POLICY = `# A baseline for one namespace: deny all ingress and egress, then allow DNS to kube-dns.
# Apply per namespace, then add allow rules for the traffic each workload needs.
# datapath-lab policy lint DIR checks them before you apply.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - { protocol: UDP, port: 53 }
        - { protocol: TCP, port: 53 }
`;

/** A toFQDNs example: DNS through the proxy (so names are learnt) and one name allowed. */
const FQDN_POLICY = `# Egress by DNS name with Cilium: pods labelled app=web may reach api.github.com:443 and nothing
# else outside the cluster. DNS must go through Cilium's DNS proxy (the dns rule) so it learns the
# names' addresses. https://docs.cilium.io/en/stable/security/dns/
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web-egress-by-name
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s-app: kube-dns
      toPorts:
        - ports:
            - { port: "53", protocol: ANY }
          rules:
            dns:
              - matchPattern: "*"
    - toFQDNs:
        - matchName: api.github.com
      toPorts:
        - ports:
            - { port: "443", protocol: TCP }
`;

/** L7 visibility for an audit: an HTTP rule that allows everything makes every request visible to Hubble. */
const L7_VISIBILITY_POLICY = `# L7 visibility for an audit: an HTTP rule that allows every request sends the traffic through
# Envoy, so Hubble records method, path and status. An L7 rule also enforces: once a policy
# selects these pods, ingress it does not allow is dropped. Adjust the selector and port.
# https://docs.cilium.io/en/stable/observability/visibility/
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web-l7-visibility
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - fromEntities: [cluster]
      toPorts:
        - ports:
            - { port: "8080", protocol: TCP }
          rules:
            http:
              - {}
`;

export function valuesFor(choice: RecommendationChoice, inputs: RecommendInputs, answers: RecommendAnswers): ValuesFile {
  const manifests: Recommendation['manifests'] = [];
  if (choice === 'default-cni') {
    return {
      values: { kind: 'network-policy', fileName: 'baseline-network-policy.yaml', yaml: BASELINE_POLICY, commands: [['kubectl', 'apply', '--namespace', 'NAMESPACE', '-f', 'baseline-network-policy.yaml']] },
      manifests,
    };
  }
  if (choice === 'calico-ebpf') {
    const upgrade = inputs.cni?.id === 'calico';
    return {
      values: {
        kind: 'calico-helm-values',
        fileName: 'calico-values.yaml',
        yaml: calicoValues(inputs, answers),
        commands: [
          ['helm', 'repo', 'add', 'projectcalico', 'https://docs.tigera.io/calico/charts'],
          upgrade
            ? ['helm', 'upgrade', 'calico', 'projectcalico/tigera-operator', '--namespace', 'tigera-operator', '--reuse-values', '-f', 'calico-values.yaml']
            : ['helm', 'install', 'calico', 'projectcalico/tigera-operator', '--namespace', 'tigera-operator', '--create-namespace', '-f', 'calico-values.yaml'],
        ],
      },
      manifests: [{ fileName: 'baseline-network-policy.yaml', description: 'A default-deny baseline that keeps DNS working, per namespace.', yaml: BASELINE_POLICY }],
    };
  }
  const upgrade = inputs.cni?.id === 'cilium';
  if (choice === 'cilium-dns-egress') manifests.push({ fileName: 'egress-by-name.yaml', description: 'A CiliumNetworkPolicy that allows egress to one DNS name (toFQDNs), with DNS through the proxy.', yaml: FQDN_POLICY });
  if (answers.audit) manifests.push({ fileName: 'l7-visibility.yaml', description: 'A CiliumNetworkPolicy whose HTTP rule makes requests visible to Hubble.', yaml: L7_VISIBILITY_POLICY });
  manifests.push({ fileName: 'baseline-network-policy.yaml', description: 'A default-deny baseline that keeps DNS working, per namespace.', yaml: BASELINE_POLICY });
  return {
    values: {
      kind: 'cilium-helm-values',
      fileName: 'cilium-values.yaml',
      yaml: ciliumValues(choice, inputs, answers),
      commands: [
        ...(inputs.platform === 'eks' && !upgrade
          ? [['kubectl', '-n', 'kube-system', 'patch', 'daemonset', 'aws-node', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}']]
          : []),
        ['helm', 'repo', 'add', 'cilium', 'https://helm.cilium.io/'],
        upgrade
          ? ['helm', 'upgrade', 'cilium', 'cilium/cilium', '--namespace', 'kube-system', '--reuse-values', '-f', 'cilium-values.yaml']
          : ['helm', 'install', 'cilium', 'cilium/cilium', '--namespace', 'kube-system', '-f', 'cilium-values.yaml'],
        ['cilium', 'status', '--wait'],
      ],
    },
    manifests,
  };
}
