import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import type { AnswerValue, Gathered, Pitfall, PitfallResult, PitfallSession, PitfallSummary, QuestionNode, pitfallRequests } from '../../../shared/api/pitfalls';
import type { WalkthroughOutcome } from '../../../shared/api/report';
import { LabError } from '../../../shared/errors';
import type { GatherFn } from '../checkrun/run';
import type { FactSet } from '../facts/types';
import { resourcesDir } from '../paths';
import { newContext, validateAnswer, walk, type LoadedPitfall, type PathOutcome } from './engine';
import { loadPitfalls, type PitfallLoadResult } from './load';
import { pitfallOutcome } from './outcome';
import type { PolicyInput } from './policy-values';
import type { SignalContext } from './signals';
import type { PitfallResultStore } from './store';

/**
 * The pitfall service: lists the walkthroughs, starts a run on a target (gathering exactly the
 * facts the pitfall needs, once), walks the path to the first question or the diagnosis, and
 * takes answers. Sessions live in memory (the newest `maxSessions`); the last result of each
 * pitfall per target is kept in the result store for reports.
 */

export interface PitfallSource {
  /** What the result calls the target. */
  target: { kind: string; name: string };
  gather: GatherFn;
  /** The target's policy objects for the policy analyzer; null when it has none (the host). */
  policy: (() => Promise<PolicyInput>) | null;
}

export interface PitfallServiceOptions {
  /** resources/pitfalls by default. */
  dir?: string;
  /** Where a target's facts and policy objects come from (see wire.ts). */
  resolve(targetId: string, o: { debugPods: boolean }): Promise<PitfallSource>;
  store?: PitfallResultStore | null;
  now?: () => Date;
  maxSessions?: number;
}

interface Session {
  id: string;
  lp: LoadedPitfall;
  targetId: string;
  target: { kind: string; name: string };
  ctx: SignalContext;
  gathered: Gathered;
  /** Answers on the current path. */
  answers: Record<string, AnswerValue>;
  /** Every answer given in this session, for `previous` when the path comes back to a question. */
  history: Record<string, AnswerValue>;
  startedAt: string;
  result: PitfallResult;
}

function gatheredOf(keys: readonly string[], facts: FactSet, policy: Gathered['policy'], policyNote: string | null): Gathered {
  const unknown: Gathered['unknown'] = [];
  for (const k of keys) {
    const f = (facts as Record<string, { state: string; reason?: string; detail?: string } | undefined>)[k];
    if (!f) unknown.push({ key: k, reason: 'not-gathered', detail: 'not in the facts (a snapshot made before this fact existed?)' });
    else if (f.state === 'unknown') unknown.push({ key: k, reason: f.reason ?? 'error', detail: f.detail ?? '' });
  }
  return { keys: [...keys], unknown, policy, policyNote };
}

export class PitfallService {
  private loaded: PitfallLoadResult | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly dir: string;
  private readonly now: () => Date;
  private readonly maxSessions: number;

  constructor(private readonly o: PitfallServiceOptions) {
    this.dir = o.dir ?? join(resourcesDir(), 'pitfalls');
    this.now = o.now ?? (() => new Date());
    this.maxSessions = o.maxSessions ?? 32;
  }

  private load(): PitfallLoadResult {
    return (this.loaded ??= loadPitfalls(this.dir));
  }

  list(): { pitfalls: PitfallSummary[]; errors: { file: string; problems: string[] }[] } {
    const l = this.load();
    return {
      pitfalls: l.pitfalls.map((p) => ({ id: p.pitfall.id, title: p.pitfall.title, summary: p.pitfall.summary, category: p.pitfall.category, nodes: p.pitfall.nodes.length, questions: p.questions, needs: { facts: [...p.needs.facts], policy: p.needs.policy } })),
      errors: l.errors.map((e) => ({ file: basename(e.file), problems: e.problems })),
    };
  }

  private find(id: string): LoadedPitfall {
    const p = this.load().pitfalls.find((x) => x.pitfall.id === id);
    if (!p) {
      const broken = this.load().errors.find((e) => basename(e.file).replace(/\.ya?ml$/, '') === id);
      throw new LabError('NOT_FOUND', broken ? `pitfall ${id} did not load: ${broken.problems.slice(0, 3).join('; ')}` : `no pitfall ${id}`, 'See pitfalls.list for the ones that loaded.');
    }
    return p;
  }

  get(id: string): Pitfall & { references: NonNullable<Pitfall['references']> } {
    const p = structuredClone(this.find(id).pitfall);
    return { ...p, references: p.references ?? [] };
  }

