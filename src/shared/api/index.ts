import type { z } from 'zod';
import { appEvents, appRequests } from './app';
import { checkEvents, checkRequests } from './checks';
import { hostRequests } from './host';
import { kindRequests } from './kind';
import { policyRequests } from './policy';
import { pitfallRequests } from './pitfalls';
import { reportRequests } from './report';
import { targetEvents, targetRequests } from './targets';
import { terminalEvents, terminalRequests } from './terminal';
import { walkthroughEvents, walkthroughRequests } from './walkthrough';

/**
 * The whole lab API: every request with its params and result schema, every
 * event with its payload schema. Main validates params against these; both
 * transports carry exactly this. One object per domain, merged here.
 */
export const requests = {
  ...appRequests,
  ...checkRequests,
  ...hostRequests,
  ...kindRequests,
  ...policyRequests,
  ...pitfallRequests,
  ...reportRequests,
  ...targetRequests,
  ...terminalRequests,
  ...walkthroughRequests,
} as const;

export const events = {
  ...appEvents,
  ...checkEvents,
  ...targetEvents,
  ...terminalEvents,
  ...walkthroughEvents,
} as const;

export type Requests = typeof requests;
export type Events = typeof events;
export type Method = keyof Requests;
export type EventName = keyof Events;
export type Params<M extends Method> = z.input<Requests[M]['params']>;
export type Result<M extends Method> = z.output<Requests[M]['result']>;
export type Payload<E extends EventName> = z.output<Events[E]>;

export const isMethod = (m: unknown): m is Method => typeof m === 'string' && Object.hasOwn(requests, m);

export * from './app';
export * from './checks';
export * from './checks-types';
export * from './host';
export * from './kind';
export * from './policy';
export * from './pitfalls';
export * from './report';
export * from './targets';
export * from './terminal';
export * from './walkthrough';
export * from './common';
