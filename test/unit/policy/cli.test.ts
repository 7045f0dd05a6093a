import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPolicyCommand } from '../../../src/main/cli/policy';

const FIX = join(__dirname, '../../fixtures/policy');
const SHOP = join(FIX, 'shop');

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (stdout += `${a.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += `${a.join(' ')}\n`));
});
afterEach(() => vi.restoreAllMocks());

describe('datapath-lab policy', () => {
  it('connlist --json prints exactly the documented shape, sorted, allowed pairs only', async () => {
    expect(await runPolicyCommand(['connlist', SHOP, '--json'])).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      connections: [
        { src: '0.0.0.0-255.255.255.255', dst: 'shop/frontend[Deployment]', conn: { TCP: '8080' } },
        { src: 'kube-system/coredns[Deployment]', dst: '0.0.0.0-255.255.255.255', conn: 'all' },
        { src: 'kube-system/coredns[Deployment]', dst: 'shop/frontend[Deployment]', conn: { TCP: '8080' } },
        { src: 'shop/cart[Deployment]', dst: 'kube-system/coredns[Deployment]', conn: { TCP: '53', UDP: '53' } },
        { src: 'shop/cart[Deployment]', dst: 'shop/redis[StatefulSet]', conn: { TCP: '6379' } },
        { src: 'shop/frontend[Deployment]', dst: 'kube-system/coredns[Deployment]', conn: { TCP: '53', UDP: '53' } },
        { src: 'shop/frontend[Deployment]', dst: 'shop/cart[Deployment]', conn: { TCP: '7070' } },
        { src: 'shop/redis[StatefulSet]', dst: 'kube-system/coredns[Deployment]', conn: { TCP: '53', UDP: '53' } },
        { src: 'shop/report[CronJob]', dst: 'kube-system/coredns[Deployment]', conn: { TCP: '53', UDP: '53' } },
      ],
    });
  });

  it('connlist text: one line per connection', async () => {
    expect(await runPolicyCommand(['connlist', SHOP])).toBe(0);
    expect(stdout.split('\n')[0]).toBe('0.0.0.0-255.255.255.255 => shop/frontend[Deployment] : TCP 8080');
  });

  it.each([
    [['trace', SHOP, '--src', 'shop/frontend', '--dst', 'shop/cart[Deployment]', '--protocol', 'TCP', '--port', '7070'], 0, /^ALLOWED: shop\/frontend\[Deployment\] -> shop\/cart\[Deployment\] TCP\/7070/],
    [['trace', SHOP, '--src', 'shop/report[CronJob]', '--dst', 'shop/redis[StatefulSet]', '--protocol', 'TCP', '--port', '6379'], 0, /egress \(shop\/report\[CronJob\]\): no-rule-matches/],
    [['trace', SHOP, '--src', '203.0.113.9', '--dst', 'shop/redis[StatefulSet]', '--port', '6379', '--strict'], 1, /denied by CiliumNetworkPolicy shop\/redis ingressDeny rule 1/],
  ] as const)('trace %#', async (argv, code, re) => {
    expect(await runPolicyCommand([...argv])).toBe(code);
    expect(stdout).toMatch(re);
  });

  it('trace --json names the rules per direction', async () => {
    await runPolicyCommand(['trace', SHOP, '--src', 'shop/frontend[Deployment]', '--dst', 'shop/cart[Deployment]', '--protocol', 'TCP', '--port', '7070', '--json']);
    const t = JSON.parse(stdout);
    expect(t.allowed).toBe(true);
    expect(t.egress.allowedBy.map((r: { text: string }) => r.text)).toEqual(['NetworkPolicy shop/frontend egress rule 1']);
    expect(t.ingress.allowedBy.map((r: { text: string; line: number }) => `${r.text}:${r.line}`)).toEqual(['NetworkPolicy shop/cart ingress rule 1:59']);
  });

  it.each([
    [['lint', join(FIX, 'shop-after')], 0],
    [['lint', join(FIX, 'shop-after'), '--strict'], 1],
    [['lint', SHOP, '--strict'], 0],
    [['connlist', join(FIX, 'broken')], 0],
    [['connlist', join(FIX, 'broken'), '--strict'], 1],
  ] as const)('exit code of %j', async (argv, code) => {
    expect(await runPolicyCommand([...argv])).toBe(code);
  });

  it('parse errors go to stderr with file:line, the rest is still analyzed', async () => {
    await runPolicyCommand(['connlist', join(FIX, 'broken')]);
    expect(stderr).toContain('broken/deny.yaml:10: NetworkPolicy default/x: spec.podSelector.matchExpressions[0].operator "Among" is not one of In, NotIn, Exists, DoesNotExist');
    expect(stdout).toContain('default/web[Pod] => default/client[Pod] : All Connections');
  });

  it.each([
    [['connlist', SHOP, '--context', 'kind-lab'], 'give exactly one input: DIR, --context NAME or --snapshot FILE'],
    [['connlist', '--snapshot', '/nonexistent/snap.json'], 'cannot read /nonexistent/snap.json: no such file'],
    [['connlist', '--kubeconfig', '/k', SHOP], '--kubeconfig goes with --context'],
    [['connlist'], 'give exactly one input: DIR, --context NAME or --snapshot FILE'],
    [['connlist', '/nonexistent/dir'], 'cannot read /nonexistent/dir'],
    [['trace', SHOP, '--src', 'a', '--dst', 'b', '--port', '99999'], '--port must be a number from 1 to 65535'],
    [['trace', SHOP, '--src', 'nobody', '--dst', 'shop/cart', '--port', '80'], 'no workload or address "nobody"'],
    [['frobnicate'], 'unknown policy command: frobnicate'],
    [['connlist', SHOP, '--bogus'], "Unknown option '--bogus'"],
  ])('usage error %j exits 2', async (argv, message) => {
    expect(await runPolicyCommand(argv)).toBe(2);
    expect(stderr).toContain(message);
  });

  it('diff prints lost connections', async () => {
    expect(await runPolicyCommand(['diff', SHOP, join(FIX, 'shop-after'), '--json'])).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ lost: [{ src: 'shop/frontend[Deployment]', dst: 'shop/cart[Deployment]', conn: { TCP: '7070' } }], gained: [] });
  });
});
