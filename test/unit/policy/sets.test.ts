import { describe, expect, it } from 'vitest';
import { ConnSet } from '../../../src/main/core/policy/connset';
import { formatRange, IpSet, parseCidr, parseRangeText, partition } from '../../../src/main/core/policy/ipset';

const c = (v: Parameters<typeof ConnSet.parse>[0]) => ConnSet.parse(v);

describe('ConnSet', () => {
  it.each([
    ['union merges adjacent ranges', c({ TCP: '80-89' }).union(c({ TCP: '90,100' })), { TCP: '80-90,100' }],
    ['union across protocols', c({ TCP: '80' }).union(c({ UDP: '53' })), { TCP: '80', UDP: '53' }],
    ['intersection', c({ TCP: '1-100,200-300' }).intersect(c({ TCP: '50-250' })), { TCP: '50-100,200-250' }],
    ['intersection of disjoint sets is empty', c({ TCP: '80' }).intersect(c({ UDP: '80' })), {}],
    ['difference splits a range', c({ TCP: '1-65535' }).subtract(c({ TCP: '8080' })), { TCP: '1-8079,8081-65535' }],
    ['difference from all', ConnSet.ALL.subtract(c({ UDP: '53' })), { TCP: '1-65535', UDP: '1-52,54-65535', SCTP: '1-65535' }],
    ['all minus nothing is all', ConnSet.ALL.subtract(ConnSet.EMPTY), 'all'],
    ['three protocols full is all', c({ TCP: '1-65535', UDP: '1-65535', SCTP: '1-65535' }), 'all'],
    ['overlapping inputs merge', c({ SCTP: '5-10,1-6' }), { SCTP: '1-10' }],
  ])('%s', (_name, set, json) => {
    expect(set.toJSON()).toEqual(json);
  });

  it('interns equal sets so equality is identity', () => {
    expect(c({ TCP: '80,81' })).toBe(ConnSet.ports('TCP', 80, 81));
    expect(c({ TCP: '80' }).union(c({ TCP: '81' }))).toBe(c({ TCP: '80-81' }));
  });

  it.each([
    [c({ TCP: '80' }), 'TCP', 80, true],
    [c({ TCP: '80' }), 'TCP', 81, false],
    [c({ TCP: '80' }), 'UDP', 80, false],
    [c({ UDP: '1-65535' }), 'UDP', 65535, true],
  ] as const)('contains %#', (set, proto, port, want) => {
    expect(set.contains(proto, port)).toBe(want);
  });

  it('formats text like netpol-analyzer (protocols alphabetical)', () => {
    expect(c({ UDP: '9090', TCP: '8080-8081', SCTP: '7070' }).toText()).toBe('SCTP 7070,TCP 8080-8081,UDP 9090');
    expect(ConnSet.ALL.toText()).toBe('All Connections');
  });

  it('covers', () => {
    expect(c({ TCP: '1-100' }).covers(c({ TCP: '5-10' }))).toBe(true);
    expect(c({ TCP: '1-100' }).covers(c({ TCP: '5-101' }))).toBe(false);
  });
});

describe('IP sets', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0-10.255.255.255'],
    ['10.1.2.3/8', '10.0.0.0-10.255.255.255'], // host bits masked, as the API server accepts them
    ['0.0.0.0/0', '0.0.0.0-255.255.255.255'],
    ['192.168.1.7/32', '192.168.1.7-192.168.1.7'],
    ['2001:db8::/32', '2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('parses %s', (cidr, range) => {
    const r = parseCidr(cidr);
    expect(r && formatRange(r)).toBe(range);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0/8', '300.0.0.0/8', '010.0.0.0/8x', 'fe80::/129'])('rejects %s', (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });

  it('accepts a bare address only when asked (Cilium fromCIDR)', () => {
    expect(parseCidr('20.1.1.1', true)).toEqual({ family: 4, start: 0x14010101n, end: 0x14010101n });
  });

  it('partitions the space at every cidr and except (0.0.0.0/0 except 10/8, and 10.1/16)', () => {
    const a = IpSet.ALL.subtract(IpSet.range(parseCidr('10.0.0.0/8')!));
    const b = IpSet.range(parseCidr('10.1.0.0/16')!);
    expect(partition([a, b], [4]).map(formatRange)).toEqual([
      '0.0.0.0-9.255.255.255',
      '10.0.0.0-10.0.255.255',
      '10.1.0.0-10.1.255.255',
      '10.2.0.0-10.255.255.255',
      '11.0.0.0-255.255.255.255',
    ]);
  });

  it('parses ranges back', () => {
    expect(parseRangeText('10.0.0.0-10.0.255.255')).toEqual({ family: 4, start: 0x0a000000n, end: 0x0a00ffffn });
    expect(parseRangeText('10.0.0.9-10.0.0.1')).toBeUndefined();
  });
});
