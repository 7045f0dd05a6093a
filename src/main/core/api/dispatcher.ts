import type { z } from 'zod';
import { isMethod, requests, type Method, type Requests, type Result } from '../../../shared/api';
import { LabError, toLabErrorValue } from '../../../shared/errors';
import type { Envelope } from '../../../shared/transport';

/** Who is calling: used for flow control and logs, never for authority. */
export interface CallContext {
  clientId: string;
  transport: 'electron' | 'browser' | 'cli' | 'test';
}

export type Handler<M extends Method> = (params: z.output<Requests[M]['params']>, ctx: CallContext) => Promise<Result<M>> | Result<M>;
export type Handlers = { [M in Method]: Handler<M> };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`)
    .join('; ');
}

/**
 * Validates a raw request against the contract and runs its handler.
 * Whatever arrives, the answer is an Envelope: a result or a typed error.
 */
export function createDispatcher(handlers: Handlers) {
  return async function dispatch(method: unknown, params: unknown, ctx: CallContext): Promise<Envelope> {
    if (!isMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method: ${String(method).slice(0, 100)}` } };
    }
    const parsed = requests[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_REQUEST', message: `${method}: ${describeIssues(parsed.error)}` } };
    }
    try {
      const handler = handlers[method] as Handler<Method>;
      const result = await handler(parsed.data as never, ctx);
      return { ok: true, result };
    } catch (err) {
      if (!(err instanceof LabError)) console.error(`[datapath-lab] ${method} failed:`, err);
      return { ok: false, error: toLabErrorValue(err) };
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
