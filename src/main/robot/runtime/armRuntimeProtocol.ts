import type { ArmState, LinkConfig } from '../../../shared/arm';
import type { CoachErrorShape } from '../../../shared/contract/errors';
import type { GovernorConfig } from '../safety/governorConfig';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import type { SafetyLimitsInput } from '../../../shared/robot/safetyLimits';

/** What the arm runtime's process is started with (plain data: it crosses a process boundary). */
export interface ArmRuntimeSettings {
  /** Coach's install folder, to find the URDF. */
  appRoot: string;
  governor?: Partial<Omit<GovernorConfig, 'checkWorkspace'>>;
  controlRateHz?: number;
  stateRateHz?: number;
  feedbackTimeoutMs?: number;
  simStartRad?: readonly number[];
  /** The operator's safety limits (settings.safety), only ever tightening `governor`'s. */
  safety?: SafetyLimitsInput;
}

/** Fault injection and probes on the simulated arm, for tests, benchmarks and demos. */
export type SimProbe =
  | { kind: 'positionJump'; motorId: number; deltaRad: number }
  | { kind: 'faultBits'; motorId: number; bits: number }
  | { kind: 'pullCable' }
  | { kind: 'stallFeedback'; durationMs: number }
  | { kind: 'garbage'; bytes: number[] }
  | { kind: 'positions' }
  /** Resolves (a CommandBatchArrival) when the next full command set reaches the firmware. */
  | { kind: 'nextCommandBatch' }
  | { kind: 'firmwareStats' }
  /** The simulated bench's scene (null without the sim). */
  | { kind: 'sceneSummary' }
  | { kind: 'resetScene'; seed?: number; instruction?: string };

export type ArmRequest =
  | { op: 'connect'; config: LinkConfig }
  | { op: 'disconnect' }
  | { op: 'enable' }
  | { op: 'disable' }
  | { op: 'clearError' }
  | { op: 'hold'; reason?: string }
  | { op: 'release' }
  | { op: 'jog'; motorId: number; deltaRad: number }
  /** The operator's safety limits changed (Settings): the governor enforces them from now on. */
  | { op: 'setSafety'; safety: SafetyLimitsInput | null }
  | { op: 'move'; target: (number | null)[] }
  | { op: 'state' }
  | { op: 'sim'; probe: SimProbe }
  | { op: 'tickerStats'; reset: boolean }
  /** Diagnostics only (the hold-latency benchmark): pause or resume the control loop. */
  | { op: 'controlLoop'; running: boolean }
  | { op: 'close' };

export interface CommandBatchArrival {
  /** When the firmware had the whole command set (wall clock, ms). */
  arrivedAtMs: number;
  /** When the runtime last handed hold frames to the link. */
  lastHoldWrittenAtMs: number;
}

export interface TickerStats {
  rateHz: number;
  latenessMs: number[];
  overruns: number;
  ticks: number;
}

export type ArmProcessInbound =
  { type: 'init'; settings: ArmRuntimeSettings } | { type: 'request'; id: number; request: ArmRequest };

export type ArmProcessOutbound =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: CoachErrorShape }
  | { type: 'state'; state: ArmState }
  /** The simulated bench's world, for the synthetic cameras (30 Hz while the sim runs). */
  | { type: 'world'; snapshot: WorldSnapshot }
  /** Every feedback frame since the last batch (FeedbackSampleBatch rows), sent with the state. */
  | { type: 'samples'; samples: Float64Array }
  | { type: 'ready' };

/** Absolute milliseconds comparable across processes (each one's performance.now() has its own origin). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
