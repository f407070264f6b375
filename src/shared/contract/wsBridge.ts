import { CoachError } from './errors';
import type { Bridge, ConnectionState } from './bridge';
import type { ContractShape, MethodName, MethodResult, StreamName, StreamPayload } from './define';
import { decodeBinaryEnvelope } from './binaryEnvelope';
import { serverMessageSchema, type ClientMessage } from './wireProtocol';

/**
 * The subset of the browser WebSocket API the client needs; the `ws` package satisfies it in Node.
 * Handlers take `never` so that both the DOM's and ws's event types fit.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsBridgeOptions {
  url: string;
  createSocket: WebSocketFactory;
  /** Reconnect delays grow from this to maxReconnectDelayMs. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** A call that gets no answer in this time rejects with code 'timeout'. */
  callTimeoutMs?: number;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface ActiveSubscription {
  stream: string;
  args: unknown;
  onValue: (value: unknown) => void;
  onError?: (error: Error) => void;
}

const OPEN = 1;

/** A Bridge over the headless host's WebSocket. Reconnects with back-off and re-subscribes. */
export function createWsBridge<C extends ContractShape>(options: WsBridgeOptions): Bridge<C> {
  const minDelayMs = options.minReconnectDelayMs ?? 250;
  const maxDelayMs = options.maxReconnectDelayMs ?? 5000;
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;

  let socket: WebSocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let closedByUser = false;
  let reconnectDelayMs = minDelayMs;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let nextId = 1;
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, ActiveSubscription>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const sendMessage = (message: ClientMessage): boolean => {
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  };

  const failAllPending = (reason: string): void => {
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new CoachError('disconnected', reason));
      pending.delete(id);
    }
  };

  const handleMessage = (data: unknown): void => {
    let raw: unknown;
    try {
      if (typeof data === 'string') raw = JSON.parse(data);
      else if (data instanceof ArrayBuffer) raw = decodeBinaryEnvelope(new Uint8Array(data));
      else if (ArrayBuffer.isView(data))
        raw = decodeBinaryEnvelope(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else return;
    } catch {
      return;
    }
    const parsed = serverMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.op) {
      case 'result': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        clearTimeout(call.timer);
        if (message.ok) call.resolve(message.value);
        else call.reject(CoachError.fromShape(message.error));
        return;
      }
      case 'event': {
        const subscription = subscriptions.get(message.sub);
        if (!subscription) return;
        try {
          subscription.onValue(message.value);
        } finally {
          sendMessage({ op: 'ack', sub: message.sub });
        }
        return;
      }
      case 'subscribe_failed': {
        const subscription = subscriptions.get(message.sub);
        subscriptions.delete(message.sub);
        subscription?.onError?.(CoachError.fromShape(message.error));
        return;
      }
      default:
        return;
    }
  };

  const connect = (): void => {
    const ws = options.createSocket(options.url);
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      reconnectDelayMs = minDelayMs;
      setState('open');
      for (const [sub, subscription] of subscriptions) {
        sendMessage({ op: 'subscribe', sub, stream: subscription.stream, args: subscription.args });
      }
    };
    ws.onmessage = (event: { data: unknown }) => handleMessage(event.data);
    ws.onerror = () => {
      // onclose follows and decides what to do.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failAllPending('the connection to Coach closed before the answer arrived');
      if (closedByUser) {
        setState('closed');
        return;
      }
      setState('reconnecting');
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, reconnectDelayMs);
      reconnectDelayMs = Math.min(maxDelayMs, reconnectDelayMs * 2);
    };
  };

  connect();

  return {
    transport: 'websocket',
    call<M extends MethodName<C>>(method: M, args: unknown): Promise<MethodResult<C, M>> {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new CoachError('timeout', `no answer to ${method} within ${callTimeoutMs} ms`));
        }, callTimeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        if (!sendMessage({ op: 'call', id, method, args })) {
          pending.delete(id);
          clearTimeout(timer);
          reject(new CoachError('disconnected', `not connected to Coach; ${method} was not sent`));
        }
      });
    },
    subscribe<S extends StreamName<C>>(
      stream: S,
      args: unknown,
      onValue: (payload: StreamPayload<C, S>) => void,
      onError?: (error: Error) => void,
    ): () => void {
      const sub = nextId++;
      subscriptions.set(sub, { stream, args, onValue: onValue as (value: unknown) => void, onError });
      sendMessage({ op: 'subscribe', sub, stream, args });
      return () => {
        if (subscriptions.delete(sub)) sendMessage({ op: 'unsubscribe', sub });
      };
    },
    connectionState: () => state,
    onConnectionState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closedByUser = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      failAllPending('the bridge was closed');
      subscriptions.clear();
      if (socket) socket.close(1000, 'client closed');
      else setState('closed');
    },
  };
}
