import { describe, expect, it } from 'vitest';
import { parseServiceAddress, parseServiceList } from '../../../src/main/core/dataplane';
import { fixture, fixtureNames } from './helpers';

const DIR = 'service-list';

/** id, frontend, type, backends as "addr state" */
const CASES: Record<string, [number | null, string, string, string[]][]> = {
  'docs-kubeproxy-free.txt': [
    [4, '10.104.239.135:80/TCP', 'ClusterIP', ['10.217.0.107:80/TCP -', '10.217.0.149:80/TCP -']],
    [5, '0.0.0.0:31940/TCP', 'NodePort', ['10.217.0.107:80/TCP -', '10.217.0.149:80/TCP -']],
    [6, '192.168.178.29:31940/TCP', 'NodePort', ['10.217.0.107:80/TCP -', '10.217.0.149:80/TCP -']],
    [7, '172.16.0.29:31940/TCP', 'NodePort', ['10.217.0.107:80/TCP -', '10.217.0.149:80/TCP -']],
  ],
  'blog-eks-v1.14.8.txt': [
    [1, '172.20.0.1:443', 'ClusterIP', ['10.0.1.15:443 active', '10.0.2.226:443 active']],
    [2, '172.20.208.197:443', 'ClusterIP', ['10.0.1.150:4244 active']],
    [3, '172.20.22.66:80', 'ClusterIP', ['10.0.3.36:4245 active']],
    [4, '172.20.141.67:80', 'ClusterIP', ['10.0.2.229:8081 active']],
    [5, '172.20.0.10:53', 'ClusterIP', ['10.0.1.144:53 active', '10.0.3.123:53 active']],
    [6, '172.20.80.220:80', 'ClusterIP', ['10.0.1.216:80 active', '10.0.3.39:80 active']],
    [7, '10.0.1.150:32449', 'NodePort', ['10.0.1.216:80 active', '10.0.3.39:80 active']],
    [8, '10.0.1.37:32449', 'NodePort', ['10.0.1.216:80 active', '10.0.3.39:80 active']],
    [9, '0.0.0.0:32449', 'NodePort', ['10.0.1.216:80 active', '10.0.3.39:80 active']],
  ],
  'cilium-24136-service-get.txt': [
    [3043, '10.32.95.217:6379', 'NodePort', ['10.246.1.34:42069 active', '10.249.92.40:42069 maintenance', '10.246.3.34:42069 active']],
  ],
  'cilium-44301-v1.19-dev.txt': [
    [1, '10.96.62.28:80/TCP', 'ClusterIP', ['10.244.1.149:4245/TCP active']],
    [2, '10.96.0.10:53/TCP', 'ClusterIP', ['10.244.1.69:53/TCP active', '10.244.1.109:53/TCP active']],
    [3, '10.96.0.10:53/UDP', 'ClusterIP', ['10.244.1.69:53/UDP active', '10.244.1.109:53/UDP active']],
    [4, '10.96.0.10:9153/TCP', 'ClusterIP', ['10.244.1.69:9153/TCP active', '10.244.1.109:9153/TCP active']],
    [5, '10.96.0.1:443/TCP', 'ClusterIP', ['172.19.0.2:6443/TCP active']],
    [12, '10.96.162.7:443/TCP', 'ClusterIP', ['172.19.0.2:4244/TCP active']],
    [15, '10.96.106.135:80/TCP', 'ClusterIP', ['10.244.1.115:80/TCP active']],
  ],
  'cilium-15737-ci-no-state.txt': [
    [1, '10.96.0.1:443', 'ClusterIP', ['192.168.36.11:6443 -']],
    [2, '10.96.0.10:53', 'ClusterIP', ['10.0.1.211:53 -']],
    [3, '10.96.0.10:9153', 'ClusterIP', ['10.0.1.211:9153 -']],
    [4, '10.101.168.79:3000', 'ClusterIP', []],
    [5, '10.111.208.107:9090', 'ClusterIP', ['10.0.0.99:9090 -']],
    [6, '10.97.107.174:69', 'ClusterIP', ['10.0.1.23:69 -']],
  ],
};

describe('parseServiceList on real outputs', () => {
  it('has an expectation for every fixture', () => {
    expect(fixtureNames(DIR).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, rows] of Object.entries(CASES)) {
    it(name, () => {
      const text = fixture(DIR, name);
      const r = parseServiceList(text);
      expect(r.problems).toEqual([]);
      expect(r.rows.map((x) => [x.id, x.frontend.raw, x.type, x.backends.map((b) => `${b.raw} ${b.state ?? '-'}`)])).toEqual(rows);
      // Every "N => addr" in the raw text is a backend of some row.
      expect(r.rows.reduce((n, x) => n + x.backends.length, 0)).toBe((text.match(/\d+ => /g) ?? []).length);
    });
  }

  it('splits addresses into ip, port and protocol', () => {
    const r = parseServiceList(fixture(DIR, 'cilium-44301-v1.19-dev.txt'));
    expect(r.rows[2]?.frontend).toEqual({ raw: '10.96.0.10:53/UDP', ip: '10.96.0.10', port: 53, protocol: 'UDP' });
    expect(r.rows[2]?.backends[1]).toEqual({ raw: '10.244.1.109:53/UDP', ip: '10.244.1.109', port: 53, protocol: 'UDP', index: 2, state: 'active' });
  });
});

describe('service list variants and bad input', () => {
  it('reads IPv6 frontends, the frontend-keyed form without IDs, and terminating backends', () => {
    const r = parseServiceList(
      [
        'Frontend          Service Type   Backend',
        '10.0.0.2:80:TCP   NodePort       1 => 172.29.0.3:80 (active)',
        '[fd00::1]:443/TCP   ClusterIP   1 => [fd00::2]:6443/TCP (terminating)',
        '                                2 => [fd00::3]:6443/TCP (quarantined)',
      ].join('\n'),
    );
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.id, x.frontend.ip, x.frontend.port, x.frontend.protocol, x.backends.map((b) => [b.ip, b.state])])).toEqual([
      [null, '10.0.0.2', 80, 'TCP', [['172.29.0.3', 'active']]],
      [null, 'fd00::1', 443, 'TCP', [['fd00::2', 'terminating'], ['fd00::3', 'quarantined']]],
    ]);
  });

  it('reports lines it cannot read and backends with no service', () => {
    const r = parseServiceList('   1 => 10.0.0.1:80 (active)\nError: connection refused\n7   not-an-address   ClusterIP');
    expect(r.rows).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'backend without a service row'],
      [2, 'unrecognised line'],
      [3, 'unrecognised line'],
    ]);
  });

  it('handles empty input and truncation', () => {
    expect(parseServiceList('').problems[0]?.reason).toBe('empty input');
    const text = fixture(DIR, 'blog-eks-v1.14.8.txt');
    for (let i = 0; i <= text.length; i += 3) expect(() => parseServiceList(text.slice(0, i))).not.toThrow();
  });

  it('rejects things that are not addresses', () => {
    expect(parseServiceAddress('hello:80')).toBeNull();
    expect(parseServiceAddress('10.0.0.1:80/TCP')).toMatchObject({ ip: '10.0.0.1', port: 80, protocol: 'TCP' });
  });
});
