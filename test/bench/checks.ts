// npm run bench -- checks: every check (gather + evaluate) against the `large` test cluster
// (5,000 nodes, 100,000 pods by default), next to `kubectl get nodes,pods -A -o json` on the
// same server. The gather runs in a child process of its own so its peak RSS
// (process.resourceUsage().maxRSS) is the lab's alone: the child is this file's
// runGatherChild bundled with esbuild and run by plain node (tsx's loader thread alone
// would add ~100 MB the app never has; node_modules stay external, loaded as the app loads them).
//
// Environment:
//   DATAPATH_LAB_BENCH_NODES, DATAPATH_LAB_BENCH_PODS  a smaller cluster (instance "large-<n>n-<p>p")
//   DATAPATH_LAB_BENCH_KUBECONFIG, DATAPATH_LAB_BENCH_CONTEXT  any running cluster instead
//   DATAPATH_LAB_BENCH_RUNS  rounds of (lab, kubectl), best of each reported (default 2)
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { CHECKS, factsNeeded, runChecks } from '../../src/main/core/checks/index';
import { gatherFacts } from '../../src/main/core/gather/index';
import { KubeClient } from '../../src/main/core/kube/client';
import { report } from './report';

interface ChildResult {
  gatherMs: number;
  evaluateMs: number;
  maxRssMB: number;
  rssBeforeMB: number;
  heapUsedAfterMB: number;
  requests: number;
  statuses: Record<string, string>;
  nodes: number;
  pods: number;
  perFact: Record<string, number>;
}

const MB = 1024 * 1024;

/**
 * In the child: gather every fact every check needs, evaluate, print one JSON line. `raw`:
 * also keep the raw objects, as a snapshot does (a check run does not need them).
 */
export async function runGatherChild(kubeconfig: string, context: string, raw = false): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(context);
  const client = new KubeClient(kc, context);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = await gatherFacts({ kind: 'cluster', client }, factsNeeded(CHECKS), { raw });
  const t1 = performance.now();
  const findings = runChecks(r.facts);
  const t2 = performance.now();
  client.close();
  const nodes = r.facts['k8s.nodes'];
  const pods = r.facts['k8s.pods'];
  const perFact: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.durations)) if (k.includes('.')) perFact[k] = v;
  const out: ChildResult = {
    gatherMs: t1 - t0,
    evaluateMs: t2 - t1,
    maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    rssBeforeMB: rssBefore / MB,
    heapUsedAfterMB: process.memoryUsage().heapUsed / MB,
    requests: r.durations.requests ?? 0,
    statuses: Object.fromEntries(findings.map((f) => [f.checkId, `${f.status}: ${f.summary.slice(0, 160)}`])),
    nodes: nodes?.state === 'known' ? nodes.value.length : -1,
    pods: pods?.state === 'known' ? pods.value.length : -1,
    perFact,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

interface RunResult {
  ms: number;
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Peak RSS (VmHWM) seen while it ran, MB. */
  peakMB: number;
}

/**
 * Runs a command, timing it. `oomFirst` makes it the OOM killer's first choice
 * (oom_score_adj 1000): kubectl holds the whole list in memory (about 12 GB for 100,000 pods),
 * and if memory runs out it must be kubectl that dies, not a test cluster's apiserver.
 */
function run(cmd: string, args: string[], o: { stdoutToNull?: boolean; oomFirst?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const devnull = o.stdoutToNull ? openSync('/dev/null', 'w') : null;
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', devnull ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKB = 0;
    if (o.oomFirst && p.pid) {
      try {
        writeFileSync(`/proc/${p.pid}/oom_score_adj`, '1000');
      } catch {
        /* not Linux, or not allowed: run anyway */
      }
    }
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) peakKB = Math.max(peakKB, Number(m[1]));
      } catch {
        /* gone */
      }
    }, 100);
    p.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearInterval(poll);
      if (devnull !== null) closeSync(devnull);
      resolve({ ms: performance.now() - t0, stdout, stderr, code, signal, peakMB: peakKB / 1024 });
    });
  });
}

