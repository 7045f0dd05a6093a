import { mkdtempSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadWalkthroughs, parseWalkthrough, validateParam, validateParams, evalWhen, renderManifest, resolveArg, type Scope } from '../../../src/main/core/walkthrough';
import { WalkthroughSchema, type Parameter } from '../../../src/shared/api/walkthrough';

const DIR = join(__dirname, '../../../resources/walkthroughs');

describe('every walkthrough in resources/walkthroughs', () => {
  const result = loadWalkthroughs(DIR);

  it('loads without a problem', () => {
    expect(result.errors).toEqual([]);
    const yamlFiles = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
    expect(result.walkthroughs).toHaveLength(yamlFiles.length);
  });

  it('every step is verified, placeholders are whole arguments, guides exist', () => {
    for (const { walkthrough: w } of result.walkthroughs) {
      for (const s of w.steps) {
        expect(s.verification.length, `${w.id}/${s.id}`).toBeGreaterThan(0);
        const args = [...(s.actions ?? []), ...(s.preview ?? []), ...(s.cleanup ?? [])].flatMap((a) => ('tool' in a ? a.args : []));
        for (const a of args) expect(a.includes('{{') ? /^\{\{[^{}]+\}\}$/.test(a) : true, a).toBe(true);
      }
      for (const g of w.guides ?? []) expect(statSync(join(DIR, g.file)).size).toBeGreaterThan(1000);
    }
  });

  it('the quick start: lab cluster (skippable, no target), kernel checks, install, baseline, dataplane, connectivity', () => {
    const qs = result.walkthroughs.find((w) => w.walkthrough.id === 'quick-start')!.walkthrough;
    const [lab, kernel, install, baseline, dataplane, connectivity] = qs.steps;
    expect(lab).toMatchObject({ skippable: true, needsTarget: false });
    expect(kernel!.verification.map((v) => ('check' in v ? v.check : null))).toEqual(['kernel.version', 'kernel.btf', 'kernel.config']);
    expect(install!.preconditions).toEqual([expect.objectContaining({ check: 'kernel.version' })]);
    expect(install!.verification.filter((v) => 'wait' in v).map((v) => ('wait' in v ? `${v.wait.kind}/${v.wait.name}` : ''))).toEqual(['DaemonSet/cilium', 'Deployment/cilium-operator', 'DaemonSet/cilium-envoy', 'Deployment/hubble-relay', 'Deployment/hubble-ui']);
    expect(baseline!.verification.map((v) => ('readBack' in v ? v.readBack : null))).toEqual(['namespace', 'policies']);
    expect(dataplane!.verification.map((v) => ('command' in v && 'builtin' in v.command ? v.command.builtin : null))).toEqual(['cilium.status', 'agent.status', 'agent.service-list']);
    expect(connectivity!.cleanupAfterVerify).toBe(true);
  });
});

