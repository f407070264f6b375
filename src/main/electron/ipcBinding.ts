import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ContractShape } from '../../shared/contract/define';
import type { CallOutcome, CoachErrorShape } from '../../shared/contract/errors';
import { ipcChannels } from '../../shared/contract/ipcChannels';
import { ClientSession } from '../contract/clientSession';
import type { ContractServer } from '../contract/contractServer';

const untrusted: CoachErrorShape = {
  code: 'unauthorized',
  message: 'IPC from a frame that is not the Coach console was refused',
};

/**
 * Serves the contract over Electron IPC, one ClientSession per window. Every
 * message's sender frame is checked against isTrustedUrl before it is handled.
 */
export function bindContractToIpc<C extends ContractShape>(
  ipcMain: IpcMain,
  server: ContractServer<C>,
  isTrustedUrl: (url: string) => boolean,
): () => void {
  const sessions = new Map<number, ClientSession<C>>();

  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && isTrustedUrl(frame.url);
  };

  const sessionFor = (contents: WebContents): ClientSession<C> => {
    let session = sessions.get(contents.id);
    if (!session) {
      const created = new ClientSession(server);
      session = created;
      sessions.set(contents.id, created);
      const id = contents.id;
      contents.once('destroyed', () => {
        created.close();
        sessions.delete(id);
      });
    }
    return session;
  };

  ipcMain.handle(ipcChannels.call, async (event, method: unknown, args: unknown): Promise<CallOutcome> => {
    if (!trusted(event)) return { ok: false, error: untrusted };
    if (typeof method !== 'string')
      return { ok: false, error: { code: 'bad_message', message: 'method must be a string' } };
    return sessionFor(event.sender).call(method, args);
  });

  ipcMain.handle(ipcChannels.subscribe, (event, sub: unknown, stream: unknown, args: unknown) => {
    if (!trusted(event)) return { ok: false, error: untrusted };
    if (typeof sub !== 'number' || !Number.isInteger(sub) || typeof stream !== 'string') {
      return { ok: false, error: { code: 'bad_message', message: 'subscribe needs an integer id and a stream name' } };
    }
    const contents = event.sender;
    const error = sessionFor(contents).subscribe(sub, stream, args, (value) => {
      if (!contents.isDestroyed()) contents.send(ipcChannels.event, sub, value);
    });
    return error ? { ok: false, error } : { ok: true, sub };
  });

  ipcMain.on(ipcChannels.unsubscribe, (event, sub: unknown) => {
    if (trusted(event) && typeof sub === 'number') sessions.get(event.sender.id)?.unsubscribe(sub);
  });

  ipcMain.on(ipcChannels.ack, (event, sub: unknown) => {
    if (trusted(event) && typeof sub === 'number') sessions.get(event.sender.id)?.ack(sub);
  });

  return () => {
    ipcMain.removeHandler(ipcChannels.call);
    ipcMain.removeHandler(ipcChannels.subscribe);
    ipcMain.removeAllListeners(ipcChannels.unsubscribe);
    ipcMain.removeAllListeners(ipcChannels.ack);
    for (const session of sessions.values()) session.close();
    sessions.clear();
  };
}
