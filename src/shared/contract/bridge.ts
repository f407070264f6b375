import type {
  ContractShape,
  MethodArgs,
  MethodName,
  MethodResult,
  StreamArgs,
  StreamName,
  StreamPayload,
} from './define';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type BridgeTransport = 'websocket' | 'electron-ipc';

/**
 * The one interface the renderer talks to main through. It does not know
 * whether it runs over Electron IPC or the headless host's WebSocket.
 * Failed calls reject with a CoachError.
 */
export interface Bridge<C extends ContractShape> {
  readonly transport: BridgeTransport;
  call<M extends MethodName<C>>(method: M, args: MethodArgs<C, M>): Promise<MethodResult<C, M>>;
  /** Returns an unsubscribe function. onError receives a CoachError when the subscription is refused. */
  subscribe<S extends StreamName<C>>(
    stream: S,
    args: StreamArgs<C, S>,
    onValue: (payload: StreamPayload<C, S>) => void,
    onError?: (error: Error) => void,
  ): () => void;
  connectionState(): ConnectionState;
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}