/** A minimal valid walkthrough to break one thing at a time. */
function minimal(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'mini',
    title: 'Mini',
    description: 'A test walkthrough',
    parameters: [{ name: 'ns', type: 'namespace', title: 'Namespace', default: 'demo' }],
    steps: [
      {
        id: 'one',
        title: 'One',
        explanation: 'Does one thing.',
        files: [{ id: 'm', template: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "{{ns}}"\n' }],
        actions: [{ tool: 'kubectl', args: ['apply', '-f', '{{files.m}}'] }],
        verification: [{ check: 'kernel.version' }, { readBack: 'm' }],
      },
    ],
  };
}

const problems = (mutate: (w: Record<string, unknown> & { steps: Record<string, unknown>[]; parameters: Record<string, unknown>[] }) => void) => {
  const w = minimal() as Record<string, unknown> & { steps: Record<string, unknown>[]; parameters: Record<string, unknown>[] };
  mutate(w);
  return parseWalkthrough(stringify(w)).problems.join('\n');
};

describe('the walkthrough schema and its reference checks', () => {
  it('accepts the minimal walkthrough', () => {
    expect(parseWalkthrough(stringify(minimal()))).toMatchObject({ problems: [] });
    expect(WalkthroughSchema.safeParse(minimal()).success).toBe(true);
  });

  it.each([
    ['a placeholder glued to other text', (w) => ((w.steps[0]!.actions as { args: string[] }[])[0]!.args = ['apply', '--namespace={{ns}}']), /placeholder must be a whole argument/],
    ['two placeholders in one argument', (w) => ((w.steps[0]!.actions as { args: string[] }[])[0]!.args = ['{{ns}}{{ns}}']), /placeholder must be a whole argument/],
    ['a tool outside the walkthrough allowlist', (w) => ((w.steps[0]!.actions as { tool: string }[])[0]!.tool = 'sh'), /tool/],
    ['an unknown parameter', (w) => ((w.steps[0]!.actions as { args: string[] }[])[0]!.args = ['get', 'ns', '{{namespace}}']), /\{\{namespace\}\} names no parameter/],
    ['an unknown file', (w) => ((w.steps[0]!.actions as { args: string[] }[])[0]!.args = ['apply', '-f', '{{files.other}}']), /\{\{files\.other\}\} names no file/],
    ['a path into a scalar parameter', (w) => ((w.steps[0]!.actions as { args: string[] }[])[0]!.args = ['{{ns.name}}']), /ns is not an object parameter/],
    ['an unknown check', (w) => (w.steps[0]!.verification = [{ check: 'kernel.nope' }]), /check kernel\.nope does not exist/],
    ['a read-back of no file', (w) => (w.steps[0]!.verification = [{ readBack: 'x' }]), /readBack x names no file/],
    ['a step without verification', (w) => (w.steps[0]!.verification = []), /verification/],
    ['a default that fails its own type', (w) => (w.parameters[0]!.default = 'Not_A_Namespace'), /default "Not_A_Namespace" is invalid/],
    ['a broken manifest template', (w) => ((w.steps[0]!.files as { template: string }[])[0]!.template = 'kind: [unclosed'), /file m: manifest template/],
    ['duplicate step ids', (w) => w.steps.push(structuredClone(w.steps[0]!)), /duplicate step id/],
    ['a when on an unknown parameter', (w) => ((w.steps[0]!.actions as Record<string, unknown>[])[0]!.when = { param: 'mode', equals: 'x' }), /when names unknown parameter mode/],
    ['a when with two tests', (w) => ((w.steps[0]!.actions as Record<string, unknown>[])[0]!.when = { param: 'ns', equals: 'x', set: true }), /exactly one of equals, in, set/],
    ['an unknown key', (w) => (w.steps[0]!.shell = 'rm -rf /'), /Unrecognized key/],
    ['a guide that does not exist', (w) => (w.guides = [{ title: 'x', file: 'x.md' }]), /guide x\.md does not exist/],
  ] as [string, (w: Record<string, unknown> & { steps: Record<string, unknown>[]; parameters: Record<string, unknown>[] }) => void, RegExp][])('rejects %s', (_, mutate, message) => {
    const w = minimal() as Record<string, unknown> & { steps: Record<string, unknown>[]; parameters: Record<string, unknown>[] };
    mutate(w);
    const dir = mkdtempSync(join(tmpdir(), 'dpl-wt-'));
    writeFileSync(join(dir, 'w.yaml'), stringify(w));
    const r = loadWalkthroughs(dir);
    expect(r.walkthroughs).toEqual([]);
    expect(r.errors[0]!.problems.join('\n')).toMatch(message);
  });

  it('a broken file does not hide the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpl-wt-'));
    writeFileSync(join(dir, 'a.yaml'), stringify(minimal()));
    writeFileSync(join(dir, 'b.yaml'), 'schemaVersion: 1\nid: [');
    writeFileSync(join(dir, 'c.yaml'), stringify({ ...minimal(), id: 'mini' }));
    const r = loadWalkthroughs(dir);
    expect(r.walkthroughs.map((w) => w.walkthrough.id)).toEqual(['mini']);
    expect(r.errors.map((e) => e.problems[0])).toEqual([expect.stringMatching(/not valid YAML/), 'id mini is used by another file']);
    expect(problems(() => {})).toBe('');
  });
});

const P = (p: Partial<Parameter> & Pick<Parameter, 'type'>): Parameter => ({ name: 'p', title: 'P', ...p }) as Parameter;

