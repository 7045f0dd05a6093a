// Pitfall walkthroughs: diagnostic paths of checks, facts and questions over a target's facts.
//
//   const svc = new PitfallService({ resolve: pitfallResolver({ targets, snapshots }), store: new PitfallResultStore(dir) });
//   const s = await svc.start({ id: 'mtu-overlay', targetId });           // walks to the first question or the diagnosis
//   svc.answer({ sessionId: s.sessionId, nodeId: s.question!.nodeId, answer: 1460 });
//   svc.outcomes(targetId);                                                 // WalkthroughOutcome[] for reports
import { join } from 'node:path';
import type { FactKey } from '../facts/types';
import { resourcesDir } from '../paths';
import { loadPitfalls as load } from './load';

export { walk, newContext, validateAnswer, answerText, type LoadedPitfall, type PathOutcome } from './engine';
export { loadPitfalls, parsePitfall, checkPitfall, type PitfallLoadResult } from './load';
export { PitfallService, pitfallHandlers, type PitfallServiceOptions, type PitfallSource } from './service';
export { PitfallResultStore } from './store';
export { pitfallOutcome } from './outcome';
export { pitfallResolver } from './wire';
export { SIGNAL_REGISTRY, getSignal, readSignal, type SignalContext, type SignalDef, type SignalValue } from './signals';
export { findVerifierErrors, type VerifierHit, type VerifierKind } from './verifier';
export { PolicyFacts, type PolicyInput } from './policy-values';

/**
 * Every fact key some pitfall walkthrough reads. A snapshot that should serve the pitfalls
 * offline gathers these on top of the checks' facts (captureSnapshot gathers
 * factsNeeded(CHECKS); scripts/demo-snapshots.ts adds these).
 */
export function pitfallFactKeys(dir = join(resourcesDir(), 'pitfalls')): FactKey[] {
  return [...new Set(load(dir).pitfalls.flatMap((p) => p.needs.facts))].sort();
}
