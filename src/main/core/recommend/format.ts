import type { Recommendation } from '../../../shared/api/report';
import { commandLine } from '../format/types';

/** The recommendation as terminal text (datapath-lab recommend without --json). */
export function formatRecommendation(r: Recommendation, opts: { showValues?: boolean } = {}): string {
  const L: string[] = [];
  L.push(`Recommendation: ${r.title}`, `  ${r.summary}`, '');
  const i = r.inputs;
  const kernels = i.kernels.map((k) => `${k.release} (${k.nodes.length})`).join(', ') || 'unknown';
  L.push(
    'What it saw:',
    `  nodes ${i.nodes ?? 'unknown'}, pods ${i.pods ?? 'unknown'}, kernels ${kernels}`,
    `  CNI ${i.currentCni ?? 'none found'}${i.platform ? `, platform ${i.platform}` : ''}${i.architectures.length ? `, ${i.architectures.join('/')}` : ''}`,
    `  answers: ${Object.entries(i.answers).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none'}`,
    '',
  );
  const list = (title: string, items: string[]) => {
    if (!items.length) return;
    L.push(`${title}:`, ...items.map((t) => `  - ${t}`), '');
  };
  list('Why', r.reasons.map((x) => `[${x.input}] ${x.text}`));
  list('Not met', r.unmet.map((x) => `[${x.input}] ${x.text}`));
  list('Trade-offs', r.tradeOffs);
  list('Before you install', r.caveats);
  list('Alternatives', r.alternatives.map((a) => `${a.title}: ${a.why}`));
  L.push(`Start from ${r.values.fileName}${opts.showValues === false ? '' : ':'}`);
  if (opts.showValues !== false) L.push('', ...r.values.yaml.trimEnd().split('\n').map((l) => `  ${l}`), '');
  if (r.values.commands.length) L.push('Apply it:', ...r.values.commands.map((c) => `  $ ${commandLine(c)}`), '');
  if (r.manifests.length) L.push('Then:', ...r.manifests.map((m) => `  ${m.fileName}: ${m.description}`), '');
  L.push('References:', ...r.references.map((u) => `  ${u}`));
  return `${L.join('\n')}\n`;
}
