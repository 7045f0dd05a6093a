import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { known } from '../../../src/shared/facts';
import type { ClusterEvent, FactSet, MeshResources, SystemPod, Workload } from '../../../src/main/core/facts/types';
import { newContext } from '../../../src/main/core/pitfalls/engine';
import { readSignal } from '../../../src/main/core/pitfalls/signals';
import { readSnapshot } from '../../../src/main/core/snapshot/snapshot';

/**
 * Values the demo snapshots do not reach: verifier output in an Event, the mesh's other mTLS
 * modes and collisions, CNI errors. Facts are the demo captures' with one thing changed.
 */

const ROOT = join(import.meta.dirname, '../../..');
const demo = (n: string) => readSnapshot(join(ROOT, 'resources/snapshots', `${n}.json.gz`));
const value = (facts: FactSet, id: string, policy: Parameters<typeof newContext>[1] = null) => readSignal(newContext(facts, policy, null), id);

const event = (name: string, reason: string, message: string): ClusterEvent => ({ namespace: 'kube-system', object: { kind: 'Pod', name, namespace: 'kube-system' }, type: 'Warning', reason, message, count: 1, lastSeen: '2026-01-01T00:00:00Z', component: 'kubelet' });

describe('verifier output', () => {
  it('is found in an Event message as in a termination message, and says where', () => {
    const healthy = demo('kind-cilium-healthy').facts;
    const text = readFileSync(join(ROOT, 'test/fixtures/pitfalls/verifier/cilium-11731-back-edge.txt'), 'utf8');
    const facts: FactSet = { ...healthy, 'k8s.systemEvents': known([event('cilium-x7k2p', 'BPFLoadFailed', text)], 'test') };
    expect(value(facts, 'agent.verifierErrors')).toMatchObject({ state: 'known', value: ['Event BPFLoadFailed on Pod kube-system/cilium-x7k2p: program connect6 rejected: back-edge from insn 624 to 570 (a loop: kernels before 5.3 reject every loop)'] });
    expect(value(facts, 'agent.verifierKind')).toMatchObject({ value: 'back-edge' });
    // Events about other objects are not the agent's.
    const other: FactSet = { ...healthy, 'k8s.systemEvents': known([{ ...event('coredns-1', 'BackOff', text), object: { kind: 'Pod', name: 'coredns-1', namespace: 'kube-system' } }], 'test') };
    expect(value(other, 'agent.verifierErrors')).toMatchObject({ value: [] });
  });

  it('agents in trouble are listed with their containers; healthy ones are not', () => {
    const s = demo('pitfall-ebpf-verifier').facts;
    const v = value(s, 'agent.unhealthy');
    expect(v.state === 'known' && v.value).toEqual([expect.stringMatching(/^kube-system\/cilium-\w+ on lab-worker: not ready; container cilium-agent: not ready, 4 restart\(s\), last run ended Error \(exit 137\)$/)]);
    expect(value(demo('kind-cilium-healthy').facts, 'agent.unhealthy')).toMatchObject({ value: [] });
  });
});

