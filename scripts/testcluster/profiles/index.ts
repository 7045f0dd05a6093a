// The profile registry. A new profile is one module here plus one line in PROFILES.
import { kindBare } from './kind-bare';
import { kindCilium } from './kind-cilium';
import { kindDefault } from './kind-default';
import { large } from './large';
import type { Profile } from './types';

export const PROFILES: Record<string, Profile> = {
  [kindBare.name]: kindBare,
  [kindCilium.name]: kindCilium,
  [kindDefault.name]: kindDefault,
  [large.name]: large,
};

export const DEFAULT_PROFILE = 'kind-cilium';

export function getProfile(name: string): Profile {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown profile ${JSON.stringify(name)} (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

export type { Profile, ProfileOptions, Variant } from './types';
