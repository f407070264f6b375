import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ConnectionState, BridgeTransport } from '../../../shared/contract/bridge';
import type { SystemHealth, SystemInfo } from '../../../shared/system';
import { useBridge } from '../bridge/connectBridge';

export interface HealthPoint {
  atMs: number;
  eventLoopP99Ms: number;
  rssBytes: number;
}

/** How many health samples the sparklines keep (one per second). */
export const HEALTH_HISTORY_LENGTH = 120;

export const useSystemStore = defineStore('system', () => {
  const connection = ref<ConnectionState>('connecting');
  const transport = ref<BridgeTransport | null>(null);
  const info = shallowRef<SystemInfo | null>(null);
  const infoError = ref<string | null>(null);
  const health = shallowRef<SystemHealth | null>(null);
  const healthHistory = shallowRef<HealthPoint[]>([]);
  const healthError = ref<string | null>(null);
  let started = false;

  async function loadInfo(): Promise<void> {
    try {
      info.value = await useBridge().call('system.info', {});
      infoError.value = null;
    } catch (error) {
      infoError.value = (error as Error).message;
    }
  }

  function onHealth(sample: SystemHealth): void {
    health.value = sample;
    const next = healthHistory.value.concat({
      atMs: sample.sampledAtMs,
      eventLoopP99Ms: sample.eventLoopDelayP99Ms,
      rssBytes: sample.rssBytes,
    });
    healthHistory.value = next.length > HEALTH_HISTORY_LENGTH ? next.slice(-HEALTH_HISTORY_LENGTH) : next;
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    transport.value = bridge.transport;
    connection.value = bridge.connectionState();
    bridge.onConnectionState((state) => {
      connection.value = state;
      if (state === 'open') void loadInfo();
    });
    if (connection.value === 'open') void loadInfo();
    bridge.subscribe('system.health', {}, onHealth, (error) => (healthError.value = error.message));
  }

  return { connection, transport, info, infoError, health, healthHistory, healthError, start, loadInfo };
});
