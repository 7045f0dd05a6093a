// What a profile is: a name, the kubeconfig context it imitates, its network, optional
// component tuning, and a seed function that creates its objects through the API.
import type { ExtraFlags } from '../components';
import type { KwokOptions } from '../kwok-config';
import type { SeedContext } from '../seed';
import type { ClusterNetwork } from '../state';

export interface ProfileOptions {
  /** node count (profiles that scale) */
  nodes?: number;
  /** pod count (profiles that scale) */
  pods?: number;
  [key: string]: unknown;
}

export interface Profile {
  name: string;
  description: string;
  /** kubeconfig context; its cluster and user entries carry the same name (as kind does) */
  context: string;
  network: ClusterNetwork;
  defaults?: ProfileOptions;
  /** extra component flags and kwok options, e.g. for scale */
  tuning?(opts: ProfileOptions): { flags?: ExtraFlags; kwok?: KwokOptions };
  /**
   * Creates the profile's objects in a fresh, empty cluster through the API and returns
   * once it is settled: nodes Ready, pods Running, endpoints filled.
   */
  seed(ctx: SeedContext, opts: ProfileOptions): Promise<void>;
}

/**
 * A change applied on top of a running profile through the API, e.g. CoreDNS scaled to
 * zero or a cilium-config with a removed key. Apply variants to a cluster of your own
 * (ensureCluster(profile, { name: 'my-test' })) unless you revert them.
 */
export interface Variant {
  name: string;
  description: string;
  /** profiles it makes sense on */
  profiles: string[];
  apply(ctx: SeedContext): Promise<void>;
  revert?(ctx: SeedContext): Promise<void>;
}
