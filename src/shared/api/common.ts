import { z } from 'zod';

export const Empty = z.object({}).strict();

/** Ids we mint (sessions, targets): short, printable, no path or shell meaning. */
export const Id = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:@/-]+$/, 'ids use letters, digits and . _ : @ / -');

/** A user-supplied argv element: bounded, no NUL (which would truncate it in the kernel). */
export const ArgString = z.string().max(8192).refine((s) => !s.includes('\0'), 'arguments may not contain NUL');
