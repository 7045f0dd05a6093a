import { z } from 'zod';
import { ArgString, Empty, Id } from './common';

/** Tools the runner may start. Nothing else can be run from the UI. */
export const TOOL_NAMES = [
  'kubectl', 'helm', 'cilium', 'hubble', 'kind', 'docker', 'podman',
  // the app's own host probes
  'uname', 'ip', 'ping', 'tracepath',
] as const;
export const ToolNameSchema = z.enum(TOOL_NAMES);
export type ToolName = z.infer<typeof ToolNameSchema>;

export const ToolStatusSchema = z.object({
  name: z.string(),
  /** Where it was found, or null when missing. */
  path: z.string().nullable(),
  source: z.enum(['settings', 'PATH', 'bundled-cache', 'missing']),
  /** Where we looked when it is missing. */
  searched: z.array(z.string()),
  install: z.string(),
  kubeFacing: z.boolean(),
});
export type ToolStatus = z.infer<typeof ToolStatusSchema>;

export const SessionStateSchema = z.enum(['running', 'exited', 'failed', 'cancelled', 'timed-out']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const SessionInfoSchema = z.object({
  sessionId: z.string(),
  title: z.string(),
  tool: z.string(),
  /** argv as run, secrets never included (kubeconfig is a path). */
  argv: z.array(z.string()),
  targetId: z.string().nullable(),
  state: SessionStateSchema,
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Bytes of output produced so far. */
  bytes: z.number(),
  /** Why it ended when it did not exit by itself (cancel, timeout, spawn error). */
  reason: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const RunParamsSchema = z.object({
  tool: ToolNameSchema,
  args: z.array(ArgString).max(256),
  /** For kube-facing tools main adds --kubeconfig and --context of this target. */
  targetId: Id.optional(),
  title: z.string().max(200).optional(),
  timeoutMs: z.number().int().min(100).max(24 * 3600 * 1000).optional(),
});
export type RunParams = z.infer<typeof RunParamsSchema>;

export const terminalRequests = {
  'tools.list': { params: Empty, result: z.array(ToolStatusSchema) },
  'terminal.run': { params: RunParamsSchema, result: SessionInfoSchema },
  'terminal.cancel': { params: z.object({ sessionId: Id }).strict(), result: SessionInfoSchema },
  /** Flow control: the client has written output up to `offset` bytes. */
  'terminal.ack': { params: z.object({ sessionId: Id, offset: z.number().int().min(0) }).strict(), result: Empty },
  'terminal.list': { params: Empty, result: z.array(SessionInfoSchema) },
  'terminal.transcript': {
    params: z.object({ sessionId: Id }).strict(),
    result: z.object({ text: z.string(), omittedBytes: z.number(), fileName: z.string() }),
  },
} as const;

export const terminalEvents = {
  'terminal.started': SessionInfoSchema,
  /**
   * Output batched by time and size, as whole UTF-8 bytes (xterm.js decodes
   * them; browser mode sends them as a binary frame). `offset` is the
   * session's byte count after this chunk; clients ack it for flow control.
   */
  'terminal.data': z.object({ sessionId: z.string(), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes'), offset: z.number() }),
  'terminal.exit': SessionInfoSchema,
} as const;
