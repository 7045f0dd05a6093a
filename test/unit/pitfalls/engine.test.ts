import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { QuestionNode } from '../../../src/shared/api/pitfalls';
import { known, unknown } from '../../../src/shared/facts';
import type { FactSet } from '../../../src/main/core/facts/types';
import { answerText, newContext, validateAnswer, walk } from '../../../src/main/core/pitfalls/engine';
import { parsePitfall } from '../../../src/main/core/pitfalls/load';
import { readSignal } from '../../../src/main/core/pitfalls/signals';
import { parseTemplate, render, type TemplateScope } from '../../../src/main/core/pitfalls/template';

const scope: TemplateScope = {
  value: (id) =>
    id === 'cilium.mtu'
      ? { known: true, value: 1500, text: '1500 (mtu: "1500")' }
      : id === 'mtu.overhead'
        ? { known: true, value: 50, text: '50 bytes: vxlan over IPv4 50' }
        : id === 'policy.dnsBlockedNamespaces'
          ? { known: true, value: ['shop', 'web'], text: 'shop; web' }
          : { known: false, why: 'not gathered' },
  answer: (id) => (id === 'underlay-mtu' ? { known: true, value: 1460, text: '1460 bytes' } : id === 'path' ? { known: true, value: 'no', text: 'No: every hop carries it' } : { known: false, why: 'not answered' }),
};

describe('templates', () => {
  it('values, their texts, lists, answers and integer sums (operators between spaces: answer ids have dashes)', () => {
    expect(render('MTU {{value.cilium.mtu}} ({{ text value.cilium.mtu }})', scope)).toBe('MTU 1500 (1500 (mtu: "1500"))');
    expect(render('pods get {{answer.underlay-mtu - value.mtu.overhead}}, ping -s {{answer.underlay-mtu - value.mtu.overhead - 28}}', scope)).toBe('pods get 1410, ping -s 1382');
    expect(render('{{answer.underlay-mtu}} / {{text answer.underlay-mtu}} / {{answer.path}}', scope)).toBe('1460 / 1460 bytes / No: every hop carries it');
    expect(render('in {{value.policy.dnsBlockedNamespaces}}:{{list value.policy.dnsBlockedNamespaces}}', scope)).toBe('in shop, web:\n- shop\n- web\n');
    expect(render('{{value.dns.ip}} and {{value.cilium.mtu + value.dns.ip}}', scope)).toBe('(unknown) and (unknown)');
  });

  it('nothing but references: anything else is refused when parsed', () => {
    for (const bad of ['{{ value.cilium.mtu * 2 }}', '{{ process.exit() }}', '{{ list 3 }}', 'a }} b', '{{ answer.x-1 }}x{{']) expect(() => parseTemplate(bad), bad).toThrow();
  });
});

const mtuQuestion = { id: 'mtu', kind: 'question', title: 'Underlay MTU', question: 'q', answer: { type: 'integer', min: 576, max: 65535, unit: 'bytes', allowUnknown: true }, branches: [{ next: 'x' }] } as unknown as QuestionNode;
const choice = { id: 'c', kind: 'question', title: 'Path', question: 'q', answer: { type: 'choice', choices: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }, branches: [{ next: 'x' }] } as unknown as QuestionNode;
const ip = { id: 'r', kind: 'question', title: 'Nameserver', question: 'q', answer: { type: 'ip', family: 'ipv4' }, branches: [{ next: 'x' }] } as unknown as QuestionNode;

describe('answers', () => {
  it('typed answers are checked and normalised', () => {
    expect(validateAnswer(mtuQuestion, 1460)).toBe(1460);
    expect(validateAnswer(mtuQuestion, ' 9001 ')).toBe(9001);
    expect(validateAnswer(mtuQuestion, null)).toBeNull();
    expect(() => validateAnswer(mtuQuestion, 100)).toThrow(/100 is outside 576–65535 bytes/);
    expect(() => validateAnswer(mtuQuestion, '1500mtu')).toThrow(/not a whole number/);
    expect(validateAnswer(choice, 'no')).toBe('no');
    expect(() => validateAnswer(choice, 'maybe')).toThrow(/"maybe" is not one of yes, no/);
    expect(() => validateAnswer(choice, null)).toThrow(/choose one of yes, no/);
    expect(validateAnswer(ip, ' 10.96.0.10 ')).toBe('10.96.0.10');
    expect(() => validateAnswer(ip, 'fd00::10')).toThrow(/not an IPv4 address/);
    expect(() => validateAnswer(ip, '10.96.0.10/16')).toThrow(/not an IP address/);
    expect(() => validateAnswer(ip, null)).toThrow(/an answer is needed/);
    expect(answerText(mtuQuestion.answer, 1460)).toBe('1460 bytes');
    expect(answerText(choice.answer, 'no')).toBe('No');
    expect(answerText(mtuQuestion.answer, null)).toBe('I don’t know');
  });
});

