import type { Bridge } from '../../../shared/contract/bridge';
import type { ContractShape } from '../../../shared/contract/define';
import { CoachError } from '../../../shared/contract/errors';
import type { CoachPreloadApi } from '../../../shared/contract/ipcChannels';

/** A Bridge over the Electron preload's window.coach. IPC has no reconnects: it is open while the window lives. */
export function createIpcBridge<C extends ContractShape>(api: CoachPreloadApi): Bridge<C> {
  return {
    transport: 'electron-ipc',
    async call(method, args) {
      const outcome = await api.call(method, args);
      if (!outcome.ok) throw CoachError.fromShape(outcome.error);
      return outcome.value as never;
    },
    subscribe(stream, args, onValue, onError) {
      let cancelled = false;
      let sub: number | null = null;
      void api.subscribe(stream, args, onValue as (value: unknown) => void).then((outcome) => {
        if (!outcome.ok) {
          onError?.(CoachError.fromShape(outcome.error));
          return;
        }
        sub = outcome.sub;
        if (cancelled) api.unsubscribe(sub);
      });
      return () => {
        cancelled = true;
        if (sub !== null) api.unsubscribe(sub);
      };
    },
    connectionState: () => 'open',
    onConnectionState: () => () => {},
    close() {},
  };
}
