import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropArrayMembers } from '../../../src/main/core/probes/cluster-api';

const FIX = join(__dirname, '../../fixtures/probes');

/** What dropping should give: the parsed object without those array members, anywhere. */
function without(v: unknown, keys: readonly string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => without(x, keys));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(keys.includes(k) && Array.isArray(x))).map(([k, x]) => [k, without(x, keys)]));
  return v;
}

describe('dropArrayMembers', () => {
  it('cuts managedFields and images out of a real Node list and a CiliumNode list, leaving the rest intact', () => {
    for (const [file, keys] of [['nodes-list-kind-cilium.json', ['managedFields', 'images']], ['ciliumnodes-list-kind-cilium.json', ['managedFields']]] as const) {
      const text = readFileSync(join(FIX, file), 'utf8');
      expect(text).toContain('"managedFields":[');
      const cut = dropArrayMembers(text, keys);
      expect(cut).not.toContain('"managedFields"');
      expect(cut.length).toBeLessThan(text.length * 0.75);
      expect(JSON.parse(cut)).toEqual(without(JSON.parse(text), keys));
    }
  });

  it('handles the member first, last, alone, and strings with brackets and escaped quotes inside it', () => {
    const cases: unknown[] = [
      { metadata: { managedFields: [{ fieldsV1: { 'k:{"uid":"a]b"}': {}, 'f:x': { '.': {} } }, manager: 'he said \\"]\\"' }], name: 'n' } },
      { metadata: { name: 'n', managedFields: [] } },
      { metadata: { managedFields: [[], [[{}]]] } },
      { items: [{ metadata: { name: 'a', managedFields: [{ m: 'x' }] } }, { metadata: { managedFields: [{ m: '{[' }], name: 'b' } }] },
    ];
    for (const c of cases) expect(JSON.parse(dropArrayMembers(JSON.stringify(c), ['managedFields']))).toEqual(without(c, ['managedFields']));
  });

  it('leaves look-alikes inside strings, non-array values and pretty-printed text alone', () => {
    const inString = JSON.stringify({ data: { 'x.json': '{"managedFields":[1,2]}' }, managedFields: 'not an array' });
    expect(dropArrayMembers(inString, ['managedFields'])).toBe(inString);
    const pretty = JSON.stringify({ metadata: { managedFields: [{ a: 1 }] } }, null, 2);
    expect(dropArrayMembers(pretty, ['managedFields'])).toBe(pretty);
    const unbalanced = '{"managedFields":[{"a":1}';
    expect(dropArrayMembers(unbalanced, ['managedFields'])).toBe(unbalanced);
  });
});
