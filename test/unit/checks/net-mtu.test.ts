import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netMtu } from '../../../src/main/core/checks/net-mtu';
import { ciliumSettings } from '../../../src/main/core/checks/lib/cilium';
import { mtuOverhead, selectedDevices } from '../../../src/main/core/checks/lib/mtu';
import { parseIpLinkJson } from '../../../src/main/core/probes/host';
import { known, unknown } from '../../../src/shared/facts';
import type { FactSet } from '../../../src/main/core/facts/types';
import { clusterFacts, eth, FIXTURES, mergeFactSets, nodeFacts } from './fixtures';

const cfg = (data: Record<string, string>): FactSet => ({ 'cilium.config': known({ namespace: 'kube-system', data }, 'ConfigMap kube-system/cilium-config') });
const oneNode = (mtu = 1500) => nodeFacts({ n1: { interfaces: [eth('lo', 65536, 'loopback'), eth('eth0', mtu)], route: 'eth0' } });

describe('MTU overheads (Cilium pkg/mtu, the reference table for a 1500 underlay)', () => {
  it.each([
    ['native routing', 1500, { 'routing-mode': 'native' }],
    ['VXLAN', 1450, { 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' }],
    ['Geneve', 1450, { 'routing-mode': 'tunnel', 'tunnel-protocol': 'geneve' }],
    ['VXLAN over an IPv6 underlay (1.20 underlay-protocol)', 1430, { 'routing-mode': 'tunnel', 'underlay-protocol': 'ipv6' }],
    ['VXLAN in an IPv6-only cluster (older agents)', 1430, { 'routing-mode': 'tunnel', 'enable-ipv4': 'false', 'enable-ipv6': 'true' }],
    ['WireGuard native', 1420, { 'routing-mode': 'native', 'enable-wireguard': 'true' }],
    ['WireGuard + VXLAN', 1370, { 'enable-wireguard': 'true' }],
    ['IPsec native', 1423, { 'routing-mode': 'native', 'enable-ipsec': 'true' }],
    ['IPsec + VXLAN', 1373, { 'enable-ipsec': 'true' }],
    ['the pre-1.15 tunnel key: tunnel: disabled', 1500, { tunnel: 'disabled' }],
  ])('%s -> pod route MTU %i', (_name, route, data) => {
    const f = netMtu.evaluate(mergeFactSets(cfg(data), oneNode()), { ciliumVersion: '1.18' });
    expect(f.status, f.summary).toBe('pass');
    expect(f.summary).toContain(`pod route MTU ${route}`);
    expect(1500 - mtuOverhead(ciliumSettings({ namespace: 'kube-system', data })).total).toBe(route);
  });

  it('reads the rendered Helm values: 1.16 native + WireGuard -> 1420, 1.18 IPsec + VXLAN -> 1373', () => {
    const wg = netMtu.evaluate(mergeFactSets(clusterFacts('cilium/cilium-1.16-native-wireguard.yaml'), oneNode()), {});
    expect(wg.summary).toContain('pod route MTU 1420');
    const ipsec = netMtu.evaluate(mergeFactSets(clusterFacts('cilium/cilium-1.18-ipsec.yaml'), oneNode()), {});
    expect(ipsec.summary).toContain('pod route MTU 1373');
  });
});

describe('net.mtu verdicts', () => {
  it('fails when the configured mtu (Helm MTU=9000) exceeds a 1500 underlay', () => {
    const f = netMtu.evaluate(mergeFactSets(clusterFacts('cilium/cilium-1.18-mtu-9000.yaml'), oneNode(1500)), {});
    expect(f.status).toBe('fail');
    expect(f.details![0]!.summary).toContain('pods send up to 8950 + 50 = 9000 bytes but eth0 (default route) carries 1500');
    expect(f.fix?.yaml).toBe('# Helm values for cilium\nMTU: 1500\n');
  });

  it('passes a configured mtu below the underlay (jumbo frames with MTU 1500 set)', () => {
    const f = netMtu.evaluate(mergeFactSets(cfg({ mtu: '1500' }), oneNode(9001)), {});
    expect(f.status).toBe('pass');
    expect(f.summary).toContain('pod route MTU 1450');
  });

  it('uses the device holding the node IP (kind node: InternalIP 172.18.0.3 on eth0)', () => {
    const facts = mergeFactSets(
      clusterFacts('k8s/kind-cilium-nodes.yaml', 'cilium/cilium-1.18-default.yaml'),
      nodeFacts({
        'cilium-nodes-worker': {
          interfaces: [eth('lo', 65536, 'loopback'), eth('eth0', 1500), eth('cilium_host', 1500), eth('cilium_vxlan', 1500, 'vxlan'), eth('lxc_health', 1450)],
          addresses: [{ device: 'eth0', address: '172.18.0.3', prefixLength: 16, family: 'ipv4' }, { device: 'cilium_host', address: '10.244.1.23', prefixLength: 32, family: 'ipv4' }],
        },
      }),
    );
    const f = netMtu.evaluate(facts, {});
    // The control plane has no node facts: unknown, named; the worker is judged.
    expect(f.status).toBe('unknown');
    expect(f.details).toEqual([expect.objectContaining({ subject: 'cilium-nodes-control-plane', status: 'unknown' })]);
    expect(f.evidence).toContainEqual(expect.objectContaining({ label: 'Underlay MTU', value: '1500 on 1 node (cilium-nodes-worker)' }));
  });

  it('1.17+ agents take the smallest selected device; older ones the node-IP device', () => {
    const ifs = [eth('eth0', 9001, 'ether'), eth('eth1', 1500, 'ether'), eth('docker0', 1500, 'bridge'), eth('veth1a2b', 1500)];
    const addrs = [
      { device: 'eth0', address: '10.0.0.5', prefixLength: 24, family: 'ipv4' as const },
      { device: 'eth1', address: '192.168.1.5', prefixLength: 24, family: 'ipv4' as const },
      { device: 'docker0', address: '172.17.0.1', prefixLength: 16, family: 'ipv4' as const },
    ];
    expect(selectedDevices(ifs, addrs, ['eth0']).map((d) => d.name)).toEqual(['eth0', 'eth1']);
    const facts = mergeFactSets(cfg({ 'routing-mode': 'native' }), nodeFacts({ n1: { interfaces: ifs, addresses: addrs, route: 'eth0' } }));
    expect(netMtu.evaluate(facts, { ciliumVersion: '1.18' }).summary).toContain('pod route MTU 1500');
    expect(netMtu.evaluate(facts, { ciliumVersion: '1.16' }).summary).toContain('pod route MTU 9001');
  });

  it('warns when nodes disagree on the underlay MTU', () => {
    const facts = mergeFactSets(cfg({}), nodeFacts({ a: { interfaces: [eth('eth0', 1500)], route: 'eth0' }, b: { interfaces: [eth('eth0', 1500)], route: 'eth0' }, c: { interfaces: [eth('eth0', 9001)], route: 'eth0' } }));
    const f = netMtu.evaluate(facts, {});
    expect(f.status).toBe('warn');
    expect(f.summary).toContain('nodes disagree on the underlay MTU (1500 on 2 nodes, 9001 on 1 node)');
    expect(f.details).toEqual([expect.objectContaining({ subject: 'c', status: 'warn' })]);
  });

  it('fails an IPv6 cluster whose route MTU drops below 1280', () => {
    const f = netMtu.evaluate(mergeFactSets(cfg({ 'enable-ipv6': 'true', 'enable-wireguard': 'true' }), oneNode(1400)), {});
    expect(f.status).toBe('fail');
    expect(f.details![0]!.summary).toContain("below IPv6's minimum 1280");
  });

  it('judges real `ip -j -d link` output (veth 9000 and vxlan42 in a namespace)', () => {
    const ifs = parseIpLinkJson(readFileSync(join(FIXTURES, '../host/ip-link-veth-vxlan.json'), 'utf8'));
    const facts = mergeFactSets(cfg({}), nodeFacts({ ns: { interfaces: ifs, route: 'veth0' } }));
    const f = netMtu.evaluate(facts, { ciliumVersion: '1.16' });
    expect(f.status).toBe('pass');
    expect(f.summary).toContain('pod route MTU 8950');
  });

  it('plans with Cilium defaults when Cilium is not installed', () => {
    const f = netMtu.evaluate(mergeFactSets({ 'cilium.config': unknown('not-found', 'no ConfigMap cilium-config') }, oneNode()), {});
    expect(f.status).toBe('pass');
    expect(f.evidence[0]!.value).toContain('Cilium not installed');
    expect(f.summary).toContain('pod route MTU 1450');
  });

  it('is unknown when no interface MTU is known, and still says what pods would get', () => {
    const f = netMtu.evaluate({ ...cfg({}), 'node.interfaces': unknown('not-applicable', 'cluster target without node access (enable node debug pods)') }, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('with a 1500-byte base MTU pods would get 1450');
    expect(f.summary).toContain('node.interfaces: not-applicable: cluster target without node access');
  });

  it('is unknown when cilium-config cannot be read', () => {
    const f = netMtu.evaluate({ 'cilium.config': unknown('forbidden', 'cannot get configmaps in kube-system (needs get on configmaps)') }, {});
    expect(f.status).toBe('unknown');
    expect(f.summary).toContain('cilium.config: forbidden');
  });
});
