import type { ArmState, LinkConfig, LinkState } from '../../../shared/arm';
import { CoachError } from '../../../shared/contract/errors';
import {
  A1_MOTOR_LIMITS,
  DEFAULT_GRIPPER_MM_PER_RAD,
  FAULT_BIT,
  GRIPPER_LIMIT,
  MOTOR_NAMES,
} from '../../../shared/robot/a1Spec';
import { A1_HOME_Q_RAD, type KinematicChain } from '../../../shared/robot/kinematics';
import { describeMotorFault, type MotorFault } from '../../../shared/robot/wire';
import { Topic } from '../../system/topic';
import { openArmLink, type OpenedArmLink } from '../armLinkFactory';
import { ControlTicker } from '../control/controlTicker';
import type { ArmFeedback } from '../link/armLink';
import { DEFAULT_GOVERNOR_CONFIG, validateGovernorConfig, type GovernorConfig } from '../safety/governorConfig';
import { tightenedLimits, type SafetyLimitsInput } from '../../../shared/robot/safetyLimits';
import { SafetyGovernor } from '../safety/safetyGovernor';
import { workspaceCheck } from '../safety/workspaceBounds';
import { wallClockMs } from './armRuntimeProtocol';
import { FeedbackSampleBatch } from './feedbackSamples';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import { SimWorldHost } from '../../sim/world/simWorldHost';

export interface ArmRuntimeOptions {
  governor?: Partial<GovernorConfig>;
  controlRateHz?: number;
  stateRateHz?: number;
  /** Motion stops (latched hold) when feedback is older than this. */
  feedbackTimeoutMs?: number;
  /** Where a fresh simulated arm starts (default: the home pose, gripper open). */
  simStartRad?: readonly number[];
  /** The arm's kinematics; when given, the governor keeps the tool inside the workspace. */
  chain?: KinematicChain;
  /** The operator's safety limits (settings.safety): the governor enforces the narrower of these and `governor`'s. */
  safety?: SafetyLimitsInput;
}

const ENABLE_RESEND_MS = 1000;
export const STOP_HOLD_REASON = 'Stop (hold) pressed';
/** A fresh simulated arm starts at the home pose with the gripper nearly open (57 mm). */
export const SIM_START_RAD: readonly number[] = [...A1_HOME_Q_RAD, GRIPPER_LIMIT.upperRad - 0.1];

/**
 * The arm's real-time side: one link at a time, the safety governor every
 * motion passes, the control loop that streams the governor's setpoints, and
 * the state stream. It runs in its own worker thread (see ArmService) so that
 * the control loop never waits on the console, the host or the inference.
 */
export class ArmRuntime {
  readonly stateTopic = new Topic<ArmState>();
  /** The simulated bench's world (only while the link is the sim). */
  readonly worldTopic = new Topic<WorldSnapshot>();
  /** Every feedback frame (rows of FEEDBACK_SAMPLE_VALUES), batched at the state rate, for recording. */
  readonly samplesTopic = new Topic<Float64Array>({ replayLatest: false });
  private readonly samples = new FeedbackSampleBatch();
  private worldHost: SimWorldHost | null = null;
  private opened: OpenedArmLink | null = null;
  private governor: SafetyGovernor;
  /** The config without the operator's safety limits (the A1's, or a test's); the limits only ever tighten it. */
  private readonly baseGovernorConfig: GovernorConfig;
  private governorConfig: GovernorConfig;
  private readonly ticker: ControlTicker;
  private stateTimer: NodeJS.Timeout | null = null;
  private lastFeedback: ArmFeedback | null = null;
  private faults: MotorFault[] = [];
  private enableWanted = false;
  private lastEnableSentMs = 0;
  private unsubscribeLink: (() => void)[] = [];
  /** When the last hold's frames were handed to the link (wall clock), for the latency benchmark's breakdown. */
  lastHoldWrittenAtMs = 0;
  private readonly feedbackTimeoutMs: number;
  private readonly stateIntervalMs: number;

  constructor(private readonly options: ArmRuntimeOptions = {}) {
    this.baseGovernorConfig = {
      ...DEFAULT_GOVERNOR_CONFIG,
      ...(options.chain ? { checkWorkspace: workspaceCheck(options.chain) } : {}),
      ...options.governor,
    };
    this.governorConfig = this.withSafety(options.safety);
    this.governor = new SafetyGovernor(this.governorConfig);
    this.ticker = new ControlTicker(options.controlRateHz ?? 200, (nowMs) => this.controlTick(nowMs));
    this.feedbackTimeoutMs = options.feedbackTimeoutMs ?? 150;
    this.stateIntervalMs = 1000 / (options.stateRateHz ?? 30);
  }

