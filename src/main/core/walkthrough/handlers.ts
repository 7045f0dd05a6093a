import type { z } from 'zod';
import { walkthroughRequests } from '../../../shared/api/walkthrough';
import type { WalkthroughService } from './engine';

type Reqs = typeof walkthroughRequests;
export type WalkthroughHandlers = { [M in keyof Reqs]: (params: z.output<Reqs[M]['params']>) => Promise<z.output<Reqs[M]['result']>> | z.output<Reqs[M]['result']> };

/**
 * The walkthrough, values and baseline requests as dispatcher handlers: spread them into the
 * service's handler map once `walkthroughRequests` is merged into the API index.
 */
export function walkthroughHandlers(s: WalkthroughService): WalkthroughHandlers {
  const runId = async (p: Promise<{ runId: string; done: Promise<unknown> }>) => {
    const r = await p;
    // Failures are reported by walkthrough.done; nothing awaits `done` here.
    r.done.catch(() => {});
    return { runId: r.runId };
  };
  return {
    'walkthrough.list': () => s.listWalkthroughs(),
    'walkthrough.get': (p) => s.getWalkthrough(p.id),
    'walkthrough.guide': (p) => s.guide(p.file),
    'walkthrough.plan': (p) => s.planStep(p.id, p.stepId, p.targetId, p.params),
    'walkthrough.run': (p) => runId(s.runStep(p.id, p.stepId, p.targetId, p.params)),
    'walkthrough.verify': (p) => runId(s.verifyStep(p.id, p.stepId, p.targetId, p.params)),
    'walkthrough.preview': (p) => runId(s.previewStep(p.id, p.stepId, p.targetId, p.params)),
    'walkthrough.cleanup': (p) => runId(s.cleanupStep(p.id, p.stepId, p.targetId, p.params)),
    'walkthrough.cancel': (p) => s.cancelRun(p.runId),
    'walkthrough.skip': (p) => s.skipStep(p.id, p.stepId, p.targetId, p.reason),
    'walkthrough.reset': (p) => s.resetStep(p.id, p.targetId, p.stepId),
    'walkthrough.progress': (p) => s.progress(p.id, p.targetId),
    'ciliumValues.defaults': (p) => s.ciliumValuesDefaults(p.profile, p.cluster),
    'ciliumValues.render': (p) => s.renderCiliumValues(p),
    'ciliumValues.save': (p) => s.saveCiliumValues(p),
    'baseline.generate': (p) => s.generateBaselinePolicies(p),
  };
}
