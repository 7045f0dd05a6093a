// The setup recommender: which CNI and data plane to start from — the default CNI with
// NetworkPolicy, Calico in eBPF mode, Cilium with kube-proxy replacement, or Cilium with
// DNS-aware egress policy — from the facts of a target and four answers. The decision table
// is in rules.ts; requirements in eligibility.ts; the files to start from in values.ts.
import { RECOMMENDATION_CHOICES, RecommendAnswersSchema, type RecommendAnswers, type Recommendation, type RecommendationChoice, type RecommendQuestion, type ReasonInput } from '../../../shared/api/report';
import type { FactSet } from '../facts/types';
import { CALICO_EBPF_URL, calicoEbpfEligibility, CILIUM_REQUIREMENTS_URL, ciliumEligibility, type Eligibility } from './eligibility';
import { deriveInputs, type RecommendInputs, type TargetHint } from './inputs';
import { decide, isLarge, LARGE, RULES, type RuleContext } from './rules';
import { valuesFor } from './values';

export { RECOMMEND_FACT_KEYS, deriveInputs, type RecommendInputs, type TargetHint } from './inputs';
export { RULES, LARGE, decide } from './rules';
export { ciliumEligibility, calicoEbpfEligibility } from './eligibility';
export { formatRecommendation } from './format';

export const QUESTIONS: readonly RecommendQuestion[] = [
  { id: 'audit', label: 'Compliance audit', help: 'An audit needs flow logs and L7 visibility (HTTP requests, DNS lookups) of pod traffic.', flag: '--audit' },
  { id: 'multiCloud', label: 'Multi-cloud or hybrid', help: 'The cluster spans clouds or clouds and on-premises, or must connect to clusters there.', flag: '--multi-cloud' },
  { id: 'latencySensitive', label: 'Latency-sensitive', help: 'Workloads care about service latency and CPU per packet (first-packet latency, many Services).', flag: '--latency-sensitive' },
  { id: 'egressByDns', label: 'Egress by DNS name', help: 'Egress must be allowed by name (api.github.com, *.s3.amazonaws.com), not only by IP range.', flag: '--egress-by-dns' },
];

const TITLE: Record<RecommendationChoice, string> = {
  'default-cni': 'the default CNI with Kubernetes NetworkPolicy',
  'calico-ebpf': 'Calico with the eBPF data plane',
  'cilium-kpr': 'Cilium with kube-proxy replacement',
  'cilium-dns-egress': 'Cilium with DNS-aware egress policy',
};

const URL = {
  kpr: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/',
  dns: 'https://docs.cilium.io/en/stable/security/dns/',
  hubbleExport: 'https://docs.cilium.io/en/stable/observability/hubble/configuration/export/',
  visibility: 'https://docs.cilium.io/en/stable/observability/visibility/',
  clustermesh: 'https://docs.cilium.io/en/stable/network/clustermesh/clustermesh/',
  calicoDnsPolicy: 'https://docs.tigera.io/calico-enterprise/latest/network-policy/domain-based-policy',
  calicoFederation: 'https://docs.tigera.io/calico-enterprise/latest/multicluster/federation/overview',
  netpol: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  kindNetpol: 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.24.0',
  kubeProxyModes: 'https://kubernetes.io/docs/reference/networking/virtual-ips/',
};

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const cniName = (i: RecommendInputs): string | null => (i.cni ? `${i.cni.name}${i.cni.version ? ` ${i.cni.version}` : ''}` : null);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function sizeText(i: RecommendInputs, large: boolean): string {
  if (i.nodes === null && i.pods === null) return 'node and pod counts unknown (no cluster facts), treated as a small cluster';
  const parts = [i.nodes !== null ? plural(i.nodes, 'node') : 'an unknown number of nodes', i.pods !== null ? plural(i.pods, 'pod') : 'an unknown number of pods'];
  return `${parts.join(' and ')}: ${large ? `a large cluster (${LARGE.nodes}+ nodes or ${LARGE.pods.toLocaleString('en-US')}+ pods)` : 'a small to medium cluster'}`;
}

function needsAsked(a: RecommendAnswers): string[] {
  return [a.egressByDns && 'egress by DNS name', a.audit && 'flow logs and L7 visibility', a.multiCloud && 'multi-cloud or hybrid', a.latencySensitive && 'low latency'].filter((x): x is string => !!x);
}

