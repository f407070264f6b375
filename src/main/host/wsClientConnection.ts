import type { WebSocket, RawData } from 'ws';
import type { ContractShape } from '../../shared/contract/define';
import type { CoachErrorShape } from '../../shared/contract/errors';
import { containsBinary, encodeBinaryEnvelope } from '../../shared/contract/binaryEnvelope';
import { clientMessageSchema, WIRE_PROTOCOL_VERSION, type ServerMessage } from '../../shared/contract/wireProtocol';
import { ClientSession } from '../contract/clientSession';
import type { ContractServer } from '../contract/contractServer';

/** A client that sends this many malformed messages is disconnected. */
export const MAX_PROTOCOL_ERRORS = 32;

/** Serves the contract to one WebSocket client. */
export function serveWsClient<C extends ContractShape>(socket: WebSocket, server: ContractServer<C>): ClientSession<C> {
  const session = new ClientSession(server);
  let protocolErrors = 0;

  const send = (message: ServerMessage): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (containsBinary(message)) {
      socket.send(encodeBinaryEnvelope(message as unknown as Record<string, unknown>), { binary: true });
    } else {
      socket.send(JSON.stringify(message));
    }
  };

  const protocolError = (message: string, details?: unknown): void => {
    protocolErrors += 1;
    const error: CoachErrorShape =
      details === undefined ? { code: 'bad_message', message } : { code: 'bad_message', message, details };
    send({ op: 'error', error });
    if (protocolErrors >= MAX_PROTOCOL_ERRORS) socket.close(1008, 'too many malformed messages');
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      protocolError('binary messages are not accepted from clients; send JSON text');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      protocolError('message is not valid JSON');
      return;
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      protocolError('message does not match the protocol (expected op call, subscribe, unsubscribe or ack)', {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        })),
      });
      return;
    }
    const message = parsed.data;
    switch (message.op) {
      case 'call':
        void session.call(message.method, message.args).then((outcome) => {
          send(
            outcome.ok
              ? { op: 'result', id: message.id, ok: true, value: outcome.value }
              : { op: 'result', id: message.id, ok: false, error: outcome.error },
          );
        });
        return;
      case 'subscribe': {
        const error = session.subscribe(message.sub, message.stream, message.args, (value) =>
          send({ op: 'event', sub: message.sub, value }),
        );
        send(error ? { op: 'subscribe_failed', sub: message.sub, error } : { op: 'subscribed', sub: message.sub });
        return;
      }
      case 'unsubscribe':
        session.unsubscribe(message.sub);
        return;
      case 'ack':
        session.ack(message.sub);
        return;
    }
  });

  socket.on('close', () => session.close());
  socket.on('error', () => session.close());
  send({ op: 'hello', protocol: WIRE_PROTOCOL_VERSION });
  return session;
}
