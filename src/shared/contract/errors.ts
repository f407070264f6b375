import { z } from 'zod';

/**
 * Every failure that crosses the contract boundary is one of these codes.
 * Services may add their own codes later; these are the transport-level ones.
 */
export const coachErrorCodes = [
  'invalid_arguments',
  'unknown_method',
  'unknown_stream',
  'service_failure',
  'bad_message',
  'unauthorized',
  'busy',
  'disconnected',
] as const;

export type CoachErrorCode = (typeof coachErrorCodes)[number] | (string & {});

export const coachErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  details: z.unknown().optional(),
});

export type CoachErrorShape = z.infer<typeof coachErrorSchema>;

/** An error that can be sent over any transport as a plain value and rebuilt on the other side. */
export class CoachError extends Error {
  readonly code: CoachErrorCode;
  readonly details: unknown;

  constructor(code: CoachErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'CoachError';
    this.code = code;
    this.details = details;
  }

  toShape(): CoachErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromShape(shape: CoachErrorShape): CoachError {
    return new CoachError(shape.code, shape.message, shape.details);
  }

  /** Turns anything thrown by a service into a shape; unknown errors become service_failure. */
  static toShape(thrown: unknown): CoachErrorShape {
    if (thrown instanceof CoachError) return thrown.toShape();
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { code: 'service_failure', message: message || 'the service failed without a message' };
  }
}

/** The result of a call as it crosses a transport: never a thrown exception. */
export type CallOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: CoachErrorShape };