  /** Applies the operator's safety limits now (and to every later connection); refuses a config the governor would. */
  setSafety(safety: SafetyLimitsInput | null): ArmState {
    this.governorConfig = this.withSafety(safety ?? undefined);
    this.governor.setLimits(this.governorConfig.limits, this.governorConfig.velocityCapRadS);
    this.publishState();
    return this.state();
  }

  private withSafety(safety: SafetyLimitsInput | undefined): GovernorConfig {
    const config = { ...this.baseGovernorConfig, ...tightenedLimits(this.baseGovernorConfig, safety) };
    const problems = validateGovernorConfig(config);
    if (problems.length) throw new CoachError('invalid_safety_limits', `safety limits refused: ${problems.join('; ')}`);
    return config;
  }

  get link() {
    return this.opened?.link ?? null;
  }

  /** The simulated bench when connected to the sim (fault injection, tests, benchmarks). */
  get sim() {
    return this.opened?.sim ?? null;
  }

  /** The simulated bench's world, when the link is the sim and the kinematics are known. */
  get world(): SimWorldHost | null {
    return this.worldHost;
  }

  get controlTicker(): ControlTicker {
    return this.ticker;
  }

  async connect(config: LinkConfig): Promise<ArmState> {
    await this.disconnect();
    const opened = await openArmLink(config, this.options.simStartRad ?? SIM_START_RAD);
    this.opened = opened;
    if (opened.sim && this.options.chain) {
      this.worldHost = new SimWorldHost(this.options.chain, opened.sim.firmware, (snapshot) =>
        this.worldTopic.publish(snapshot),
      );
    }
    this.governor = new SafetyGovernor(this.governorConfig);
    this.unsubscribeLink = [
      opened.link.onFeedback((feedback) => this.onFeedback(feedback)),
      opened.link.onState((state) => this.onLinkState(state)),
    ];
    opened.link.start();
    this.ticker.start();
    this.stateTimer ??= setInterval(() => this.publishState(), this.stateIntervalMs);
    this.publishState();
    return this.state();
  }

  async disconnect(): Promise<ArmState> {
    const opened = this.opened;
    this.opened = null;
    this.worldHost?.stop();
    this.worldHost = null;
    this.unsubscribeLink.forEach((unsubscribe) => unsubscribe());
    this.unsubscribeLink = [];
    this.ticker.stop();
    this.enableWanted = false;
    this.lastFeedback = null;
    this.faults = [];
    this.governor = new SafetyGovernor(this.governorConfig);
    if (opened) await opened.close();
    this.publishState();
    return this.state();
  }

  async close(): Promise<void> {
    await this.disconnect();
    if (this.stateTimer) clearInterval(this.stateTimer);
    this.stateTimer = null;
  }

  async enable(): Promise<ArmState> {
    const link = this.requireLink();
    await link.sendFunction('enable');
    this.enableWanted = true;
    this.lastEnableSentMs = Date.now();
    return this.state();
  }

  async disable(): Promise<ArmState> {
    const link = this.requireLink();
    this.enableWanted = false;
    this.governor.hold('motors disabled');
    await link.sendFunction('disable');
    return this.state();
  }

  async clearError(): Promise<ArmState> {
    await this.requireLink().sendFunction('clearError');
    return this.state();
  }

  /** "Stop (hold)": works in every state; the hold frames go out before this returns. */
  hold(reason = STOP_HOLD_REASON): ArmState {
    const commands = this.governor.hold(reason);
    if (commands) this.opened?.link.sendJointCommands(commands);
    this.lastHoldWrittenAtMs = wallClockMs();
    this.publishState();
    return this.state();
  }

  release(): ArmState {
    const result = this.governor.release();
    if (!result.ok) throw new CoachError('motion_refused', result.reason);
    this.publishState();
    return this.state();
  }

  jog(motorId: number, deltaRad: number): ArmState {
    this.requireLink();
    const status = this.governor.status();
    const base = status.targetRad ?? status.setpointRad;
    if (!base)
      throw new CoachError('motion_refused', 'no feedback from the arm yet; connect and wait for the link to be up');
    const target: (number | null)[] = base.map(() => null);
    target[motorId - 1] = base[motorId - 1]! + deltaRad;
    return this.move(target);
  }

