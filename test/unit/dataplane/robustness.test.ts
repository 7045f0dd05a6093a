import { describe, expect, it } from 'vitest';
import { parseAgentStatusJson, parseAgentStatusText, parseCiliumStatusJson, parseCiliumStatusText, parseHubbleFlows, parseServiceList } from '../../../src/main/core/dataplane';
import { allFixtures } from './helpers';

const PARSERS = { parseCiliumStatusText, parseCiliumStatusJson, parseAgentStatusText, parseAgentStatusJson, parseServiceList, parseHubbleFlows };

/** A small deterministic generator, so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('every parser on every fixture and on garbage', () => {
  const fixtures = allFixtures();

  it('never throws on any fixture given to any parser, whole or cut', () => {
    for (const f of fixtures) {
      for (const [name, parse] of Object.entries(PARSERS)) {
        for (const cut of [f.text.length, Math.floor(f.text.length / 2), Math.floor(f.text.length / 3), 1, 0]) {
          expect(() => parse(f.text.slice(0, cut)), `${name} on ${f.dir}/${f.name} cut at ${cut}`).not.toThrow();
        }
      }
    }
  });

  it('never throws on random bytes or shuffled lines, and reports problems for them', () => {
    const rand = rng(42);
    const lines = fixtures.flatMap((f) => f.text.split('\n'));
    for (let round = 0; round < 200; round++) {
      const junk = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => {
        if (rand() < 0.5) return lines[Math.floor(rand() * lines.length)] ?? '';
        return Array.from({ length: Math.floor(rand() * 60) }, () => String.fromCharCode(Math.floor(rand() * 0x2fff))).join('');
      }).join(rand() < 0.5 ? '\n' : '\r\n');
      for (const parse of Object.values(PARSERS)) expect(() => parse(junk)).not.toThrow();
    }
    for (const parse of Object.values(PARSERS)) {
      const r = parse('\u0000garbage\u0007 line\n{{{{') as { problems: unknown[] };
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });

  it('handles non-string input without throwing', () => {
    for (const parse of Object.values(PARSERS)) {
      for (const bad of [undefined, null, 42, {}, []]) expect(() => parse(bad as unknown as string)).not.toThrow();
    }
  });

  it('parses a large hubble stream in bounded time', () => {
    const line = fixtures.find((f) => f.name === 'hubble-otel-10-flows.jsonl')!.text.split('\n')[0]!;
    const big = Array.from({ length: 20_000 }, () => line).join('\n');
    const t0 = performance.now();
    const r = parseHubbleFlows(big);
    expect(r.flows).toHaveLength(20_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
