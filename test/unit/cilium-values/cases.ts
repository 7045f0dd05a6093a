// The values the render fixtures (test/fixtures/cilium-values) were made from (render.sh writes <name>.values.yaml with the
// lab's renderer, then <name>.rendered.yaml with the real chart). The unit test checks that the
// renderer still writes the same files and that the chart turned them into the expected config.
import type { CiliumValues } from '../../../src/shared/api/walkthrough';
import { chartDefaults, kindLabDefaults } from '../../../src/main/core/cilium-values/model';

export const CASES: Record<string, CiliumValues> = {
  'kind-lab': kindLabDefaults('lab'),
  'chart-defaults': chartDefaults(),
  'native-netkit': {
    kubeProxyReplacement: true,
    k8sServiceHost: 'lab-control-plane',
    k8sServicePort: 6443,
    routingMode: 'native',
    ipv4NativeRoutingCIDR: '10.244.0.0/16',
    autoDirectNodeRoutes: true,
    MTU: 1450,
    bpf: { masquerade: true, datapathMode: 'netkit' },
    ipam: { mode: 'kubernetes' },
    hubble: { relay: { enabled: true }, ui: { enabled: false } },
    operator: { replicas: 2, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } } },
  },
  'cluster-pool-geneve': {
    kubeProxyReplacement: false,
    routingMode: 'tunnel',
    tunnelProtocol: 'geneve',
    bpf: { masquerade: false, datapathMode: 'veth' },
    ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.42.0.0/16', '10.43.0.0/16'], clusterPoolIPv4MaskSize: 26 } },
    hubble: { relay: { enabled: false }, ui: { enabled: false } },
    operator: { replicas: 1 },
  },
};
