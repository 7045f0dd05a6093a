import { describe, expect, it } from 'vitest';
import { parseHubbleFlows } from '../../../src/main/core/dataplane';
import { fixture, fixtureNames } from './helpers';

const DIR = 'hubble';

describe('parseHubbleFlows on real outputs', () => {
  const real = fixtureNames(DIR, '.jsonl').filter((f) => !f.startsWith('constructed-'));

  it.each(real)('%s: one row per line, values taken from the JSON', (name) => {
    const text = fixture(DIR, name);
    const r = parseHubbleFlows(text);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    expect(r.problems).toEqual([]);
    expect(r.flows).toHaveLength(lines.length);
    r.flows.forEach((f, i) => {
      const obj = JSON.parse(lines[i]!) as Record<string, unknown>;
      const flow = (obj.flow ?? obj) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(f.line).toBe(i + 1);
      expect(f.enveloped).toBe('flow' in obj);
      expect(f.time).toBe(flow.time);
      expect(f.verdict).toBe(flow.verdict);
      expect(f.source.ip).toBe(flow.IP?.source ?? null);
      expect(f.destination.ip).toBe(flow.IP?.destination ?? null);
      expect(f.node).toBe(flow.node_name ?? null);
      expect(f.trafficDirection).toBe(flow.traffic_direction ?? null);
      expect(f.flowType).toBe(flow.Type ?? null);
      if (flow.source?.pod_name) expect(f.source.display).toBe(`${flow.source.namespace}/${flow.source.pod_name}`);
      if (flow.drop_reason_desc) expect(f.dropReason).toBe(flow.drop_reason_desc);
      const l4 = flow.l4 ?? {};
      const proto = Object.keys(l4)[0] ?? null;
      expect(f.l4.protocol).toBe(proto);
      if (proto === 'TCP' || proto === 'UDP') {
        expect(f.l4.sourcePort).toBe(l4[proto].source_port ?? null);
        expect(f.l4.destinationPort).toBe(l4[proto].destination_port ?? null);
      }
    });
    expect(Object.values(r.counts.byVerdict).reduce((a, b) => a + b, 0)).toBe(r.counts.total);
  });

  it('docs exporter lines: DROPPED with POLICY_DENIED and INVALID_SOURCE_IP', () => {
    const r = parseHubbleFlows(fixture(DIR, 'docs-exporter-fieldmask.jsonl'));
    expect(r.counts.byVerdict).toEqual({ DROPPED: 2 });
    const [icmp, tcp] = r.flows;
    expect(icmp).toMatchObject({ dropReason: 'INVALID_SOURCE_IP', l4: { protocol: 'ICMPv6', icmpType: 133, summary: 'ICMPv6 type 133' } });
    expect(icmp?.source.display).toBe('fe80::64d8:8aff:fe72:fc14');
    expect(tcp).toMatchObject({
      verdict: 'DROPPED',
      dropReason: 'POLICY_DENIED',
      node: 'kind-kind/kind-worker',
      l4: { protocol: 'TCP', sourcePort: 44916, destinationPort: 80, flags: ['SYN'], summary: 'TCP 44916 → 80 [SYN]' },
    });
    expect(tcp?.source.display).toBe('default/xwing');
    expect(tcp?.destination.display).toBe('default/deathstar-7848d6c4d5-th9v2');
  });

  it('a bare flow (no envelope) from a remote node, dropped by policy', () => {
    const [f] = parseHubbleFlows(fixture(DIR, 'cilium-18746-bare-dropped.jsonl')).flows;
    expect(f).toMatchObject({ enveloped: false, verdict: 'DROPPED', dropReason: 'POLICY_DENIED', dropReasonCode: 133, trafficDirection: 'INGRESS', flowType: 'L3_L4', summary: 'TCP Flags: SYN' });
    expect(f?.source).toMatchObject({ display: '10.15.242.79 (remote-node)', reserved: ['remote-node'], identity: 6, pod: null });
    expect(f?.destination).toMatchObject({ namespace: 'namespace-name', pod: 'pod-name-nginx-5869cc6967-trl5q', identity: 50486, port: 8182 });
  });

  it('DNS flows: query and NXDOMAIN answer', () => {
    const r = parseHubbleFlows(fixture(DIR, 'hubble-otel-5-dns-flows.jsonl'));
    expect(r.flows[0]?.l7).toMatchObject({
      type: 'REQUEST',
      dns: { query: 'istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.', qtypes: ['A'], rcode: null },
      summary: 'DNS query istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local. A',
    });
    expect(r.flows[1]?.l7).toMatchObject({ type: 'RESPONSE', dns: { rcode: 3 } });
    expect(r.flows[1]?.l7?.summary).toBe('DNS answer istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local. A (NXDOMAIN)');
    expect(r.flows.every((f) => f.flowType === 'L7' && f.trafficDirection === 'EGRESS')).toBe(true);
  });

  it('HTTP flows: method, URL, code and latency; world identity', () => {
    const r = parseHubbleFlows(fixture(DIR, 'hubble-otel-5-http-flows.jsonl'));
    expect(r.flows[0]?.l7).toMatchObject({ type: 'REQUEST', http: { method: 'GET', url: 'http://10.128.0.4:9990/metrics', code: null, protocol: 'HTTP/1.1' } });
    expect(r.flows[0]?.destination.display).toBe('10.128.0.4 (world)');
    const responses = r.flows.filter((f) => f.l7?.type === 'RESPONSE');
    expect(responses).toHaveLength(2);
    expect(responses[0]?.l7?.http?.code).toBe(503);
    expect(responses[0]?.l7?.latencyNs).toBe(999958359);
    expect(responses[0]?.l7?.summary).toBe('HTTP GET http://10.156.1.2:9253/metrics → 503');
  });

  it('ICMPv4 echo request and reply between host and health endpoints', () => {
    const r = parseHubbleFlows(fixture(DIR, 'hubble-otel-icmpv4-flows.jsonl'));
    expect(r.flows[0]).toMatchObject({ l4: { protocol: 'ICMPv4', icmpType: 8 }, summary: 'ICMPv4 EchoRequest', isReply: false, observationPoint: 'TO_ENDPOINT' });
    expect(r.flows[0]?.source.display).toBe('10.244.0.148 (host)');
    expect(r.flows[0]?.destination.display).toBe('10.244.0.160 (health)');
    expect(r.flows[1]).toMatchObject({ l4: { protocol: 'ICMPv4', icmpType: 0 }, summary: 'ICMPv4 EchoReply', isReply: true });
  });
});