/** The recommendation for these facts and answers. Pure: same input, same output. */
export function recommend(facts: FactSet, answersIn: Partial<RecommendAnswers> = {}, opts: { target?: TargetHint } = {}): Recommendation {
  const answers = RecommendAnswersSchema.parse(answersIn);
  const inputs = deriveInputs(facts, opts.target);
  const cilium = ciliumEligibility(inputs);
  const calico = calicoEbpfEligibility(inputs);
  const large = isLarge(inputs);
  const ctx: RuleContext = { inputs, answers, cilium, calico, large };
  const rule = decide(ctx);
  const choice = rule.choice;
  const cur = cniName(inputs);

  const reasons: Recommendation['reasons'] = [];
  const tradeOffs: string[] = [];
  const caveats: string[] = [];
  const unmet: Recommendation['unmet'] = [];
  const refs = new Set<string>();
  const reason = (input: ReasonInput, text: string) => reasons.push({ input, text });

  // -- reasons tied to the facts
  const isCilium = choice === 'cilium-kpr' || choice === 'cilium-dns-egress';
  if (isCilium) {
    reason('kernel', cilium.verdict === 'ok' ? `Kernels: ${cilium.why}.` : `Kernels: ${cilium.why} — confirm before installing.`);
    refs.add(CILIUM_REQUIREMENTS_URL);
  } else if (choice === 'calico-ebpf') {
    reason('kernel', calico.verdict === 'ok' ? `Kernels: ${calico.why}.` : `Kernels: ${calico.why} — confirm before installing.`);
    if (cilium.verdict === 'no') reason('kernel', `Cilium is ruled out: ${cilium.why}.`);
    refs.add(CALICO_EBPF_URL);
  } else {
    if (cilium.verdict === 'no' && calico.verdict === 'no') reason('kernel', `An eBPF data plane is ruled out: ${cilium.why}; ${calico.why}.`);
    else if (cilium.verdict === 'no' && needsAsked(answers).length) reason('kernel', `Cilium is ruled out: ${cilium.why}.`);
  }
  const sizeInput: ReasonInput = large && (inputs.nodes ?? 0) < LARGE.nodes ? 'pods' : 'nodes';
  reason(sizeInput, `Size: ${sizeText(inputs, large)}.`);
  if (large && choice !== 'default-cni') {
    reason(sizeInput, "At this size kube-proxy's iptables rules grow with every Service and endpoint and are rewritten on each change; an eBPF data plane looks Services up in hash maps.");
    refs.add(URL.kubeProxyModes);
  }
  if (cur) {
    if (inputs.cni?.id === 'cilium' && isCilium) reason('cni', `${cur} runs now: the values upgrade it in place (helm upgrade), no CNI migration.`);
    else if (inputs.cni?.id === 'calico' && choice === 'calico-ebpf') reason('cni', `${cur} runs now: switching its data plane to eBPF keeps your IP pools and policies, no CNI migration.`);
    else if (choice === 'default-cni') reason('cni', `${cur} runs now and stays.`);
    else reason('cni', `${cur} runs now: moving to ${TITLE[choice]} replaces it (a migration: plan a window or a new node pool).`);
  } else if (inputs.workloadsKnown) reason('cni', 'No known CNI runs yet: install one before workloads arrive.');
  if (inputs.platform) reason('platform', `Platform: ${inputs.platform} (${inputs.platformEvidence}).`);

  // -- reasons tied to the answers
  const a = answers;
  if (a.egressByDns) {
    if (choice === 'cilium-dns-egress') {
      reason('egressByDns', "Egress by DNS name: Cilium's toFQDNs rules allow names and patterns (api.github.com, *.example.com) and learn their addresses through its DNS proxy; Kubernetes NetworkPolicy only has IP blocks.");
      refs.add(URL.dns);
    } else {
      unmet.push({
        input: 'egressByDns',
        text: `Egress by DNS name is not possible here: NetworkPolicy has only IP blocks and Calico's DNS policy is a Calico Enterprise/Cloud feature; Cilium would do it but ${cilium.why}. Upgrade the kernels (a newer OS image or node pool) to get it.`,
      });
      refs.add(URL.calicoDnsPolicy);
    }
  }
  if (a.audit) {
    if (isCilium) {
      reason('audit', 'Audit: Hubble records every flow with its verdict (and, through L7 policies, HTTP and DNS requests); the exporter writes flow logs to a file on each node for your log pipeline.');
      refs.add(URL.hubbleExport);
      refs.add(URL.visibility);
    } else if (choice === 'calico-ebpf') {
      reason('audit', 'Audit: Calico 3.30+ records flow logs (the Goldmane aggregator, the Whisker UI), enabled in the values.');
      unmet.push({ input: 'audit', text: `L7 visibility (HTTP paths, DNS names) is not in Calico Open Source; Cilium has it but ${cilium.why}.` });
    } else {
      unmet.push({ input: 'audit', text: `Flow logs with L7 visibility need Cilium (Hubble) or at least Calico 3.30+ flow logs; neither data plane fits here: ${cilium.why}; ${calico.why}.` });
    }
  }
  if (a.multiCloud) {
    if (isCilium) {
      reason('multiCloud', "Multi-cloud or hybrid: Cilium runs the same on every cloud and on-premises (the clouds' own CNIs do not), Cluster Mesh connects clusters with shared identities, services and policies, and WireGuard encrypts traffic between sites.");
      refs.add(URL.clustermesh);
      caveats.push('Cluster Mesh: give each cluster a unique cluster.name and cluster.id, use pod CIDRs that do not overlap between clusters, and make nodes of all clusters reach each other.');
    } else if (choice === 'calico-ebpf') {
      reason('multiCloud', 'Multi-cloud or hybrid: Calico runs the same on every cloud and on-premises (except eBPF mode on GKE), with the same policy model everywhere.');
      unmet.push({ input: 'multiCloud', text: `Connecting clusters (a cluster mesh) is a Calico Enterprise/Cloud feature; Cilium's Cluster Mesh is open source but ${cilium.why}.` });
      refs.add(URL.calicoFederation);
    } else {
      unmet.push({ input: 'multiCloud', text: `A CNI that runs the same across clouds and connects clusters needs an eBPF data plane here: ${cilium.why}.` });
    }
  }
  if (a.latencySensitive) {
    if (isCilium) {
      reason('latencySensitive', 'Latency: kube-proxy replacement resolves Services when a connection is made (socket load balancing) instead of per packet through iptables chains, and on 5.10+ kernels BPF host routing skips the host network stack.');
      refs.add(URL.kpr);
    } else if (choice === 'calico-ebpf') {
      reason('latencySensitive', "Latency: Calico's eBPF data plane replaces kube-proxy, lowering first-packet latency to Services and CPU per packet, keeps client source IPs and supports DSR.");
    } else {
      unmet.push({ input: 'latencySensitive', text: `Replacing kube-proxy needs an eBPF data plane: ${calico.why}; ${cilium.why}.` });
    }
  }
  if (choice === 'default-cni' && !needsAsked(a).length) reason('audit', 'No answer asks for flow logs, DNS-aware egress, multi-cloud or low latency: nothing here needs more than NetworkPolicy.');

  // -- trade-offs per choice
  if (choice === 'default-cni') {
    tradeOffs.push('NetworkPolicy is L3/L4 only: no DNS names, no HTTP rules, no cluster-wide default policy.');
    tradeOffs.push('Services stay with kube-proxy (iptables): fine at this size, slower to update with thousands of Services.');
    tradeOffs.push('Moving to an eBPF data plane later replaces the CNI: a migration, easier on a new node pool or cluster.');
    refs.add(URL.netpol);
    const id = inputs.cni?.id;
    if (id === 'flannel') caveats.push('Flannel does not enforce NetworkPolicy: policies are accepted and ignored. Add a policy engine (Calico for policy with flannel, i.e. Canal) or move to a CNI that enforces them.');
    if (id === 'kindnet' || inputs.platform === 'kind') {
      caveats.push('kind enforces NetworkPolicy with kindnet since kind v0.24.0; older kind releases ignore policies.');
      refs.add(URL.kindNetpol);
    }
    if (id === 'aws-vpc-cni' || inputs.platform === 'eks') caveats.push('The Amazon VPC CNI enforces NetworkPolicy only with its network policy agent enabled (enableNetworkPolicy in the vpc-cni add-on configuration, VPC CNI 1.14+).');
  } else if (choice === 'calico-ebpf') {
    tradeOffs.push("No DNS-name egress rules and no L7 visibility in Calico Open Source (Calico Enterprise/Cloud have them).");
    tradeOffs.push('eBPF mode forwards NodePort traffic over VXLAN: the network between nodes must carry it.');
    tradeOffs.push('Switching the data plane to or from eBPF disrupts existing connections: restart workloads that do not reconnect.');
    tradeOffs.push('Calico must reach the API server directly (kubernetesServiceEndpoint), not through the kubernetes Service.');
  } else {
    tradeOffs.push('Cilium agents hold BPF maps and identities: more memory per node than a simple CNI.');
    tradeOffs.push('Troubleshooting moves from iptables to cilium-dbg, hubble and bpftool; plan time for the team to learn them.');
    if (inputs.cni && inputs.cni.id !== 'cilium') tradeOffs.push(`Replacing ${inputs.cni.name} is disruptive: pods must be restarted to be managed by Cilium; use a migration window or a new node pool.`);
    if (choice === 'cilium-dns-egress') {
      tradeOffs.push("DNS lookups of pods under FQDN policies pass through the agent's DNS proxy: it is on the path of every lookup and must keep up with your DNS rate.");
      tradeOffs.push('toFQDNs rules match names the pods resolve: a connection to a hard-coded IP address is not allowed by a name.');
    }
    if (a.audit) tradeOffs.push('L7 visibility sends the selected traffic through Envoy: more latency and CPU for those pods, and an L7 rule also enforces what it allows.');
    if (a.multiCloud) tradeOffs.push('WireGuard encryption costs CPU and 80 bytes of MTU per packet (pod MTU 1420 on a 1500 underlay).');
  }

  // -- caveats from facts
  const ebpf = choice !== 'default-cni';
  if (ebpf && inputs.kernels.length === 0) caveats.push('Kernel releases are unknown: run `datapath-lab check` on the target (kernel.version, kernel.config, kernel.btf) before installing.');
  if (ebpf && (inputs.nodes === null || inputs.pods === null)) caveats.push('Node or pod counts are unknown: the size was treated as small.');
  if (!ebpf && (inputs.nodes === null || inputs.pods === null)) caveats.push('Node or pod counts are unknown: the size was treated as small; a large cluster would favour an eBPF data plane.');
  if (isCilium && inputs.cgroupV1Nodes.length) caveats.push(`Nodes on cgroup v1 (${inputs.cgroupV1Nodes.slice(0, 5).join(', ')}${inputs.cgroupV1Nodes.length > 5 ? ` and ${inputs.cgroupV1Nodes.length - 5} more` : ''}): socket load balancing of the kube-proxy replacement needs cgroup v2.`);
  if (isCilium && (choice === 'cilium-dns-egress' || a.audit) && inputs.l7MissingNodes.length) {
    const n = inputs.l7MissingNodes[0]!;
    caveats.push(`The L7 and DNS proxy need kernel options some nodes lack: ${n.node} has no ${n.options.map((o) => `CONFIG_${o}`).join(', ')}${inputs.l7MissingNodes.length > 1 ? ` (and ${inputs.l7MissingNodes.length - 1} more nodes)` : ''}.`);
  }
  if (ebpf && inputs.kubeProxy) {
    caveats.push(
      isCilium
        ? 'kube-proxy runs: once Cilium is up, remove it (kubectl -n kube-system delete ds kube-proxy; kubectl -n kube-system delete cm kube-proxy) and its iptables rules (reboot nodes, or run iptables-save | grep -v KUBE | iptables-restore), or build new nodes without it.'
        : "kube-proxy runs: in eBPF mode Calico takes over Services; disable kube-proxy as Calico's docs say (or let the operator manage it) so both do not program Services.",
    );
  }
  if (ebpf && !inputs.apiServer) caveats.push('The API server address could not be told from the facts: replace API_SERVER_HOST in the values.');
  if (isCilium && inputs.platform === 'kind' && inputs.cni?.id === 'kindnet') caveats.push('On kind, create the cluster with networking.disableDefaultCNI: true and kubeProxyMode: "none", then install Cilium (kindnet and Cilium would fight over pod routes).');
  if (inputs.cni?.id === 'cilium' && cilium.verdict === 'no')
    caveats.push(`${cur} already runs on kernels older than current Cilium needs (${cilium.blockers.join(', ')}): upgrading those nodes keeps Cilium and would meet every need above (see the kernel.version check).`);

  // -- alternatives
  const alternatives: Recommendation['alternatives'] = RECOMMENDATION_CHOICES.filter((c) => c !== choice).map((c) => ({ choice: c, title: capital(TITLE[c]), why: whyNot(c, choice, ctx) }));

  const files = valuesFor(choice, inputs, answers);
  for (const r of referencesFor(choice)) refs.add(r);

  const title = choice === 'default-cni' ? `Keep ${cur ?? 'the default CNI'} with Kubernetes NetworkPolicy` : capital(TITLE[choice]);
  const needs = needsAsked(answers);
  const summary =
    choice === 'default-cni'
      ? unmet.length
        ? `${title}: ${needs.join(', ')} ${unmet.length === 1 ? 'is' : 'are'} asked for, but ${cilium.verdict === 'no' ? cilium.why : 'no eBPF data plane fits'}.`
        : `${title}: ${sizeText(inputs, large)} with no need for more.`
      : `${title}, because ${rule.when} (rule ${rule.id}).`;

  return {
    choice,
    title,
    summary,
    rule: rule.id,
    reasons,
    tradeOffs,
    caveats,
    unmet,
    alternatives,
    values: files.values,
    manifests: files.manifests,
    inputs: {
      nodes: inputs.nodes,
      pods: inputs.pods,
      kernels: inputs.kernels.map((k) => ({ release: k.release, nodes: k.nodes })),
      oldestKernel: oldest(inputs),
      currentCni: cur,
      platform: inputs.platform,
      architectures: inputs.architectures,
      answers,
    },
    references: [...refs].sort(),
  };
}

