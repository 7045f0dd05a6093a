import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadPitfalls, parsePitfall } from '../../../src/main/core/pitfalls/load';
import { FACT_KEYS } from '../../../src/main/core/facts/types';

const DIR = join(import.meta.dirname, '../../../resources/pitfalls');

/** A small valid pitfall; tests break one thing at a time. */
function base(): Record<string, unknown> & { nodes: Record<string, unknown>[] } {
  return {
    schemaVersion: 1,
    id: 'demo',
    title: 'Demo',
    summary: 'A demo.',
    category: 'network',
    start: 'installed',
    nodes: [
      { id: 'installed', kind: 'fact', title: 'Cilium?', branches: [{ when: [{ value: 'cilium.installed', equals: true }], next: 'mtu' }, { next: 'no' }] },
      { id: 'mtu', kind: 'question', title: 'MTU', question: 'Underlay MTU?', answer: { type: 'integer', min: 576, max: 9216 }, branches: [{ when: [{ value: 'cilium.mtu', gt: { answer: 'mtu' } }], next: 'yes' }, { next: 'no' }] },
      { id: 'yes', kind: 'diagnosis', verdict: 'this', title: 'Too big', explanation: 'Pods get {{answer.mtu - value.mtu.overhead}}.' },
      { id: 'no', kind: 'diagnosis', verdict: 'not-this', title: 'Fine', explanation: 'Fine.' },
    ],
  };
}

const problems = (doc: unknown) => parsePitfall(stringify(doc)).problems;

describe('the pitfall files', () => {
  it('all seven load without problems and read only facts that exist', () => {
    const r = loadPitfalls(DIR);
    expect(r.errors).toEqual([]);
    expect(r.pitfalls.map((p) => p.pitfall.id).sort()).toEqual(['cni-service-mesh', 'coredns-failures', 'default-cni-scale', 'ebpf-verifier', 'ipam-churn', 'mtu-overlay', 'policy-overlaps']);
    for (const p of r.pitfalls) for (const k of p.needs.facts) expect(FACT_KEYS).toContain(k);
  });

  it('each reads exactly the facts its checks and values need, and the policy analyzer only where used', () => {
    const by = Object.fromEntries(loadPitfalls(DIR).pitfalls.map((p) => [p.pitfall.id, p.needs]));
    expect(by['policy-overlaps']).toEqual({ facts: [], policy: true });
    expect(by['mtu-overlay']!.policy).toBe(false);
    expect(by['mtu-overlay']!.facts).toEqual(['cilium.config', 'k8s.nodes', 'k8s.workloads', 'node.addresses', 'node.interfaces', 'node.route.default']);
    expect(by['ebpf-verifier']!.facts).toEqual(expect.arrayContaining(['k8s.systemPods', 'k8s.systemEvents']));
    expect(by['cni-service-mesh']!.facts).toEqual(expect.arrayContaining(['mesh.workloads', 'mesh.resources']));
  });

  it('a valid file loads with what it needs', () => {
    const r = parsePitfall(stringify(base()));
    expect(r.problems).toEqual([]);
    expect(r.pitfall?.needs).toEqual({ facts: ['cilium.config'], policy: false });
    expect(r.pitfall?.questions).toBe(1);
  });
});

