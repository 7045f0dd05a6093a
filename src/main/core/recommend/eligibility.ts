import { kernelMinimumFor } from '../checks/kernel-version';
import { NEWEST_KNOWN_CILIUM } from '../checks/lib/cilium';
import { compareKernel, type KernelRelease } from '../checks/lib/kernel';
import type { RecommendInputs } from './inputs';

/**
 * Can an eBPF data plane run on these nodes? Every node must qualify: the oldest kernel
 * decides. Unknown kernels do not rule anything out (the caveat says to run the checks).
 *
 * Cilium (current releases): kernel >= 5.10, or 4.18 on RHEL 8.10 — Cilium's
 *   system_requirements.rst, as tabled in checks-reference.md §1 and kernel-version.ts
 *   (KERNEL_MINIMUMS, for NEWEST_KNOWN_CILIUM).
 * Calico eBPF data plane: kernel >= 5.3, or RHEL 8.2 with 4.18.0-193 or later (Red Hat
 *   backported what it needs); x86-64 or arm64; not on GKE — Calico docs "Install in eBPF
 *   mode" / "Enable the eBPF data plane", Before you begin (docs.tigera.io, Calico 3.27–3.32).
 */

export const CILIUM_REQUIREMENTS_URL = 'https://docs.cilium.io/en/stable/operations/system_requirements/';
export const CALICO_EBPF_URL = 'https://docs.tigera.io/calico/latest/operations/ebpf/install';

export type Verdict = 'ok' | 'no' | 'unknown';

export interface Eligibility {
  verdict: Verdict;
  /** One sentence, tied to the facts. */
  why: string;
  /** Nodes (or releases) that rule it out. */
  blockers: string[];
}

const CALICO_MIN = '5.3';
/** RHEL 8.2 GA kernel build: 4.18.0-193. */
const CALICO_RHEL8_BUILD = 193;

function rhel418Build(k: KernelRelease): number | null {
  if (!k.rhel || k.rhel.major !== 8 || k.major !== 4 || k.minor !== 18) return null;
  const m = /^4\.18\.0-(\d+)/.exec(k.raw);
  return m ? Number(m[1]) : null;
}

function listNodes(ks: { release: string; nodes: string[] }[]): string {
  return ks.map((k) => `${k.release} (${k.nodes.length === 1 ? k.nodes[0] : `${k.nodes.length} nodes`})`).join(', ');
}

export function ciliumEligibility(inputs: RecommendInputs, ciliumVersion = NEWEST_KNOWN_CILIUM): Eligibility {
  const min = kernelMinimumFor(ciliumVersion);
  if (inputs.kernels.length === 0) return { verdict: 'unknown', why: `kernel releases are unknown; Cilium ${ciliumVersion.replace(/\.0$/, '')} needs ${min.label}`, blockers: [] };
  const bad: typeof inputs.kernels = [];
  const unsure: typeof inputs.kernels = [];
  for (const k of inputs.kernels) {
    if (!k.parsed) {
      unsure.push(k);
      continue;
    }
    const cmpResult = compareKernel(k.parsed, min.min);
    if (cmpResult === 'same-or-newer') continue;
    const rhel = k.parsed.rhel;
    if (rhel && rhel.major === 8 && k.parsed.major === 4 && k.parsed.minor === 18 && rhel.minor !== null && rhel.minor >= min.rhelPass) continue;
    if (cmpResult === 'undecidable') unsure.push(k);
    else bad.push(k);
  }
  if (bad.length) return { verdict: 'no', why: `Cilium ${ciliumVersion.replace(/\.0$/, '')} needs ${min.label}; older: ${listNodes(bad)}`, blockers: bad.map((k) => k.release) };
  if (unsure.length) return { verdict: 'unknown', why: `cannot tell whether ${listNodes(unsure)} meets Cilium's minimum ${min.label}`, blockers: [] };
  return { verdict: 'ok', why: `every kernel meets Cilium's minimum ${min.label}`, blockers: [] };
}

export function calicoEbpfEligibility(inputs: RecommendInputs): Eligibility {
  if (inputs.platform === 'gke') return { verdict: 'no', why: `Calico's eBPF data plane does not support GKE (${inputs.platformEvidence})`, blockers: ['gke'] };
  const arch = inputs.architectures.filter((a) => a !== 'amd64' && a !== 'arm64');
  if (arch.length) return { verdict: 'no', why: `Calico's eBPF data plane runs on x86-64 and arm64 only, not ${arch.join(', ')}`, blockers: arch };
  if (inputs.kernels.length === 0) return { verdict: 'unknown', why: 'kernel releases are unknown; Calico eBPF needs 5.3 (or 4.18.0-193 on RHEL 8.2)', blockers: [] };
  const bad: typeof inputs.kernels = [];
  const unsure: typeof inputs.kernels = [];
  for (const k of inputs.kernels) {
    if (!k.parsed) {
      unsure.push(k);
      continue;
    }
    if (compareKernel(k.parsed, CALICO_MIN) === 'same-or-newer') continue;
    const build = rhel418Build(k.parsed);
    if (build !== null && build >= CALICO_RHEL8_BUILD) continue;
    bad.push(k);
  }
  if (bad.length) return { verdict: 'no', why: `Calico eBPF needs kernel 5.3 (or 4.18.0-193 on RHEL 8.2); older: ${listNodes(bad)}`, blockers: bad.map((k) => k.release) };
  if (unsure.length) return { verdict: 'unknown', why: `cannot parse kernel ${listNodes(unsure)}`, blockers: [] };
  return { verdict: 'ok', why: "every kernel meets Calico eBPF's minimum 5.3 (or 4.18.0-193 on RHEL 8.2)", blockers: [] };
}