describe('parseHubbleFlows on mixed and bad input', () => {
  it('keeps flows from a stream with blanks, warnings, other events and broken lines (constructed)', () => {
    const r = parseHubbleFlows(fixture(DIR, 'constructed-mixed-stream.jsonl'));
    expect(r.flows.map((f) => [f.line, f.verdict, f.enveloped])).toEqual([
      [3, 'DROPPED', true],
      [7, 'DROPPED', false],
      [10, 'FORWARDED', true],
    ]);
    expect(r.otherEvents).toEqual([{ line: 5, kind: 'node_status' }]);
    expect(r.problems.map((p) => [p.line, p.reason.replace(/:.*$/, '')])).toEqual([
      [2, 'not JSON (a warning or other text)'],
      [6, 'invalid JSON'],
      [9, 'not JSON (a warning or other text)'],
    ]);
    expect(r.counts).toEqual({ total: 3, byVerdict: { DROPPED: 2, FORWARDED: 1 } });
  });

  it('reads a JSON array (output piped through jq -s)', () => {
    const lines = fixture(DIR, 'docs-exporter-fieldmask.jsonl').trim().split('\n');
    const r = parseHubbleFlows(`[${lines.join(',')}]`);
    expect(r.flows).toHaveLength(2);
    expect(r.problems).toEqual([]);
  });

  it('never throws, whatever it is given', () => {
    const text = fixture(DIR, 'hubble-otel-5-http-flows.jsonl');
    for (let i = 0; i <= text.length; i += 97) expect(() => parseHubbleFlows(text.slice(0, i))).not.toThrow();
    for (const junk of ['', '\n\n', '{}', 'null', '{"flow": null}', '{"flow": {"l4": {"TCP": null}, "source": 3}}', '\u0000\u0001', '[', '{"flow":{"l7":{"http":{"code":"x"}}}}']) {
      expect(() => parseHubbleFlows(junk)).not.toThrow();
    }
    expect(parseHubbleFlows('{}').problems[0]?.reason).toBe('empty JSON object');
    expect(parseHubbleFlows('{"flow": {"l4": {"TCP": null}, "source": 3}}').flows[0]?.l4.protocol).toBeNull();
  });

  it('names a flow endpoint by identity labels when there is no pod or IP', () => {
    const r = parseHubbleFlows('{"flow":{"verdict":"FORWARDED","source":{"identity":2,"labels":["reserved:world"]},"destination":{"identity":12345}}}');
    expect(r.flows[0]?.source.display).toBe('reserved:world');
    expect(r.flows[0]?.destination.display).toBe('identity 12345');
  });
});
