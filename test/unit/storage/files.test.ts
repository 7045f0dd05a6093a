import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PerTargetFiles, targetKey, writeFileAtomic } from '../../../src/main/core/storage/files';
import { loadYamlDir, parseYamlWith } from '../../../src/main/core/storage/yaml-data';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'dlab-storage-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('writeFileAtomic', () => {
  it('creates the folder, writes the mode asked for, and leaves no temporary file', () => {
    const file = join(tmp(), 'a', 'b', 'settings.json');
    writeFileAtomic(file, '{"x":1}', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"x":1}');
    expect(readdirSync(join(file, '..'))).toEqual(['settings.json']);
  });

  it('removes its temporary file when the rename fails', () => {
    const d = tmp();
    // A non-empty folder where the file should be: the rename fails after the temporary file is written.
    writeFileAtomic(join(d, 'target', 'x'), 'inside');
    expect(() => writeFileAtomic(join(d, 'target'), 'new')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(d)).toEqual(['target']);
    expect(readFileSync(join(d, 'target', 'x'), 'utf8')).toBe('inside');
  });
});

describe('PerTargetFiles', () => {
  const Schema = z.object({ version: z.literal(1), targetId: z.string(), items: z.array(z.string()) });
  const make = (d: string) => new PerTargetFiles(d, Schema, 'test items', (targetId) => ({ version: 1 as const, targetId, items: [] }));

  it('round-trips a target through its file, named by a hash of the id', () => {
    const d = tmp();
    const a = make(d);
    a.get('context:/home/u/.kube/config:kind-lab').items.push('one');
    a.save('context:/home/u/.kube/config:kind-lab');
    expect(a.fileOf('context:/home/u/.kube/config:kind-lab')).toBe(join(d, `${targetKey('context:/home/u/.kube/config:kind-lab')}.json`));
    expect(make(d).get('context:/home/u/.kube/config:kind-lab').items).toEqual(['one']);
  });

  it('keeps a corrupt file aside with a warning naming it, and starts empty', () => {
    const d = tmp();
    const a = make(d);
    writeFileSync(a.fileOf('host'), '{"version":1,"targetId":"host","items":[');
    expect(a.get('host').items).toEqual([]);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(/^test items .* could not be read \(.*JSON.*\); kept as .*\.corrupt-\d+$/);
    expect(existsSync(a.fileOf('host'))).toBe(false);
    expect(readdirSync(d).some((f) => f.includes('.corrupt-'))).toBe(true);
  });

  it('never shows another target’s document (a copied file)', () => {
    const d = tmp();
    const a = make(d);
    writeFileSync(a.fileOf('host'), JSON.stringify({ version: 1, targetId: 'snapshot:x', items: ['theirs'] }));
    expect(a.get('host').items).toEqual([]);
  });

  it('removes the file when asked to save nothing', () => {
    const d = tmp();
    const a = make(d);
    a.get('host').items.push('x');
    a.save('host');
    expect(existsSync(a.fileOf('host'))).toBe(true);
    a.save('host', true);
    expect(existsSync(a.fileOf('host'))).toBe(false);
  });
});

describe('YAML data files', () => {
  const Schema = z.object({ id: z.string(), step: z.union([z.object({ tool: z.enum(['kubectl', 'helm']) }), z.object({ manifest: z.string() })]) });

  it('explains a failed union by its closest branch, with the path', () => {
    const r = parseYamlWith(Schema, 'id: a\nstep: { tool: bash }\n');
    expect(r.data).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^step\.tool: /);
  });

  it('reports YAML that does not parse with its first line of error', () => {
    const r = parseYamlWith(Schema, 'id: [a\n');
    expect(r.problems[0]).toMatch(/^not valid YAML: /);
  });

  it('loads a folder in name order, reporting bad files and duplicate ids without hiding the others', () => {
    const d = tmp();
    writeFileSync(join(d, 'b.yaml'), 'id: two\nstep: { manifest: x }\n');
    writeFileSync(join(d, 'a.yml'), 'id: one\nstep: { tool: helm }\n');
    writeFileSync(join(d, 'c.yaml'), 'id: one\nstep: { tool: kubectl }\n');
    writeFileSync(join(d, 'd.yaml'), 'id: 3\n');
    writeFileSync(join(d, 'notes.md'), 'ignored');
    const r = loadYamlDir(
      d,
      (text) => {
        const { data, problems } = parseYamlWith(Schema, text);
        return { item: data, problems };
      },
      (x) => x.id,
    );
    expect(r.items.map((x) => x.id)).toEqual(['one', 'two']);
    expect(r.errors.map((e) => [e.file.slice(d.length + 1), e.problems.length > 0])).toEqual([
      ['c.yaml', true],
      ['d.yaml', true],
    ]);
    expect(r.errors[0]!.problems).toEqual(['id one is used by another file']);
    expect(loadYamlDir(join(d, 'missing'), () => ({ item: null, problems: [] }), String)).toEqual({ items: [], errors: [] });
  });
});
