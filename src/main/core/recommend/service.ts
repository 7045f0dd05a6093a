import type { RecommendAnswers, Recommendation, RecommendQuestion } from '../../../shared/api/report';
import type { ResolvedTarget } from '../checkrun/service';
import { QUESTIONS, RECOMMEND_FACT_KEYS, recommend } from './index';

/**
 * The recommender for the UI: gathers only the facts it reads from the target (live or a
 * snapshot) and answers. Wire `recommend.questions` and `recommend.run` to it.
 */
export function createRecommendService(deps: { resolve: (targetId: string, opts: { debugPods: boolean }) => Promise<ResolvedTarget> }) {
  return {
    questions: (): RecommendQuestion[] => [...QUESTIONS],
    async run(p: { targetId: string; answers: Partial<RecommendAnswers> }, opts: { signal?: AbortSignal } = {}): Promise<Recommendation> {
      const { target, gather } = await deps.resolve(p.targetId, { debugPods: false });
      const { facts } = await gather([...RECOMMEND_FACT_KEYS], { signal: opts.signal });
      return recommend(facts, p.answers, { target: { kind: target.kind, name: target.name, server: target.server } });
    },
  };
}
