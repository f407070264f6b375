import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannels, type CoachPreloadApi } from '../shared/contract/ipcChannels';

const listeners = new Map<number, (value: unknown) => void>();
let nextSub = 1;

ipcRenderer.on(ipcChannels.event, (_event, sub: number, value: unknown) => {
  const listener = listeners.get(sub);
  if (!listener) return;
  try {
    listener(value);
  } finally {
    // Frees the slot in main's latest-value sender once the page has handled the value.
    ipcRenderer.send(ipcChannels.ack, sub);
  }
});

const api: CoachPreloadApi = {
  transport: 'electron-ipc',
  call: (method, args) => ipcRenderer.invoke(ipcChannels.call, method, args),
  async subscribe(stream, args, onValue) {
    const sub = nextSub++;
    listeners.set(sub, onValue);
    const outcome = (await ipcRenderer.invoke(ipcChannels.subscribe, sub, stream, args)) as Awaited<
      ReturnType<CoachPreloadApi['subscribe']>
    >;
    if (!outcome.ok) listeners.delete(sub);
    return outcome;
  },
  unsubscribe(sub) {
    listeners.delete(sub);
    ipcRenderer.send(ipcChannels.unsubscribe, sub);
  },
};

contextBridge.exposeInMainWorld('coach', api);
