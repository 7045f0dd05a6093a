import { z } from 'zod';

/**
 * Errors cross every boundary (IPC, WebSocket, CLI) as this typed value,
 * never as a stack trace. `fix` says what the user can do about it.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST', // payload failed its schema
  'UNKNOWN_METHOD',
  'FORBIDDEN_SENDER', // IPC from a frame that is not the app
  'TOOL_NOT_ALLOWED',
  'TOOL_NOT_FOUND',
  'SPAWN_FAILED',
  'NOT_FOUND',
  'TIMEOUT',
  'CANCELLED',
  'UNREACHABLE',
  'TLS',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CERT_EXPIRED',
  'EXEC_PLUGIN_MISSING',
  'KUBECONFIG_INVALID',
  'SNAPSHOT_INVALID',
  'CONFLICT',
  'INTERNAL',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const LabErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  fix: z.string().optional(),
});
export type LabErrorValue = z.infer<typeof LabErrorSchema>;

/** Thrown inside main and on the client side; serialises to LabErrorValue. */
export class LabError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  constructor(code: ErrorCode, message: string, fix?: string) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.fix = fix;
  }
  toJSON(): LabErrorValue {
    return this.fix === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, fix: this.fix };
  }
  static from(value: LabErrorValue): LabError {
    return new LabError(value.code, value.message, value.fix);
  }
  /** Any caught value as a LabError (what the renderer's stores show). */
  static of(err: unknown): LabError {
    return err instanceof LabError ? err : new LabError('INTERNAL', String(err));
  }
}

/** Any thrown value as a LabErrorValue, without leaking a stack trace. */
export function toLabErrorValue(err: unknown): LabErrorValue {
  if (err instanceof LabError) return err.toJSON();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: message || 'unexpected internal error' };
}