  /** Gathers the pitfall's facts from the target (and its policy objects when needed) and walks to the first stop. */
  async start(p: { id: string; targetId: string; debugPods?: boolean }): Promise<PitfallSession> {
    const lp = this.find(p.id);
    const src = await this.o.resolve(p.targetId, { debugPods: p.debugPods ?? false });
    const { facts } = await src.gather(lp.needs.facts, {});
    let policy: PolicyInput | null = null;
    let policyState: Gathered['policy'] = 'not-needed';
    let policyNote: string | null = null;
    if (lp.needs.policy) {
      if (!src.policy) {
        policyState = 'unavailable';
        policyNote = 'this target has no Kubernetes policy objects (pick a cluster or a snapshot)';
      } else {
        try {
          policy = await src.policy();
          policyState = 'loaded';
          const warn = policy.issues.filter((i) => i.severity !== 'info').map((i) => i.message);
          if (warn.length) policyNote = warn.slice(0, 3).join('; ');
        } catch (err) {
          if (err instanceof LabError && ['UNREACHABLE', 'UNAUTHORIZED', 'TLS', 'CANCELLED'].includes(err.code)) throw err;
          policyState = 'unavailable';
          policyNote = `the policy objects could not be read: ${(err as Error).message}`;
        }
      }
    }
    const startedAt = this.now().toISOString();
    const s: Session = {
      id: randomUUID(),
      lp,
      targetId: p.targetId,
      target: src.target,
      ctx: newContext(facts, policy, policyNote),
      gathered: gatheredOf(lp.needs.facts, facts, policyState, policyNote),
      answers: {},
      history: {},
      startedAt,
      result: null as unknown as PitfallResult,
    };
    this.step(s, {});
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return this.view(s);
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new LabError('NOT_FOUND', `no pitfall session ${id} (sessions end when the app restarts or many newer ones start)`, 'Start the walkthrough again.');
    return s;
  }

  private step(s: Session, answers: Record<string, AnswerValue>): void {
    const out: PathOutcome = walk(s.lp, s.ctx, answers);
    s.answers = out.answers;
    const question = out.question && s.history[out.question.nodeId] !== undefined ? { ...out.question, previous: s.history[out.question.nodeId] } : out.question;
    s.result = {
      pitfallId: s.lp.pitfall.id,
      title: s.lp.pitfall.title,
      targetId: s.targetId,
      target: s.target,
      state: out.state,
      trail: out.trail,
      question,
      diagnosis: out.diagnosis,
      answers: out.answers,
      gathered: s.gathered,
      startedAt: s.startedAt,
      updatedAt: this.now().toISOString(),
    };
    this.o.store?.put(s.result);
  }

  private view(s: Session): PitfallSession {
    return structuredClone({ ...s.result, sessionId: s.id });
  }

  /** Answers the current question, or changes the answer to an earlier one on the path. */
  answer(p: { sessionId: string; nodeId: string; answer: AnswerValue }): PitfallSession {
    const s = this.session(p.sessionId);
    const node = s.lp.byId.get(p.nodeId);
    if (!node || node.kind !== 'question') throw new LabError('INVALID_REQUEST', `${p.nodeId} is not a question of pitfall ${s.lp.pitfall.id}`);
    const onPath = s.result.question?.nodeId === p.nodeId || s.result.trail.some((t) => t.nodeId === p.nodeId);
    if (!onPath) throw new LabError('INVALID_REQUEST', `question ${p.nodeId} is not on this session's path`, 'Answer the current question, or one the path already passed.');
    const v = validateAnswer(node as QuestionNode, p.answer);
    s.history[p.nodeId] = v;
    this.step(s, { ...s.answers, [p.nodeId]: v });
    return this.view(s);
  }

  sessionView(sessionId: string): PitfallSession {
    return this.view(this.session(sessionId));
  }

  close(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  results(targetId: string): PitfallResult[] {
    return this.o.store?.list(targetId) ?? [...this.sessions.values()].filter((s) => s.targetId === targetId).map((s) => structuredClone(s.result));
  }

  forget(targetId: string, id?: string): void {
    this.o.store?.forget(targetId, id);
  }

  /** Report outcomes of the target's last pitfall results (what the report service's `walkthroughs` dependency returns, next to the Quick start's). */
  outcomes(targetId: string): WalkthroughOutcome[] {
    return this.results(targetId).map(pitfallOutcome);
  }
}

type Req = typeof pitfallRequests;
type Handler<M extends keyof Req> = (p: z.output<Req[M]['params']>) => Promise<z.output<Req[M]['result']>> | z.output<Req[M]['result']>;

/** Request handlers for the lab service (one per method of pitfallRequests). */
export function pitfallHandlers(svc: PitfallService): { [M in keyof Req]: Handler<M> } {
  return {
    'pitfalls.list': () => svc.list(),
    'pitfalls.get': (p) => svc.get(p.id),
    'pitfalls.start': (p) => svc.start(p),
    'pitfalls.answer': (p) => svc.answer(p),
    'pitfalls.session': (p) => svc.sessionView(p.sessionId),
    'pitfalls.close': (p) => {
      svc.close(p.sessionId);
      return {};
    },
    'pitfalls.results': (p) => svc.results(p.targetId),
    'pitfalls.forget': (p) => {
      svc.forget(p.targetId, p.id);
      return {};
    },
  };
}
