/** Electron IPC channel names shared by src/main/electron and src/preload. */
export const ipcChannels = {
  call: 'coach:call',
  subscribe: 'coach:subscribe',
  unsubscribe: 'coach:unsubscribe',
  ack: 'coach:ack',
  event: 'coach:event',
} as const;

/** What preload exposes as window.coach: outcome objects, never thrown errors (they lose their fields crossing contextBridge). */
export interface CoachPreloadApi {
  readonly transport: 'electron-ipc';
  call(method: string, args: unknown): Promise<import('./errors').CallOutcome>;
  subscribe(
    stream: string,
    args: unknown,
    onValue: (value: unknown) => void,
  ): Promise<{ ok: true; sub: number } | { ok: false; error: import('./errors').CoachErrorShape }>;
  unsubscribe(sub: number): void;
}
