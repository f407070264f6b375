import type { ArmState } from '../../../src/shared/arm';

/** An arm state for the renderer's tests: the sim's link up, no faults, holding; fields replaced as given. */
export function armState(overrides: Partial<ArmState> = {}, governor: Partial<ArmState['governor']> = {}): ArmState {
  return {
    sampledAtMs: 1,
    connected: true,
    link: {
      kind: 'sim',
      description: 'simulated A1 (in-process)',
      state: 'up',
      feedbackRateHz: 199.6,
      crcErrors: 0,
      garbageBytes: 0,
      malformedFrames: 0,
      incompleteFeedback: 0,
      reconnects: 0,
      lastError: null,
    },
    joints: [],
    gripperStrokeMm: null,
    enabled: false,
    faults: [],
    governor: {
      mode: 'holding',
      holdReason: null,
      holdLatched: false,
      setpointRad: null,
      targetRad: null,
      velocityCapRadS: 1,
      watchdogMs: 200,
      lastRejection: null,
      ...governor,
    },
    ...overrides,
  };
}
