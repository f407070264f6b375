import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ArmState, LinkConfig, LinkConfigInput, SerialPortInfo } from '../../../shared/arm';
import { MOTOR_NAMES } from '../../../shared/robot/a1Spec';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';

/** The arm actions the console offers; each maps to one contract method. */
export type ArmAction = 'connect' | 'disconnect' | 'enable' | 'disable' | 'clearError' | 'hold' | 'release' | 'jog';

/** A failed action as the operator sees it (label: "Jog arm_joint2 +0.10 rad"). */
export type ArmActionError = ActionError<ArmAction>;

function errorOf(thrown: unknown): { code: string; message: string } {
  if (thrown instanceof Error) {
    const code = (thrown as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'error', message: thrown.message || 'failed without a message' };
  }
  return { code: 'error', message: String(thrown) };
}

export function motorName(motorId: number): string {
  return MOTOR_NAMES[motorId - 1] ?? `motor ${motorId}`;
}

/**
 * The arm as the console sees it: the live `arm.state` stream, and one action
 * per arm method. Actions never throw: a failure is kept in `lastError` (shown
 * to the operator) until the next action succeeds.
 */
export const useArmStore = defineStore('arm', () => {
  const state = shallowRef<ArmState | null>(null);
  const streamError = ref<string | null>(null);
  /** Actions in flight (several may overlap: a hold never waits for a jog); any success clears the last error. */
  const actions = useActionTracker<ArmAction>(errorOf, { clearOn: 'any' });
  const { lastError, pending, isPending } = actions;
  const ports = shallowRef<SerialPortInfo[]>([]);
  const portsError = ref<string | null>(null);
  const portsLoading = ref(false);
  /** The link Coach persisted (what it connects to at start), to prefill the link form. */
  const savedLink = shallowRef<LinkConfig | null>(null);
  /** When the last hold was acknowledged by main (for the "hold sent" flash). */
  const holdAckAtMs = ref<number | null>(null);
  let started = false;

  const connected = computed(() => state.value?.connected ?? false);
  const linkState = computed(() => state.value?.link?.state ?? 'down');
  const holdLatched = computed(() => state.value?.governor.holdLatched ?? false);
  const faultSummary = computed(() => {
    const faults = state.value?.faults ?? [];
    if (!faults.length) return 'none';
    return faults.map((fault) => `${fault.motor} ${fault.names.join(', ')}`).join('; ');
  });

  /** Runs one call; on success takes its state and clears the last error, on failure keeps the message. */
  async function run(action: ArmAction, label: string, call: () => Promise<ArmState>): Promise<boolean> {
    const ok = await actions.run(action, label, async () => {
      const result = await call();
      if (!state.value || result.sampledAtMs >= state.value.sampledAtMs) state.value = result;
      return true;
    });
    return ok ?? false;
  }

  function onState(next: ArmState): void {
    state.value = next;
    streamError.value = null;
  }

  async function loadSavedLink(): Promise<void> {
    try {
      savedLink.value = (await useBridge().call('settings.get', {})).arm.link;
    } catch {
      // Only a prefill for the form; the form keeps its defaults.
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    bridge.subscribe('arm.state', {}, onState, (error) => (streamError.value = error.message));
    if (bridge.connectionState() === 'open') void loadSavedLink();
    else {
      const stop = bridge.onConnectionState((connection) => {
        if (connection !== 'open') return;
        stop();
        void loadSavedLink();
      });
    }
  }

  async function loadPorts(): Promise<void> {
    portsLoading.value = true;
    try {
      ports.value = await useBridge().call('arm.ports', {});
      portsError.value = null;
    } catch (thrown) {
      portsError.value = errorOf(thrown).message;
    } finally {
      portsLoading.value = false;
    }
  }

  function describeLink(config: LinkConfigInput): string {
    switch (config.kind) {
      case 'sim':
        return `simulated A1 (${config.transport ?? 'in-process'})`;
      case 'serial':
        return `serial ${config.path}`;
      case 'tcp':
        return `tcp ${config.host}:${config.port}`;
      case 'rosbridge':
        return `rosbridge ${config.url}`;
    }
  }

  const bridgeCall = () => useBridge();

  return {
    state,
    streamError,
    lastError,
    pending,
    ports,
    portsError,
    portsLoading,
    savedLink,
    holdAckAtMs,
    connected,
    linkState,
    holdLatched,
    faultSummary,
    isPending,
    start,
    loadPorts,
    connect: (config: LinkConfigInput) =>
      run('connect', `Connect to ${describeLink(config)}`, () => bridgeCall().call('arm.connect', config)),
    disconnect: () => run('disconnect', 'Disconnect', () => bridgeCall().call('arm.disconnect', {})),
    enable: () => run('enable', 'Enable motors', () => bridgeCall().call('arm.enable', {})),
    disable: () => run('disable', 'Disable motors', () => bridgeCall().call('arm.disable', {})),
    clearError: () => run('clearError', 'Clear error', () => bridgeCall().call('arm.clearError', {})),
    release: () => run('release', 'Release hold', () => bridgeCall().call('arm.release', {})),
    hold: async (reason?: string) => {
      const ok = await run('hold', 'Stop (hold)', () =>
        bridgeCall().call('arm.hold', reason === undefined ? {} : { reason }),
      );
      if (ok) holdAckAtMs.value = Date.now();
      return ok;
    },
    jog: (motorId: number, deltaRad: number) =>
      run('jog', `Jog ${motorName(motorId)} ${deltaRad >= 0 ? '+' : '−'}${Math.abs(deltaRad).toFixed(2)} rad`, () =>
        bridgeCall().call('arm.jog', { motorId, deltaRad }),
      ),
  };
});