describe('parameter values by type', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpl-param-'));
  const tgz = join(dir, 'cilium-1.18.6.tgz');
  writeFileSync(tgz, 'x');
  mkdirSync(join(dir, 'chart'));

  it.each([
    [P({ type: 'string', pattern: '[a-z]+' }), 'abc', 'abc'],
    [P({ type: 'string', enum: ['helm', 'cilium-cli'] }), 'helm', 'helm'],
    [P({ type: 'integer', min: 0, max: 8 }), 3, 3],
    [P({ type: 'integer', min: 0, max: 8 }), '8', 8],
    [P({ type: 'boolean' }), 'true', true],
    [P({ type: 'namespace' }), 'kube-system', 'kube-system'],
    [P({ type: 'cidr', family: 'ipv4' }), '10.244.0.0/16', '10.244.0.0/16'],
    [P({ type: 'cidr' }), 'fd00::/104', 'fd00::/104'],
    [P({ type: 'version', min: '1.14' }), 'v1.18.6', '1.18.6'],
    [P({ type: 'version' }), '1.19.0-rc.1', '1.19.0-rc.1'],
    [P({ type: 'file', accept: 'file', extensions: ['.tgz'] }), tgz, tgz],
    [P({ type: 'file', accept: 'either', extensions: ['.tgz'] }), join(dir, 'chart'), join(dir, 'chart')],
    [P({ type: 'file', accept: 'file', extensions: ['.tgz'] }), `${dir}/./cilium-1.18.6.tgz`, tgz],
  ])('%j accepts %j', (p, raw, want) => {
    expect(validateParam(p, raw)).toEqual(want);
  });

  it.each([
    [P({ type: 'string', pattern: '[a-z]+', patternHint: 'lower-case letters' }), 'abc1', /must be lower-case letters/],
    [P({ type: 'string' }), 'two\nlines', /one line/],
    [P({ type: 'string', enum: ['a'] }), 'b', /one of a/],
    [P({ type: 'string' }), 'x'.repeat(254), /at most 253/],
    [P({ type: 'integer', min: 0, max: 8 }), 9, /from 0 to 8/],
    [P({ type: 'integer', min: 0, max: 8 }), 1.5, /whole number/],
    [P({ type: 'boolean' }), 'yes', /true or false/],
    [P({ type: 'namespace' }), '-leading', /namespace name/],
    [P({ type: 'namespace' }), 'a'.repeat(64), /namespace name/],
    [P({ type: 'cidr', family: 'ipv4' }), 'fd00::/104', /IPv4 CIDR/],
    [P({ type: 'cidr' }), '10.244.0.0', /CIDR such as/],
    [P({ type: 'version', min: '1.14' }), '1.13.9', /1\.14 or later/],
    [P({ type: 'version' }), '1.18', /release version/],
    [P({ type: 'file', accept: 'file' }), 'relative/chart.tgz', /absolute path/],
    [P({ type: 'file', accept: 'file', extensions: ['.tgz'] }), join(dir, 'chart'), /is not a file/],
    [P({ type: 'file', accept: 'directory' }), tgz, /is not a folder/],
    [P({ type: 'file', accept: 'file', extensions: ['.tar.gz'] }), tgz, /must end in \.tar\.gz/],
    [P({ type: 'file', accept: 'file' }), join(dir, 'missing.tgz'), /does not exist/],
  ])('%j refuses %j', (p, raw, message) => {
    expect(() => validateParam(p, raw)).toThrow(message);
  });

  it('fills defaults, reports every problem at once, and requires what has no default', () => {
    const defs: Parameter[] = [P({ name: 'a', type: 'namespace', default: 'demo' }), P({ name: 'b', type: 'integer', min: 1, max: 2 }), P({ name: 'c', type: 'cidr', optional: true }), P({ name: 'd', type: 'boolean' })];
    expect(validateParams(defs, ['a', 'c'], {})).toEqual({ a: 'demo' });
    expect(() => validateParams(defs, ['a', 'b', 'd'], { a: 'Bad', b: 3 })).toThrow(/a\): must be a namespace.*b\): must be from 1 to 2.*d\): required/);
  });
});

describe('placeholders', () => {
  const scope: Scope = { params: { ns: 'demo', n: 3, on: true, values: { ipam: { mode: 'kubernetes' } }, opt: '--kubeconfig=/etc/x', evil: 'a: b\nkind: Secret' }, files: { m: '/tmp/m.yaml' } };

  it('an argv placeholder becomes exactly one argument, typed values as text', () => {
    expect(['get', '-n', '{{ns}}', '{{n}}', '{{on}}', '{{ values.ipam.mode }}', '{{files.m}}'].map((a) => resolveArg(a, scope))).toEqual(['get', '-n', 'demo', '3', 'true', 'kubernetes', '/tmp/m.yaml']);
  });

  it('a value can never become an option or be missing silently', () => {
    expect(() => resolveArg('{{opt}}', scope)).toThrow(/starts with "-" and would be read as an option/);
    expect(() => resolveArg('{{missing}}', scope)).toThrow(/has no value/);
    expect(() => resolveArg('{{values}}', scope)).toThrow(/not a single value/);
    expect(() => resolveArg('{{files.x}}', scope)).toThrow(/no file "x"/);
  });

  it('manifests are parsed first: a value stays inside its string, whatever it contains', () => {
    const r = renderManifest('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ns}}-cfg"\n  namespace: "{{ns}}"\ndata:\n  note: "{{evil}}"\n  count: "{{n}}"\n', scope);
    expect(r.objects).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-cfg', namespace: 'demo' }, data: { note: 'a: b\nkind: Secret', count: 3 } }]);
    expect(r.yaml).not.toMatch(/^kind: Secret/m);
    expect(() => renderManifest('a:\n  "{{ns}}": x\n', scope)).toThrow(/keys cannot be placeholders/);
  });

  it('when: equals, in, set, lists (all must hold), paths into objects', () => {
    expect(evalWhen({ param: 'ns', equals: 'demo' }, scope)).toBe(true);
    expect(evalWhen({ param: 'n', equals: 3 }, scope)).toBe(true);
    expect(evalWhen({ param: 'n', in: ['3', 4] }, scope)).toBe(true);
    expect(evalWhen({ param: 'missing', set: false }, scope)).toBe(true);
    expect(evalWhen({ param: 'values.ipam.mode', equals: 'kubernetes' }, scope)).toBe(true);
    expect(evalWhen([{ param: 'ns', equals: 'demo' }, { param: 'on', equals: false }], scope)).toBe(false);
    expect(evalWhen(undefined, scope)).toBe(true);
  });
});
