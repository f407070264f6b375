import type { LinkKind, LinkState, LinkStats } from '../../../shared/arm';
import type { FunctionName } from '../../../shared/robot/a1Spec';
import type { JointCommand, MotorFeedback } from '../../../shared/robot/wire';

export interface ArmFeedback {
  /** Seven motors ordered by id (arm joints 1–6, gripper 7). */
  motors: MotorFeedback[];
  receivedAtMs: number;
}

/**
 * One connection to an A1, whatever carries it. A link only moves bytes: it
 * never originates motion, and on reconnect it sends nothing until told to.
 */
export interface ArmLink {
  readonly kind: LinkKind;
  readonly description: string;
  /** Starts connecting (and reconnecting with back-off until closed). */
  start(): void;
  close(): Promise<void>;
  state(): LinkState;
  stats(): LinkStats;
  /** Sends one command per motor; returns false (and sends nothing) when the link is not up. */
  sendJointCommands(commands: readonly JointCommand[]): boolean;
  sendFunction(name: FunctionName): Promise<void>;
  onFeedback(listener: (feedback: ArmFeedback) => void): () => void;
  onState(listener: (state: LinkState) => void): () => void;
}

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 200, maxDelayMs: 5000 };
