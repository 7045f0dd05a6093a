import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartDefaults, kindLabDefaults, parseCiliumValues, renderValuesYaml, saveValuesFile, toHelmValues, valuesFromYaml } from '../../../src/main/core/cilium-values';
import { LabError } from '../../../src/shared/errors';
import { CASES } from './cases';

const FIX = join(__dirname, '../../fixtures/cilium-values');
const rendered = (name: string) => parse(readFileSync(join(FIX, `${name}.rendered.yaml`), 'utf8')) as {
  ciliumConfig: Record<string, string>;
  agentEnv: Record<string, string>;
  operator: { replicas: number; resources: unknown };
  workloads: string[];
};

describe('Cilium values: rendered by the lab, consumed by the real chart', () => {
  it.each(Object.keys(CASES))('%s: the renderer still writes the file the fixture was rendered from', (name) => {
    expect(renderValuesYaml(CASES[name]!, { ciliumVersion: '1.18.6' })).toBe(readFileSync(join(FIX, `${name}.values.yaml`), 'utf8'));
  });

  // What helm template (chart 1.18.6) made of each file: the form's fields reach cilium-config.
  it.each(Object.keys(CASES))('%s: cilium-config, the agent env and the operator follow the values', (name) => {
    const v = CASES[name]!;
    const r = rendered(name);
    const c = r.ciliumConfig;
    expect(c['kube-proxy-replacement']).toBe(String(v.kubeProxyReplacement));
    expect(c.ipam).toBe(v.ipam.mode);
    expect(c['routing-mode']).toBe(v.routingMode);
    if (v.routingMode === 'tunnel') expect(c['tunnel-protocol']).toBe(v.tunnelProtocol ?? 'vxlan');
    expect(c['datapath-mode']).toBe(v.bpf.datapathMode);
    expect(c['enable-bpf-masquerade']).toBe(String(v.bpf.masquerade));
    if (v.ipv4NativeRoutingCIDR) expect(c['ipv4-native-routing-cidr']).toBe(v.ipv4NativeRoutingCIDR);
    if (v.autoDirectNodeRoutes) expect(c['auto-direct-node-routes']).toBe('true');
    if (v.MTU) expect(c.mtu).toBe(String(v.MTU));
    if (v.ipam.mode === 'cluster-pool') {
      expect(c['cluster-pool-ipv4-cidr']).toBe((v.ipam.operator?.clusterPoolIPv4PodCIDRList ?? ['10.0.0.0/8']).join(' '));
      expect(c['cluster-pool-ipv4-mask-size']).toBe(String(v.ipam.operator?.clusterPoolIPv4MaskSize ?? 24));
    } else expect(c['cluster-pool-ipv4-cidr']).toBeUndefined();
    if (v.k8sServiceHost) expect(r.agentEnv).toEqual({ KUBERNETES_SERVICE_HOST: v.k8sServiceHost, KUBERNETES_SERVICE_PORT: String(v.k8sServicePort) });
    else expect(r.agentEnv).toEqual({});
    expect(r.operator.replicas).toBe(v.operator.replicas);
    if (v.operator.resources) expect(r.operator.resources).toEqual(v.operator.resources);
    expect(r.workloads.includes('Deployment/hubble-relay')).toBe(v.hubble.relay.enabled);
    expect(r.workloads.includes('Deployment/hubble-ui')).toBe(v.hubble.ui.enabled);
    expect(r.workloads).toEqual(expect.arrayContaining(['DaemonSet/cilium', 'Deployment/cilium-operator']));
  });

  it('round-trips every case through its YAML', () => {
    for (const [name, v] of Object.entries(CASES)) {
      const back = valuesFromYaml(renderValuesYaml(v), chartDefaults());
      expect(back.ignored, name).toEqual([]);
      expect(back.values, name).toEqual(parseCiliumValues(v));
    }
  });

  it('reads a values file written by hand: strings the chart accepts, legacy modes, and keys the form does not edit', () => {
    const text = [
      'kubeProxyReplacement: "strict"',
      'k8sServiceHost: kind-control-plane',
      'k8sServicePort: "6443"',
      'ipam:',
      '  mode: cluster-pool',
      '  operator:',
      '    clusterPoolIPv4PodCIDRList: "10.42.0.0/16 10.43.0.0/16"',
      'cluster:',
      '  name: lab',
      'encryption:',
      '  enabled: true',
      '  type: wireguard',
    ].join('\n');
    const { values, ignored } = valuesFromYaml(text, chartDefaults());
    expect(values.kubeProxyReplacement).toBe('strict');
    expect(values.k8sServicePort).toBe(6443);
    expect(values.ipam.operator?.clusterPoolIPv4PodCIDRList).toEqual(['10.42.0.0/16', '10.43.0.0/16']);
    expect(ignored).toEqual(['cluster.name', 'encryption.enabled', 'encryption.type']);
  });

  it('drops defaults of another mode than the file’s (no cluster-pool CIDRs for ipam kubernetes)', () => {
    const { values } = valuesFromYaml('ipam:\n  mode: kubernetes\nroutingMode: native\nipv4NativeRoutingCIDR: 10.244.0.0/16\n', chartDefaults());
    expect(values.ipam).toEqual({ mode: 'kubernetes' });
    expect(values.tunnelProtocol).toBeUndefined();
  });

  it('writes booleans for kubeProxyReplacement "true"/"false", keeps legacy strings, drops empty resources', () => {
    expect(toHelmValues({ ...kindLabDefaults(), kubeProxyReplacement: 'true' }).kubeProxyReplacement).toBe(true);
    expect(toHelmValues({ ...kindLabDefaults(), kubeProxyReplacement: 'partial' }).kubeProxyReplacement).toBe('partial');
    const h = toHelmValues({ ...kindLabDefaults(), operator: { replicas: 1, resources: { requests: { cpu: '', memory: '' }, limits: {} } } });
    expect(h.operator).toEqual({ replicas: 1 });
  });

  it('rejects values the chart would not take, naming the field', () => {
    expect(() => parseCiliumValues({ ...kindLabDefaults(), bpf: { masquerade: true, datapathMode: 'ipvlan' } })).toThrow(/bpf\.datapathMode/);
    expect(() => parseCiliumValues({ ...kindLabDefaults(), operator: { replicas: 1, resources: { requests: { cpu: 'lots' } } } })).toThrow(/operator\.resources\.requests\.cpu/);
    expect(() => parseCiliumValues({ ...kindLabDefaults(), k8sServiceHost: 'a b' })).toThrow(/k8sServiceHost/);
  });
});

describe('saving the values file where the user chose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpl-values-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the rendered file', () => {
    const path = join(dir, 'cilium-values.yaml');
    const r = saveValuesFile(path, kindLabDefaults(), { ciliumVersion: '1.18.6' });
    expect(readFileSync(path, 'utf8')).toBe(renderValuesYaml(kindLabDefaults(), { ciliumVersion: '1.18.6' }));
    expect(r).toEqual({ path, bytes: Buffer.byteLength(readFileSync(path)) });
  });

  it.each([
    ['relative.yaml', 'INVALID_REQUEST', /not an absolute path/],
    ['/etc/passwd', 'INVALID_REQUEST', /\.yaml or \.yml/],
    ['/nonexistent-folder-xyz/values.yaml', 'NOT_FOUND', /does not exist/],
  ])('refuses %s', (path, code, message) => {
    try {
      saveValuesFile(path, kindLabDefaults());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe(code);
      expect((err as LabError).message).toMatch(message);
    }
  });

  it('refuses a folder named like a values file', () => {
    mkdirSync(join(dir, 'folder.yaml'));
    expect(() => saveValuesFile(join(dir, 'folder.yaml'), kindLabDefaults())).toThrow(/is a folder/);
  });
});
