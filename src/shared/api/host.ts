import { z } from 'zod';
import { Empty } from './common';
import { factSchema } from '../facts';

export const NetInterfaceSchema = z.object({
  name: z.string(),
  mtu: z.number(),
  /** Link kind from the kernel: ether, loopback, veth, vxlan, geneve, bridge, wireguard, … */
  kind: z.string(),
  state: z.string(),
  /** Parent device for veth peers and tunnels, when the kernel says. */
  parent: z.string().nullable(),
});
export type NetInterface = z.infer<typeof NetInterfaceSchema>;

export const BtfInfoSchema = z.object({
  present: z.boolean(),
  /** The first path found, in cilium/ebpf's search order. */
  path: z.string().nullable(),
  searched: z.array(z.string()),
});
export type BtfInfo = z.infer<typeof BtfInfoSchema>;

export const HostFactsSchema = z.object({
  hostname: z.string(),
  kernelRelease: factSchema(z.string()),
  btf: factSchema(BtfInfoSchema),
  interfaces: factSchema(z.array(NetInterfaceSchema)),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;

export const hostRequests = {
  'host.facts': { params: Empty, result: HostFactsSchema },
} as const;
