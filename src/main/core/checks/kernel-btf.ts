import semver from 'semver';
import type { Evidence, FindingDetail, FindingStatus } from '../../../shared/api/checks-types';
import type { FactSet } from '../facts/types';
import { findCiliumAgent, minorOf, resolveCiliumVersion } from './lib/cilium';
import { finding, known, nameList, nodeFact, nodeNames, plural, unknownFinding, whyUnknown, worst } from './lib/finding';
import type { Check, CheckOptions } from './types';

const REF =
  'cilium/ebpf btf/kernel_linux.go (search order); Cilium 1.20 Documentation/operations/system_requirements.rst lists CONFIG_DEBUG_INFO_BTF=y as a base requirement';

/** Cilium releases that list CONFIG_DEBUG_INFO_BTF among the base requirements (read in v1.20.2; absent in v1.18.6). */
const BTF_REQUIRED_FROM = '1.20.0';

export const kernelBtf: Check = {
  id: 'kernel.btf',
  title: 'Kernel BTF is available',
  category: 'kernel',
  needs: ['node.kernel.btf', 'node.kernel.config', 'k8s.workloads'],
  reference: REF,
  evaluate(facts: FactSet, opts: CheckOptions) {
    const nodes = nodeNames(facts, ['node.kernel.btf', 'node.kernel.config']);
    if (nodes.length === 0) return unknownFinding(this, facts, ['node.kernel.btf', 'node.kernel.config'], 'BTF is read on the node itself and no node was reached');

    const workloads = known(facts, 'k8s.workloads');
    const cv = resolveCiliumVersion(workloads ? findCiliumAgent(workloads.value) : null, opts.ciliumVersion);
    const required = semver.gte(semver.coerce(cv.version)?.version ?? cv.version, BTF_REQUIRED_FROM);
    const missingStatus: FindingStatus = required ? 'fail' : 'warn';

    const details: FindingDetail[] = [];
    const by = new Map<FindingStatus, string[]>();
    const paths = new Map<string, number>();
    for (const node of nodes) {
      const btf = nodeFact(facts, 'node.kernel.btf', node);
      const cfg = nodeFact(facts, 'node.kernel.config', node);
      let status: FindingStatus;
      let why: string;
      if (btf?.state === 'known' && btf.value.present) {
        status = 'pass';
        why = btf.value.path ?? 'present';
        paths.set(why, (paths.get(why) ?? 0) + 1);
      } else if (btf?.state === 'known') {
        const opt = cfg?.state === 'known' ? cfg.value.options['DEBUG_INFO_BTF'] : undefined;
        status = missingStatus;
        why = `no BTF in any of ${btf.value.searched.length} paths (first: ${btf.value.searched[0] ?? '?'})${opt ? `; CONFIG_DEBUG_INFO_BTF=${opt}` : ''}`;
      } else if (cfg?.state === 'known') {
        const opt = cfg.value.options['DEBUG_INFO_BTF'];
        if (opt === 'y') {
          status = 'pass';
          why = `CONFIG_DEBUG_INFO_BTF=y in ${cfg.value.path} (the kernel exposes /sys/kernel/btf/vmlinux)`;
        } else {
          status = missingStatus;
          why = `CONFIG_DEBUG_INFO_BTF ${opt === undefined ? 'absent' : `=${opt}`} in ${cfg.value.path}`;
        }
      } else {
        status = 'unknown';
        why = `${whyUnknown('node.kernel.btf', btf)}; ${whyUnknown('node.kernel.config', cfg)}`;
      }
      const list = by.get(status) ?? [];
      list.push(node);
      by.set(status, list);
      if (status !== 'pass') details.push({ subject: node, status, summary: why });
    }

    const status = worst(by.keys());
    const need = required ? `Cilium ${minorOf(cv.version)} requires it` : 'CO-RE tools (pwru, Tetragon, bpftrace) and Cilium 1.20+ need it';
    const summary =
      status === 'pass'
        ? `${plural(nodes.length, 'node')}: kernel BTF present`
        : `${plural(nodes.length, 'node')}: ${(['fail', 'warn', 'unknown'] as const)
            .filter((s) => by.has(s))
            .map((s) => `${by.get(s)!.length} ${s === 'unknown' ? 'unknown' : 'without BTF'} (${nameList(by.get(s)!, 3)})`)
            .join(', ')}; ${need}`;
    const evidence: Evidence[] = [
      { label: `Cilium version (${cv.from})`, value: cv.version, source: cv.image ?? (cv.from === 'targeted' ? 'option ciliumVersion' : 'newest known') },
      ...[...paths.entries()].map(([p, n]) => ({ label: 'BTF found at', value: `${p} (${plural(n, 'node')})`, source: 'node.kernel.btf (cilium/ebpf search order)' })),
    ];
    const fix =
      status === 'warn' || status === 'fail'
        ? { text: 'Use a kernel built with CONFIG_DEBUG_INFO_BTF=y (current kernels of the major distributions are; the Ubuntu 20.04 GA kernel 5.4.0-26 is not), or install the debug/vmlinux package that puts a file in the search list (e.g. /usr/lib/debug/boot/vmlinux-$(uname -r)).' }
        : null;
    return finding(this, status, summary, { evidence, fix, details });
  },
};
