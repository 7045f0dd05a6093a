import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KERNEL_OPTIONS_OF_INTEREST, kernelConfigSearchPaths, parseKernelConfig } from '../../../src/main/core/facts/kernel-config';
import { FIXTURES } from '../checks/fixtures';

const config = (f: string) => gunzipSync(readFileSync(join(FIXTURES, 'kernel-configs', f))).toString('utf8');

describe('parseKernelConfig', () => {
  it('reads y, m, n and "is not set" lines and skips strings and numbers', () => {
    const text = ['#', '# Automatically generated file; DO NOT EDIT.', 'CONFIG_BPF=y', 'CONFIG_NET_CLS_BPF=m', 'CONFIG_X=n', '# CONFIG_NETKIT is not set', 'CONFIG_HZ=250', 'CONFIG_LOCALVERSION=""', '  CONFIG_VXLAN=m  ', 'CONFIG_lower=y', ''].join('\n');
    expect(parseKernelConfig(text)).toEqual({ options: { BPF: 'y', NET_CLS_BPF: 'm', X: 'n', NETKIT: 'n', VXLAN: 'm' }, optionCount: 5 });
    expect(parseKernelConfig(text, ['BPF', 'NETKIT']).options).toEqual({ BPF: 'y', NETKIT: 'n' });
  });

  it.each([
    // file, options in the file (tristate lines), a few values
    ['rhel-8.0_4.18.0-147.5.1.el8_1.config.gz', { BPF: 'y', NET_SCH_INGRESS: 'm', VXLAN: 'm', CRYPTO_USER_API_HASH: 'y', NETKIT: undefined, DEBUG_INFO_BTF: undefined, INET_XFRM_MODE_TUNNEL: 'm' }],
    ['debian-10_4.19.249.config.gz', { BPF: 'y', HAVE_EBPF_JIT: 'y', NET_CLS_BPF: 'm', CRYPTO_USER_API_HASH: 'm', WIREGUARD: undefined }],
    ['ubuntu-20.04_5.4.0-26-generic.config.gz', { BPF_JIT: 'y', DEBUG_INFO_BTF: 'n', GENEVE: 'm', WIREGUARD: undefined }],
    ['debian-13_6.12.43.config.gz', { NETKIT: 'y', WIREGUARD: 'm', DEBUG_INFO_BTF: 'y', NF_TABLES: 'm', INET_XFRM_MODE_TUNNEL: undefined }],
  ])('%s', (file, expected) => {
    const p = parseKernelConfig(config(file), KERNEL_OPTIONS_OF_INTEREST);
    expect(p.optionCount).toBeGreaterThan(3000);
    for (const [k, v] of Object.entries(expected)) expect(p.options[k], k).toBe(v);
    expect(Object.keys(p.options).length).toBeLessThanOrEqual(KERNEL_OPTIONS_OF_INTEREST.length);
  });
});

describe('kernelConfigSearchPaths', () => {
  it('follows kubeadm system-validators order', () => {
    expect(kernelConfigSearchPaths('6.1.0-18-amd64')).toEqual([
      '/proc/config.gz',
      '/boot/config-6.1.0-18-amd64',
      '/usr/src/linux-6.1.0-18-amd64/.config',
      '/usr/src/linux/.config',
      '/usr/lib/modules/6.1.0-18-amd64/config',
      '/usr/lib/ostree-boot/config-6.1.0-18-amd64',
      '/usr/lib/kernel/config-6.1.0-18-amd64',
      '/usr/src/linux-headers-6.1.0-18-amd64/.config',
      '/lib/modules/6.1.0-18-amd64/build/.config',
    ]);
  });
});