describe('mesh values', () => {
  const mesh = demo('pitfall-cni-service-mesh');
  const res = (m: Partial<MeshResources>): FactSet => {
    const cur = mesh.facts['mesh.resources'];
    if (cur?.state !== 'known') throw new Error('no mesh.resources');
    return { ...mesh.facts, 'mesh.resources': known({ ...cur.value, ...m }, 'test') };
  };

  it('mTLS: STRICT, Istio PERMISSIVE between sidecars, a mesh-wide DISABLE, Linkerd', () => {
    expect(value(mesh.facts, 'mesh.mtls')).toMatchObject({ value: true, text: 'STRICT: PeerAuthentication istio-system/default' });
    expect(value(res({ peerAuthentications: [] }), 'mesh.mtls')).toMatchObject({ value: true, text: 'Istio auto mTLS between sidecars (PERMISSIVE, the default)' });
    expect(value(res({ peerAuthentications: [{ namespace: 'istio-system', name: 'default', mode: 'DISABLE', selector: false, portLevel: {} }] }), 'mesh.mtls')).toMatchObject({ value: false, text: 'no (mesh-wide PeerAuthentication DISABLE)' });
    expect(value(res({ peerAuthentications: [], namespaces: [] }), 'mesh.mtls')).toMatchObject({ value: false });
    const linkerd: Workload = { kind: 'Deployment', namespace: 'linkerd', name: 'linkerd-destination', labels: {}, images: ['cr.l5d.io/linkerd/controller:edge-25.1.1', 'cr.l5d.io/linkerd/policy-controller:edge-25.1.1'], initImages: [], desired: 1, ready: 1, available: 1, updated: 1, env: {} };
    const l: FactSet = { ...res({ crds: ['servers.policy.linkerd.io'], peerAuthentications: [], namespaces: [{ namespace: 'emojivoto', mesh: 'linkerd', how: 'annotation linkerd.io/inject=enabled' }] }), 'mesh.workloads': known([linkerd], 'test') };
    expect(value(l, 'mesh.detected')).toMatchObject({ value: ['linkerd'] });
    expect(value(l, 'mesh.mtls')).toMatchObject({ value: true, text: 'Linkerd: automatic mTLS between meshed pods' });
  });

  it('collisions: Cilium HTTP rules on meshed pods, L7 in two places; none once Cilium is configured as its Istio guide says', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'productpage-get', namespace: 'bookinfo' },
      spec: { endpointSelector: { matchLabels: { app: 'productpage' } }, ingress: [{ toPorts: [{ ports: [{ port: '9080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/productpage' }] } }] }] },
    };
    const policy = { objects: [...(mesh.raw.policy ?? []), cnp].map((obj) => ({ obj, file: 'snapshot' })), issues: [] };
    const withAuthz = res({ authorizationPolicies: [{ mesh: 'istio', namespace: 'bookinfo', name: 'productpage-viewer', action: 'ALLOW', l7: true }] });
    expect(value(withAuthz, 'mesh.conflictKinds', policy)).toMatchObject({ value: ['double-encryption', 'l7-blind', 'socket-lb', 'cni-exclusive', 'double-l7'] });
    const l7 = value(withAuthz, 'mesh.conflicts', policy);
    expect(l7.state === 'known' && (l7.value as string[])[1]).toBe('Cilium L7 rules on meshed pods see mTLS, not HTTP (Istio STRICT or PERMISSIVE mTLS is not compatible with Cilium HTTP policy): CiliumNetworkPolicy bookinfo/productpage-get ingress rule 1: HTTP GET /productpage');
    // Cilium as its Istio guide wants it: no encryption, socket LB in the host namespace, cni-exclusive false.
    const cfg = mesh.facts['cilium.config'];
    if (cfg?.state !== 'known') throw new Error('no cilium.config');
    const { 'enable-wireguard': _w, ...data } = cfg.value.data;
    const tuned: FactSet = { ...mesh.facts, 'cilium.config': known({ ...cfg.value, data: { ...data, 'bpf-lb-sock-hostns-only': 'true', 'cni-exclusive': 'false' } }, cfg.source) };
    expect(value(tuned, 'mesh.conflictKinds', { objects: (mesh.raw.policy ?? []).map((obj) => ({ obj, file: 'snapshot' })), issues: [] })).toMatchObject({ value: [] });
  });
});

describe('other values', () => {
  it('the CNI plugin\u2019s own error out of a sandbox failure (containerd and dockershim wording)', () => {
    const facts: FactSet = {
      'k8s.systemEvents': known(
        [
          { ...event('job-1', 'FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "a1": plugin type="cilium-cni" name="cilium" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full'), object: { kind: 'Pod', name: 'job-1', namespace: 'batch' } },
          { ...event('web-1', 'FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "b2" network for pod "web-1": networkPlugin cni failed to set up pod "web-1_default" network: unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full'), object: { kind: 'Pod', name: 'web-1', namespace: 'default' } },
        ],
        'test',
      ),
    };
    expect(value(facts, 'ipam.cniAllocationFailures')).toMatchObject({
      value: ['batch/job-1 ×1: unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure range is full', 'default/web-1 ×1: unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure range is full'],
    });
  });

  it('Calico: whether it runs eBPF is not in the facts, so unknown rather than guessed', () => {
    const calico: Workload = { kind: 'DaemonSet', namespace: 'calico-system', name: 'calico-node', labels: {}, images: ['docker.io/calico/node:v3.30.0'], initImages: [], desired: 3, ready: 3, available: 3, updated: 3, env: {} };
    expect(value({ 'k8s.workloads': known([calico], 'test') }, 'cni.ebpfDataplane')).toMatchObject({ state: 'unknown', why: expect.stringContaining('FelixConfiguration') });
  });

  it('CoreDNS pods in trouble, from the crash-looping capture', () => {
    const v = value(demo('pitfall-coredns-failures').facts, 'dns.podTrouble');
    expect(v.state === 'known' && v.value).toEqual([
      expect.stringMatching(/^kube-system\/coredns-\w+-\w+ on lab-worker2?: not ready; container coredns: CrashLoopBackOff, 7 restart\(s\), last run ended Error \(exit 1\)$/),
      expect.stringMatching(/^kube-system\/coredns-\w+-\w+ on lab-worker2?: not ready; container coredns: CrashLoopBackOff, 7 restart\(s\), last run ended Error \(exit 1\)$/),
    ]);
  });

  it('a pod row without trouble is not listed', () => {
    const ok: SystemPod = { app: 'coredns', namespace: 'kube-system', name: 'coredns-a', node: 'n1', phase: 'Running', ready: true, containers: [{ name: 'coredns', init: false, ready: true, restarts: 0, waiting: null, lastTerminated: null }] };
    expect(value({ 'k8s.systemPods': known([ok], 'test') }, 'dns.podTrouble')).toMatchObject({ value: [] });
  });
});