describe('what the loader rejects', () => {
  it('YAML that does not parse, and shapes the schema refuses, with their paths', () => {
    expect(parsePitfall('a: [1, 2').problems[0]).toMatch(/^not valid YAML/);
    const doc = base();
    (doc.nodes[0] as { kind: string }).kind = 'guess';
    expect(problems(doc)[0]).toMatch(/^nodes\.0\.kind/);
    const twoOps = base();
    (twoOps.nodes[0] as { branches: { when?: unknown[] }[] }).branches[0]!.when = [{ value: 'cilium.installed', equals: true, nonEmpty: true }];
    expect(problems(twoOps).join('\n')).toMatch(/exactly one of equals, notEquals/);
  });

  it('branches to missing nodes, unreachable nodes and cycles', () => {
    const dangling = base();
    (dangling.nodes[0] as { branches: { next: string }[] }).branches[1]!.next = 'nowhere';
    expect(problems(dangling)).toContain('node installed: leads to nowhere, which is not a node');
    const unreachable = base();
    unreachable.nodes.push({ id: 'island', kind: 'diagnosis', verdict: 'inconclusive', title: 'x', explanation: 'x' });
    expect(problems(unreachable)).toContain('node island: not reachable from installed');
    const cycle = base();
    (cycle.nodes[1] as { branches: { next: string }[] }).branches[1]!.next = 'installed';
    expect(problems(cycle).some((p) => p.startsWith('cycle: installed → mtu → installed'))).toBe(true);
  });

  it('values that do not exist and operators that do not fit them', () => {
    const unknownValue = base();
    (unknownValue.nodes[0] as { branches: { when: unknown[] }[] }).branches[0]!.when = [{ value: 'cilium.colour', equals: 'blue' }];
    expect(problems(unknownValue)).toContain('node installed: no value named cilium.colour');
    const numberOnBool = base();
    (numberOnBool.nodes[0] as { branches: { when: unknown[] }[] }).branches[0]!.when = [{ value: 'cilium.installed', gt: 3 }];
    expect(problems(numberOnBool)[0]).toMatch(/gt does not fit cilium.installed \(boolean\)/);
    const containsOnNumber = base();
    (containsOnNumber.nodes[0] as { branches: { when: unknown[] }[] }).branches[0]!.when = [{ value: 'cilium.mtu', contains: 'x' }];
    expect(problems(containsOnNumber)[0]).toMatch(/contains does not fit cilium.mtu \(number\)/);
  });

  it('an answer read where not every path asked its question', () => {
    const doc = base();
    (doc.nodes[3] as { explanation: string }).explanation = 'The underlay is {{answer.mtu}}.';
    expect(problems(doc)).toContain('node no explanation: answer.mtu is read where not every path has asked it');
  });

  it('choices that are not choices, conditions on the last branch, checks that miss statuses, bad templates', () => {
    const choice = base();
    choice.nodes[1] = { id: 'mtu', kind: 'question', title: 'Q', question: 'Q?', answer: { type: 'choice', choices: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] }, branches: [{ when: [{ answer: 'mtu', equals: 'c' }], next: 'yes' }, { next: 'no' }] };
    expect(problems(choice)).toContain('node mtu: "c" is not a choice of answer.mtu (a, b)');
    const last = base();
    (last.nodes[0] as { branches: { when?: unknown[] }[] }).branches[1]!.when = [{ value: 'cilium.installed', equals: false }];
    expect(problems(last)).toContain('node installed: the last branch must have no conditions (what happens otherwise)');
    const check = base();
    check.nodes[0] = { id: 'installed', kind: 'check', title: 'MTU check', check: 'net.mtu', on: { fail: 'yes', pass: 'no' } };
    expect(problems(check)).toContain('node installed: no next node for status warn, unknown, not-applicable (add them or a default)');
    const noCheck = base();
    noCheck.nodes[0] = { id: 'installed', kind: 'check', title: 'x', check: 'net.nope', on: { default: 'mtu' } };
    expect(problems(noCheck)).toContain('node installed: check net.nope does not exist');
    const tpl = base();
    (tpl.nodes[2] as { explanation: string }).explanation = 'Pods get {{ value.cilium.mtu * 2 }}.';
    expect(problems(tpl)[0]).toMatch(/^node yes explanation: \{\{value\.cilium\.mtu \* 2\}\} is not/);
    const sumOfList = base();
    (sumOfList.nodes[2] as { explanation: string }).explanation = '{{value.kernel.releases + 1}}';
    expect(problems(sumOfList)).toContain('node yes explanation: value.kernel.releases is a list, not a number');
  });

  it('a walkthrough that can never find, or never rule out, its pitfall', () => {
    const doc = base();
    (doc.nodes[2] as { verdict: string }).verdict = 'inconclusive';
    expect(problems(doc)).toContain('no diagnosis says "this": the walkthrough can never find its pitfall');
  });

  it('duplicate ids across files are reported, the other files still load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-pitfalls-'));
    writeFileSync(join(dir, 'a.yaml'), stringify(base()));
    writeFileSync(join(dir, 'b.yaml'), stringify(base()));
    writeFileSync(join(dir, 'c.yaml'), 'not: [valid');
    const r = loadPitfalls(dir);
    expect(r.pitfalls.map((p) => p.file)).toEqual([join(dir, 'a.yaml')]);
    expect(r.errors.map((e) => [e.file.replace(dir, ''), e.problems[0]])).toEqual([
      ['/b.yaml', 'id demo is used by another file'],
      ['/c.yaml', expect.stringMatching(/^not valid YAML/)],
    ]);
  });
});
