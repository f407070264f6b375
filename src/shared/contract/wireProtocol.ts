import { z } from 'zod';
import { coachErrorSchema } from './errors';

/** Version of the WebSocket message format; bumped on incompatible changes. */
export const WIRE_PROTOCOL_VERSION = 1;

const requestId = z.number().int().nonnegative();
const subscriptionId = z.number().int().nonnegative();

/** Messages a client sends (always JSON text frames). */
export const clientMessageSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('call'), id: requestId, method: z.string().max(200), args: z.unknown().optional() }),
  z.object({
    op: z.literal('subscribe'),
    sub: subscriptionId,
    stream: z.string().max(200),
    args: z.unknown().optional(),
  }),
  z.object({ op: z.literal('unsubscribe'), sub: subscriptionId }),
  /** Sent after the client has handled one event of the subscription; frees one delivery slot. */
  z.object({ op: z.literal('ack'), sub: subscriptionId }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/**
 * Messages the server sends. Events whose payload holds typed arrays travel
 * in a binary envelope (see binaryEnvelope.ts); all others are JSON text.
 */
export type ServerMessage =
  | { op: 'hello'; protocol: number }
  | { op: 'result'; id: number; ok: true; value: unknown }
  | { op: 'result'; id: number; ok: false; error: z.infer<typeof coachErrorSchema> }
  | { op: 'subscribed'; sub: number }
  | { op: 'subscribe_failed'; sub: number; error: z.infer<typeof coachErrorSchema> }
  | { op: 'event'; sub: number; value: unknown }
  | { op: 'error'; error: z.infer<typeof coachErrorSchema> };

export const serverMessageSchema = z.union([
  z.object({ op: z.literal('hello'), protocol: z.number() }),
  z.object({ op: z.literal('result'), id: requestId, ok: z.literal(true), value: z.unknown() }),
  z.object({ op: z.literal('result'), id: requestId, ok: z.literal(false), error: coachErrorSchema }),
  z.object({ op: z.literal('subscribed'), sub: subscriptionId }),
  z.object({ op: z.literal('subscribe_failed'), sub: subscriptionId, error: coachErrorSchema }),
  z.object({ op: z.literal('event'), sub: subscriptionId, value: z.unknown() }),
  z.object({ op: z.literal('error'), error: coachErrorSchema }),
]);
