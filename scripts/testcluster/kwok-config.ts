// kwok's configuration: its options plus the Stage documents that play the kubelets.
//
// Pods use the stages kwok ships (build.sh copies them next to the binary):
//   pod/fast/pod-ready.yaml     Pending → Running + Ready; pod IP from the node's spec.podCIDRs
//                               (host network pods get the node's InternalIP)
//   pod/fast/pod-complete.yaml  Job pods → Succeeded
//   pod/fast/pod-delete.yaml    a deleted pod (deletionTimestamp) is removed right away
// Nodes use our own two stages instead of node/fast/node-initialize.yaml and
// node/heartbeat-with-lease/node-heartbeat-with-lease.yaml, because kwok's versions
//   - add a NetworkUnavailable=False "RouteCreated" condition (a cloud route controller's
//     condition; kind nodes have none, Cilium sets its own "CiliumIsUp"), and
//   - set status.phase=Running, which real kubelets leave empty.
// Like kwok's, ours only fill addresses, capacity and nodeInfo when the seeded node has
// none, so the nodeInfo and addresses the profiles create survive (status is patched
// with a strategic merge: conditions merge by type, other fields are left alone).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const KUBELET_CONDITIONS = `
{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: kubelet has sufficient memory available
  reason: KubeletHasSufficientMemory
  status: "False"
  type: MemoryPressure
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: kubelet has no disk pressure
  reason: KubeletHasNoDiskPressure
  status: "False"
  type: DiskPressure
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: kubelet has sufficient PID available
  reason: KubeletHasSufficientPID
  status: "False"
  type: PIDPressure
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: kubelet is posting ready status
  reason: KubeletReady
  status: "True"
  type: Ready
`;

const NODE_INITIALIZE_EXTRA = `
{{ if not .status.addresses }}
addresses:
{{ with NodeIP }}
- address: {{ . | Quote }}
  type: InternalIP
{{ end }}
{{ with NodeName }}
- address: {{ . | Quote }}
  type: Hostname
{{ end }}
{{ end }}
{{ if not .status.capacity }}
capacity:
  cpu: "8"
  memory: 16Gi
  pods: "110"
{{ end }}
{{ if not .status.allocatable }}
allocatable:
  cpu: "8"
  memory: 16Gi
  pods: "110"
{{ end }}
{{ if not .status.nodeInfo }}
nodeInfo:
  architecture: amd64
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  operatingSystem: linux
  osImage: ""
{{ end }}
`;

function nodeStages(): object[] {
  const readyIs = (op: 'In' | 'NotIn') => ({
    key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
    operator: op,
    values: ['True'],
  });
  return [
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'node-initialize' },
      spec: {
        resourceRef: { apiGroup: 'v1', kind: 'Node' },
        selector: { matchExpressions: [readyIs('NotIn')] },
        next: { statusTemplate: KUBELET_CONDITIONS + NODE_INITIALIZE_EXTRA },
      },
    },
    {
      // With leases (kwok renews them every nodeLeaseDurationSeconds/4) the kubelet only
      // refreshes its conditions every few minutes; so does this stage.
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'node-heartbeat-with-lease' },
      spec: {
        resourceRef: { apiGroup: 'v1', kind: 'Node' },
        selector: { matchExpressions: [readyIs('In')] },
        delay: { durationMilliseconds: 300_000, jitterDurationMilliseconds: 330_000 },
        next: { statusTemplate: KUBELET_CONDITIONS },
      },
    },
  ];
}

export const POD_STAGE_FILES = ['pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];

export interface KwokOptions {
  nodeLeaseDurationSeconds?: number;
  podPlayStageParallelism?: number;
  nodePlayStageParallelism?: number;
  nodeLeaseParallelism?: number;
}

/** The whole --config file: a KwokConfiguration, our node stages, kwok's pod stages. */
export function renderKwokConfig(stagesDir: string, o: KwokOptions = {}): string {
  const docs: unknown[] = [
    {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokConfiguration',
      options: {
        manageAllNodes: true,
        nodeLeaseDurationSeconds: o.nodeLeaseDurationSeconds ?? 40,
        podPlayStageParallelism: o.podPlayStageParallelism ?? 8,
        nodePlayStageParallelism: o.nodePlayStageParallelism ?? 4,
        nodeLeaseParallelism: o.nodeLeaseParallelism ?? 4,
      },
    },
    ...nodeStages(),
  ];
  for (const f of POD_STAGE_FILES) {
    for (const d of parseAllDocuments(readFileSync(join(stagesDir, f), 'utf8'))) {
      const obj = d.toJS() as unknown;
      if (obj) docs.push(obj);
    }
  }
  return docs.map((d) => stringify(d)).join('---\n');
}