function oldest(i: RecommendInputs): string | null {
  const parsed = i.kernels.filter((k) => k.parsed);
  if (!parsed.length) return i.kernels[0]?.release ?? null;
  return parsed.reduce((a, b) => (b.parsed!.major < a.parsed!.major || (b.parsed!.major === a.parsed!.major && b.parsed!.minor < a.parsed!.minor) ? b : a)).release;
}

function whyNot(c: RecommendationChoice, chosen: RecommendationChoice, ctx: RuleContext): string {
  const { cilium, calico, answers: a } = ctx;
  const ruled = (e: Eligibility) => e.verdict === 'no';
  switch (c) {
    case 'cilium-dns-egress':
      if (ruled(cilium)) return `Ruled out: ${cilium.why}.`;
      return a.egressByDns ? 'Not chosen.' : 'Needed only for egress by DNS name, which was not asked for; toFQDNs policies can be added to a Cilium install later.';
    case 'cilium-kpr':
      if (ruled(cilium)) return `Ruled out: ${cilium.why}.`;
      if (chosen === 'cilium-dns-egress') return 'Included: the DNS-aware setup also replaces kube-proxy.';
      if (chosen === 'calico-ebpf') return 'Calico already runs here and only the faster data plane was asked for: switching Calico to eBPF avoids replacing the CNI.';
      return 'More than this cluster needs: no answer asks for flow logs, DNS-aware egress, multi-cloud or low latency, and the cluster is not large.';
    case 'calico-ebpf':
      if (ruled(calico)) return `Ruled out: ${calico.why}.`;
      if (chosen === 'cilium-dns-egress') return "Calico Open Source has no DNS-name egress rules (Calico Enterprise/Cloud's DNS policy).";
      if (chosen === 'cilium-kpr' && (a.audit || a.multiCloud)) return `Calico Open Source lacks ${[a.audit && 'L7 visibility', a.multiCloud && 'a cluster mesh'].filter(Boolean).join(' and ')} (Calico Enterprise/Cloud features).`;
      if (chosen === 'cilium-kpr') return 'Would also replace kube-proxy; Cilium was preferred because it adds Hubble flow visibility and DNS-aware policy later without another migration.';
      return 'More than this cluster needs: no answer asks for flow logs, multi-cloud or low latency, and the cluster is not large.';
    case 'default-cni': {
      const needs = needsAsked(a);
      if (needs.length) return `Does not meet: ${needs.join(', ')}.`;
      return ctx.large ? `At this size (${LARGE.nodes}+ nodes or ${LARGE.pods}+ pods) kube-proxy's iptables mode is the bottleneck an eBPF data plane removes.` : 'Would do for the cluster as it is.';
    }
  }
}

function referencesFor(choice: RecommendationChoice): string[] {
  switch (choice) {
    case 'default-cni':
      return [URL.netpol];
    case 'calico-ebpf':
      return [CALICO_EBPF_URL, 'https://github.com/projectcalico/calico/blob/master/charts/tigera-operator/values.yaml'];
    case 'cilium-kpr':
      return [CILIUM_REQUIREMENTS_URL, URL.kpr, 'https://docs.cilium.io/en/stable/installation/k8s-install-helm/'];
    case 'cilium-dns-egress':
      return [CILIUM_REQUIREMENTS_URL, URL.kpr, URL.dns, 'https://docs.cilium.io/en/stable/installation/k8s-install-helm/'];
  }
}

/** The rule table as data (id, condition, choice), for docs and the UI. */
export const RULE_TABLE = RULES.map((r) => ({ id: r.id, when: r.when, choice: r.choice }));
