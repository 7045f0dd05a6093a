// `datapath-lab recommend`: which CNI and data plane to start from, why, and a values file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { formatRecommendation, QUESTIONS, RECOMMEND_FACT_KEYS, recommend, RULE_TABLE } from '../core/recommend';
import { failed, progressPrinter, resolveCliTarget, targetArgs, TARGET_OPTIONS, Usage } from './common';

export const RECOMMEND_HELP = `datapath-lab recommend — which CNI and data plane to start from, and why

Usage:
  datapath-lab recommend (--host | --context NAME [--kubeconfig FILE] | --snapshot FILE)
                         [--audit] [--multi-cloud] [--latency-sensitive] [--egress-by-dns]
                         [--json] [--values FILE] [--debug-pods] [--quiet]

${QUESTIONS.map((q) => `  ${q.flag.padEnd(20)}${q.help}`).join('\n')}
  --json              the recommendation as JSON (reasons, trade-offs, values, inputs)
  --values FILE       also write the values file to start from

It reads node and pod counts, kernel releases, the CNI that runs and the platform, then
picks one of: the default CNI with NetworkPolicy, Calico in eBPF mode, Cilium with
kube-proxy replacement, or Cilium with DNS-aware egress policy. The rules, first match wins:
${RULE_TABLE.map((r) => `  ${r.id}  ${r.when.padEnd(Math.max(...RULE_TABLE.map((x) => x.when.length)))}  → ${r.choice}`).join('\n')}

Exit codes: 0 recommended, 2 usage or connection error.`;


export async function runRecommendCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        audit: { type: 'boolean' }, 'multi-cloud': { type: 'boolean' }, 'latency-sensitive': { type: 'boolean' }, 'egress-by-dns': { type: 'boolean' },
        json: { type: 'boolean' }, values: { type: 'string' },
      },
    }));
    if (values.help) {
      console.log(RECOMMEND_HELP);
      return 0;
    }
    targetArgs(values, true);
    if (values.values === '') throw new Usage('--values needs a FILE');
  } catch (err) {
    console.error(`datapath-lab recommend: ${(err as Error).message}\n\n${RECOMMEND_HELP}`);
    return 2;
  }
  const progress = progressPrinter(!!values.quiet);
  try {
    const resolved = await resolveCliTarget(values, !!values['debug-pods']);
    const { facts } = await resolved.gather([...RECOMMEND_FACT_KEYS], { onProgress: progress.onProgress });
    progress.stop();
    const rec = recommend(
      facts,
      { audit: !!values.audit, multiCloud: !!values['multi-cloud'], latencySensitive: !!values['latency-sensitive'], egressByDns: !!values['egress-by-dns'] },
      { target: { kind: resolved.target.kind, name: resolved.target.name, server: resolved.target.server } },
    );
    if (values.values !== undefined) {
      const out = resolvePath(values.values);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, rec.values.yaml);
      console.error(`wrote ${values.values} (${rec.values.kind})`);
    }
    process.stdout.write(values.json ? `${JSON.stringify(rec, null, 2)}\n` : formatRecommendation(rec));
    return 0;
  } catch (err) {
    progress.stop();
    return failed('recommend', err);
  }
}
