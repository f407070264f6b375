import type { Bridge } from '../../../shared/contract/bridge';
import type { CoachContract } from '../../../shared/contract/api';
import { createWsBridge } from '../../../shared/contract/wsBridge';
import { createIpcBridge } from './ipcBridge';

export type CoachBridge = Bridge<CoachContract>;

/** Electron gives the page window.coach; in a browser the page talks to the headless host that served it. */
export function connectBridge(): CoachBridge {
  if (window.coach) return createIpcBridge<CoachContract>(window.coach);
  const token = new URLSearchParams(window.location.search).get('token');
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return createWsBridge<CoachContract>({ url, createSocket: (address) => new WebSocket(address) });
}

let bridge: CoachBridge | null = null;

export function provideBridge(instance: CoachBridge): void {
  bridge = instance;
}

export function useBridge(): CoachBridge {
  if (!bridge) throw new Error('the bridge to Coach is not connected yet');
  return bridge;
}
