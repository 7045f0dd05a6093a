import { z } from 'zod';

/**
 * A fact is one typed observation about a target. Unknown beats wrong: when we
 * cannot read something we say why, and checks report "unknown" with that reason.
 */
export const UNKNOWN_REASONS = ['forbidden', 'not-found', 'timeout', 'not-applicable', 'unreachable', 'error'] as const;
export const UnknownReasonSchema = z.enum(UNKNOWN_REASONS);
export type UnknownReason = z.infer<typeof UnknownReasonSchema>;

export type Known<T> = { state: 'known'; value: T; source: string };
export type Unknown = { state: 'unknown'; reason: UnknownReason; detail: string; source?: string };
export type Fact<T> = Known<T> | Unknown;

export function factSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('state', [
    z.object({ state: z.literal('known'), value, source: z.string() }),
    z.object({ state: z.literal('unknown'), reason: UnknownReasonSchema, detail: z.string(), source: z.string().optional() }),
  ]);
}

export const known = <T>(value: T, source: string): Known<T> => ({ state: 'known', value, source });
export const unknown = (reason: UnknownReason, detail: string, source?: string): Unknown =>
  source === undefined ? { state: 'unknown', reason, detail } : { state: 'unknown', reason, detail, source };
export const isKnown = <T>(f: Fact<T> | undefined): f is Known<T> => f?.state === 'known';