async function main(): Promise<void> {
  const env = process.env;
  const nodes = Number(env.DATAPATH_LAB_BENCH_NODES ?? 5000);
  const pods = Number(env.DATAPATH_LAB_BENCH_PODS ?? 100_000);
  const runs = Math.max(1, Number(env.DATAPATH_LAB_BENCH_RUNS ?? 2));
  let kubeconfig = env.DATAPATH_LAB_BENCH_KUBECONFIG;
  let context = env.DATAPATH_LAB_BENCH_CONTEXT;
  // Loaded here, not at the top: the bundled child must not carry the test control plane.
  const { binaries, clusterStatus, ensureCluster, releaseCluster } = await import('../../scripts/testcluster/index');
  let held: string | null = null;
  if (!kubeconfig || !context) {
    // The default-size cluster is the one `npm run testcluster -- up --profile large` starts; smaller ones get their own name.
    const name = nodes === 5000 && pods === 100_000 ? 'large' : `large-${nodes}n-${pods}p`;
    // A cluster that is already there (running, or being started by someone) is reused and
    // left as it is; only a cluster this run starts is held, and released (stopped) at the end.
    const existed = (await clusterStatus(name)).length > 0;
    console.log(`${existed ? 'reusing' : 'starting'} test cluster ${name} (profile large, ${nodes} nodes, ${pods} pods)`);
    const h = await ensureCluster('large', { name, options: { nodes, pods }, hold: !existed });
    if (!existed) held = h.name;
    kubeconfig = h.kubeconfig;
    context = h.context;
  }
  try {
    const childJs = await bundleChild();
    const kubectl = binaries().kubectl;
    const labRuns: ChildResult[] = [];
    const snapRuns: ChildResult[] = [];
    const kubectlRuns: RunResult[] = [];
    const lab = async (raw: boolean): Promise<ChildResult> => {
      const c = await run(process.execPath, [childJs, kubeconfig, context, raw ? 'raw' : 'facts']);
      if (c.code !== 0) throw new Error(`the gather child failed (exit ${c.code ?? c.signal}): ${c.stderr.trim().split('\n').slice(-5).join('\n')}`);
      return JSON.parse(c.stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
    };
    for (let i = 0; i < runs; i++) {
      const res = await lab(false);
      labRuns.push(res);
      console.log(`lab run ${i + 1} (check run): gather ${(res.gatherMs / 1000).toFixed(2)} s + evaluate ${res.evaluateMs.toFixed(0)} ms, ${res.requests} requests, peak RSS ${res.maxRssMB.toFixed(0)} MB (${res.rssBeforeMB.toFixed(0)} MB before the gather)`);
      const snap = await lab(true);
      snapRuns.push(snap);
      console.log(`lab run ${i + 1} (with raw objects, as a snapshot): gather ${(snap.gatherMs / 1000).toFixed(2)} s, peak RSS ${snap.maxRssMB.toFixed(0)} MB`);
      const k = await run(kubectl, ['--kubeconfig', kubeconfig, '--context', context, 'get', 'nodes,pods', '-A', '-o', 'json'], { stdoutToNull: true, oomFirst: true });
      kubectlRuns.push(k);
      console.log(
        k.code === 0
          ? `kubectl run ${i + 1}: ${(k.ms / 1000).toFixed(2)} s, peak RSS ${(k.peakMB / 1024).toFixed(1)} GB`
          : `kubectl run ${i + 1}: failed after ${(k.ms / 1000).toFixed(2)} s (${k.signal ? `killed by ${k.signal}${k.signal === 'SIGKILL' ? ', the OOM killer' : ''}` : `exit ${k.code}`}) at ${(k.peakMB / 1024).toFixed(1)} GB RSS${k.stderr.trim() ? `: ${k.stderr.trim().slice(0, 300)}` : ''}`,
      );
    }
    const best = labRuns.reduce((a, b) => (b.gatherMs + b.evaluateMs < a.gatherMs + a.evaluateMs ? b : a));
    const labS = (best.gatherMs + best.evaluateMs) / 1000;
    const done = kubectlRuns.filter((k) => k.code === 0);
    // When kubectl never finished, the time until it died is a lower bound of what it needs.
    const kubectlS = (done.length ? Math.min(...done.map((k) => k.ms)) : Math.max(...kubectlRuns.map((k) => k.ms))) / 1000;
    const kubectlLabel = done.length ? 'kubectl get nodes,pods -A -o json' : 'kubectl get nodes,pods -A -o json: killed before it finished (a lower bound)';
    const peak = Math.max(...labRuns.map((r) => r.maxRssMB));
    const snapPeak = Math.max(...snapRuns.map((r) => r.maxRssMB));
    const kubectlPeak = Math.max(...kubectlRuns.map((k) => k.peakMB));
    console.log('\nfindings:');
    for (const [id, s] of Object.entries(best.statuses)) console.log(`  ${id}: ${s}`);
    console.log(`slowest facts (ms): ${Object.entries(best.perFact).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    report(
      'checks',
      [
        { metric: 'every check, gather + evaluate', value: labS, unit: 's', reference: kubectlS, referenceLabel: kubectlLabel },
        { metric: 'ratio to kubectl', value: labS / kubectlS, unit: '×', goal: '≤ 1.0', met: labS / kubectlS <= 1.0 },
        { metric: 'peak RSS of the gather process', value: peak, unit: 'MB', goal: '≤ 300 MB', met: peak <= 300, reference: kubectlPeak, referenceLabel: 'kubectl peak RSS' },
        { metric: 'peak RSS with raw objects (snapshot)', value: snapPeak, unit: 'MB', goal: '≤ 300 MB', met: snapPeak <= 300 },
        { metric: 'gather with raw objects (snapshot)', value: Math.min(...snapRuns.map((r) => r.gatherMs)) / 1000, unit: 's' },
        { metric: 'evaluate', value: best.evaluateMs, unit: 'ms' },
        { metric: 'API requests', value: best.requests, unit: '' },
      ],
      {
        nodes: best.nodes,
        pods: best.pods,
        runs,
        labRunsMs: labRuns.map((r) => Math.round(r.gatherMs + r.evaluateMs)),
        labPeakRssMB: labRuns.map((r) => Math.round(r.maxRssMB)),
        snapshotPeakRssMB: snapRuns.map((r) => Math.round(r.maxRssMB)),
        rssBeforeGatherMB: Math.round(best.rssBeforeMB),
        kubectlRuns: kubectlRuns.map((k) => ({ ms: Math.round(k.ms), exit: k.code, signal: k.signal, peakMB: Math.round(k.peakMB) })),
      },
    );
  } finally {
    if (held) await releaseCluster(held);
  }
}

/** Bundles runGatherChild into one ESM file under .cache/bench (node_modules external). */
async function bundleChild(): Promise<string> {
  const { build } = await import('esbuild');
  const here = dirname(fileURLToPath(import.meta.url));
  const outfile = join(here, '..', '..', '.cache', 'bench', 'checks-gather.mjs');
  await build({
    stdin: {
      contents: "import { runGatherChild } from './checks';\nrunGatherChild(process.argv[2] ?? '', process.argv[3] ?? '', process.argv[4] === 'raw').catch((e) => { console.error(`gather failed: ${e.message}`); process.exit(1); });\n",
      resolveDir: here,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

if (process.argv[1]?.endsWith('checks.ts')) {
  main().catch((err) => {
    console.error(`checks benchmark failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
