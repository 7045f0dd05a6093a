import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findVerifierErrors } from '../../../src/main/core/pitfalls/verifier';

// Real verifier output from Cilium issues and pull requests (origins in test/fixtures/pitfalls/README.md).
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/pitfalls/verifier', name), 'utf8');

describe('findVerifierErrors on real verifier output', () => {
  it('cilium/ebpf loader, complexity limit (PR #30384, kernel 6.1): one hit for the program, processed and limit read', () => {
    const hits = findVerifierErrors(fixture('cilium-pr30384-too-large.txt'));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ kind: 'complexity', program: 'tail_nodeport_nat_ingress_ipv4', processed: 1000001, limit: 1000000 });
    expect(hits[0]!.summary).toBe('program tail_nodeport_nat_ingress_ipv4 rejected: BPF program is too large for the verifier (processed 1000001 instructions, limit 1000000)');
    expect(hits[0]!.line).toMatch(/^Verifier error: program tail_nodeport_nat_ingress_ipv4: load program: argument list too long/);
  });

  it('iproute2 loader, back-edge (issue #11731): the loop wins over the generic invalid argument', () => {
    const hits = findVerifierErrors(fixture('cilium-11731-back-edge.txt'));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ kind: 'back-edge', program: 'connect6' });
    expect(hits[0]!.summary).toBe('program connect6 rejected: back-edge from insn 624 to 570 (a loop: kernels before 5.3 reject every loop)');
  });

  it('iproute2 loader, E2BIG on RHEL 8 (issue #9721): complexity without instruction counts', () => {
    const hits = findVerifierErrors(fixture('cilium-9721-rhel8-complexity.txt'));
    expect(hits).toEqual([expect.objectContaining({ kind: 'complexity', program: 'from-container', processed: null, limit: null })]);
  });

  it('endpoint regeneration error (issue #20738): program named inside a logfmt error field', () => {
    const hits = findVerifierErrors(fixture('cilium-20738-endpoint-regeneration.txt'));
    expect(hits).toEqual([expect.objectContaining({ kind: 'complexity', program: 'handle_lxc_traffic' })]);
  });

  it('invalid memory access beats permission denied (PR #40427)', () => {
    const hits = findVerifierErrors(fixture('cilium-pr40427-invalid-mem-access.txt'));
    expect(hits).toEqual([expect.objectContaining({ kind: 'invalid-memory-access', program: 'tail_nodeport_nat_egress_ipv4' })]);
    expect(hits[0]!.summary).toBe("program tail_nodeport_nat_egress_ipv4 rejected: invalid memory access (R9 holds 'inv')");
  });

  it('ordinary agent logs and probe failures are no verifier errors', () => {
    expect(findVerifierErrors('')).toEqual([]);
    expect(findVerifierErrors('Readiness probe failed: HTTP probe failed with statuscode: 503')).toEqual([]);
    expect(findVerifierErrors('level=info msg="Compiled new BPF template" BPFCompilationTime=1.9s file-path=/var/run/cilium/state/templates/bpf_lxc.o')).toEqual([]);
  });

  it('two programs in one log give two hits', () => {
    const text = `${fixture('cilium-pr30384-too-large.txt')}\n${fixture('cilium-20738-endpoint-regeneration.txt')}`;
    expect(findVerifierErrors(text).map((h) => h.program).sort()).toEqual(['handle_lxc_traffic', 'tail_nodeport_nat_ingress_ipv4']);
  });
});