  /** Any motion producer's entry point: everything goes through the governor. */
  move(target: readonly (number | null)[]): ArmState {
    if (!this.opened) throw new CoachError('not_connected', 'no arm link; connect first');
    const feedbackAgeMs = this.lastFeedback ? Date.now() - this.lastFeedback.receivedAtMs : Infinity;
    if (feedbackAgeMs > this.feedbackTimeoutMs) {
      throw new CoachError(
        'motion_refused',
        this.lastFeedback
          ? `no fresh feedback from the arm (last ${Math.round(feedbackAgeMs)} ms ago); check the link`
          : 'no feedback from the arm yet; wait for the link to be up',
      );
    }
    const result = this.governor.requestMotion(target, Date.now());
    if (!result.ok) throw new CoachError('motion_refused', result.reason);
    return this.state();
  }

  state(): ArmState {
    const feedback = this.lastFeedback;
    const joints = feedback
      ? feedback.motors.map((motor) => ({
          name: MOTOR_NAMES[motor.motorId - 1] ?? `motor ${motor.motorId}`,
          motorId: motor.motorId,
          posRad: motor.posRad,
          velRadS: motor.velRadS,
          tauNm: motor.tauNm,
          lowerRad: (this.governorConfig.limits[motor.motorId - 1] ?? A1_MOTOR_LIMITS[motor.motorId - 1]!).lowerRad,
          upperRad: (this.governorConfig.limits[motor.motorId - 1] ?? A1_MOTOR_LIMITS[motor.motorId - 1]!).upperRad,
          faultMask: motor.faultMask,
        }))
      : [];
    const gripper = feedback?.motors[6];
    return {
      sampledAtMs: Date.now(),
      connected: this.opened !== null,
      link: this.opened?.link.stats() ?? null,
      joints,
      gripperStrokeMm: gripper ? gripper.posRad * DEFAULT_GRIPPER_MM_PER_RAD : null,
      enabled: feedback ? feedback.motors.every((motor) => (motor.faultMask & (1 << FAULT_BIT.enabled)) !== 0) : false,
      faults: this.faults,
      governor: this.governor.status(),
      controlLoop: this.ticker.timing(),
    };
  }

  private requireLink() {
    const link = this.opened?.link;
    if (!link) throw new CoachError('not_connected', 'no arm link; connect first');
    return link;
  }

  private onFeedback(feedback: ArmFeedback): void {
    this.lastFeedback = feedback;
    if (this.samplesTopic.subscriberCount)
      this.samples.add(feedback.receivedAtMs, feedback.motors, this.governor.status().setpointRad);
    this.faults = feedback.motors
      .map((motor) => describeMotorFault(motor.motorId, motor.faultMask))
      .filter((fault): fault is MotorFault => fault !== null);
    const enabled = feedback.motors.every((motor) => (motor.faultMask & (1 << FAULT_BIT.enabled)) !== 0);
    const wasFaulted = this.governor.status().mode === 'faulted';
    this.governor.observe(feedback.motors, this.faults, enabled);
    if (!wasFaulted && this.governor.status().mode === 'faulted') this.publishState();
  }

  private onLinkState(state: LinkState): void {
    if (state === 'down' && this.lastFeedback) {
      this.lastFeedback = null;
      this.governor.linkLost('link lost; the arm was not commanded while it was down. Check it, then release.');
    }
    this.publishState();
  }

  private controlTick(nowMs: number): void {
    const link = this.opened?.link;
    if (!link) return;
    // Moving blind is not allowed: stale feedback during motion latches a hold. A resting arm keeps
    // being commanded to hold where it is, and new motion waits for fresh feedback (see move()).
    const feedbackAgeMs = this.lastFeedback ? nowMs - this.lastFeedback.receivedAtMs : Infinity;
    if (this.lastFeedback && feedbackAgeMs > this.feedbackTimeoutMs && this.governor.status().mode === 'moving') {
      this.governor.hold(`no feedback for ${Math.round(feedbackAgeMs)} ms`);
    }
    const commands = this.governor.tick(nowMs);
    if (commands) link.sendJointCommands(commands);
    if (this.enableWanted && nowMs - this.lastEnableSentMs >= ENABLE_RESEND_MS) {
      this.lastEnableSentMs = nowMs;
      void link.sendFunction('enable').catch(() => {});
    }
  }

  private publishState(): void {
    const samples = this.samples.take();
    if (samples) this.samplesTopic.publish(samples);
    this.stateTopic.publish(this.state());
  }
}