/** A pitfall over cilium-config alone, to walk with hand-made facts. */
const PITFALL = parsePitfall(
  stringify({
    schemaVersion: 1,
    id: 'demo',
    title: 'Demo',
    summary: 'A demo.',
    category: 'network',
    start: 'installed',
    nodes: [
      { id: 'installed', kind: 'fact', title: 'Cilium?', branches: [{ when: [{ value: 'cilium.installed', equals: true }], next: 'pinned', label: 'yes' }, { next: 'no' }] },
      { id: 'pinned', kind: 'fact', title: 'Pinned?', branches: [{ when: [{ value: 'cilium.mtuPinned', equals: true }], next: 'mtu' }, { next: 'no' }] },
      { id: 'mtu', kind: 'question', title: 'MTU', question: 'Underlay MTU?', answer: { type: 'integer', min: 576, max: 9216, allowUnknown: true }, branches: [{ when: [{ value: 'cilium.mtu', gt: { answer: 'mtu' } }], next: 'yes' }, { next: 'no' }] },
      { id: 'yes', kind: 'diagnosis', verdict: 'this', title: 'Too big for {{answer.mtu}}', explanation: 'Pods get {{value.cilium.mtu - value.mtu.overhead}} but should get {{answer.mtu - value.mtu.overhead}}.', fix: { text: 'Set MTU to {{answer.mtu}}.', commands: [['helm', 'upgrade', '--set', 'MTU={{answer.mtu}}']] } },
      { id: 'no', kind: 'diagnosis', verdict: 'not-this', title: 'Fine', explanation: 'Fine.' },
    ],
  }),
).pitfall!;

const cfg = (data: Record<string, string>): FactSet => ({ 'cilium.config': known({ namespace: 'kube-system', data }, 'ConfigMap kube-system/cilium-config') });

describe('walking a path', () => {
  it('stops at the question, continues with the answer, and renders the diagnosis from facts and answers', () => {
    const ctx = newContext(cfg({ 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', mtu: '1500' }), null, null);
    const first = walk(PITFALL, ctx, {});
    expect(first.state).toBe('question');
    expect(first.trail.map((t) => [t.nodeId, t.outcome])).toEqual([
      ['installed', 'yes'],
      ['pinned', 'MTU pinned in cilium-config (true) = true'],
    ]);
    expect(first.question).toMatchObject({ nodeId: 'mtu', question: 'Underlay MTU?' });
    const done = walk(PITFALL, ctx, { mtu: 1460 });
    expect(done.state).toBe('done');
    expect(done.diagnosis).toMatchObject({ verdict: 'this', title: 'Too big for 1460', explanation: 'Pods get 1450 but should get 1410.', fix: { text: 'Set MTU to 1460.', commands: [['helm', 'upgrade', '--set', 'MTU=1460']] } });
    expect(done.trail.at(-2)).toMatchObject({ nodeId: 'mtu', kind: 'question', answer: { value: 1460, text: '1460' }, outcome: 'MTU in cilium-config (1500) > MTU (1460)' });
    // Evidence: the values read on the way and the answer.
    expect(done.diagnosis!.evidence).toEqual(
      expect.arrayContaining([
        { label: 'MTU pinned in cilium-config', value: 'yes: 1500', source: 'ConfigMap kube-system/cilium-config' },
        { label: 'MTU', value: '1460', source: 'your answer' },
      ]),
    );
  });

  it('is deterministic: the same facts and answers give the same path, also in a fresh context', () => {
    const facts = cfg({ mtu: '9001' });
    const a = walk(PITFALL, newContext(facts, null, null), { mtu: 1500 });
    const b = walk(PITFALL, newContext(structuredClone(facts), null, null), { mtu: 1500 });
    const ctx = newContext(facts, null, null);
    walk(PITFALL, ctx, {});
    const c = walk(PITFALL, ctx, { mtu: 1500 });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('answers not on the path are ignored and dropped', () => {
    const r = walk(PITFALL, newContext(cfg({}), null, null), { mtu: 1460 });
    expect(r.diagnosis?.nodeId).toBe('no');
    expect(r.answers).toEqual({});
  });

  it('"I don\'t know" and unknown facts end in an inconclusive diagnosis that says what is missing', () => {
    const idk = walk(PITFALL, newContext(cfg({ mtu: '1500' }), null, null), { mtu: null });
    expect(idk.diagnosis).toMatchObject({ verdict: 'inconclusive', nodeId: 'mtu:unknown' });
    expect(idk.diagnosis!.explanation).toContain('MTU: you answered "I don’t know"');
    const forbidden: FactSet = { 'cilium.config': unknown('forbidden', 'alice cannot get configmaps in kube-system', 'Kubernetes API') };
    const f = walk(PITFALL, newContext(forbidden, null, null), {});
    expect(f.diagnosis).toMatchObject({ verdict: 'inconclusive', nodeId: 'installed:unknown' });
    expect(f.diagnosis!.explanation).toContain('cilium.config: forbidden: alice cannot get configmaps in kube-system');
    expect(f.trail[0]!.observations[0]).toMatchObject({ id: 'cilium.installed', state: 'unknown' });
    const notGathered = walk(PITFALL, newContext({}, null, null), {});
    expect(notGathered.diagnosis!.explanation).toContain('cilium.config was not gathered');
  });

  it('a value whose facts say "not installed" is known (false), not unknown', () => {
    const r = walk(PITFALL, newContext({ 'cilium.config': unknown('not-found', 'no ConfigMap cilium-config', 'probe') }, null, null), {});
    expect(r.diagnosis?.nodeId).toBe('no');
    expect(readSignal(newContext({ 'cilium.config': unknown('not-found', 'x', 'probe') }, null, null), 'cilium.installed')).toMatchObject({ state: 'known', value: false });
  });
});
