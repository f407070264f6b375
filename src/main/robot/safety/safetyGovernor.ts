import type { GovernorMode, GovernorStatus } from '../../../shared/arm';
import { ARM_JOINT_COUNT, MOTOR_NAMES } from '../../../shared/robot/a1Spec';
import type { JointCommand, MotorFault } from '../../../shared/robot/wire';
import type { MotorFeedback } from '../../../shared/robot/wire';
import { DEFAULT_GOVERNOR_CONFIG, type GovernorConfig } from './governorConfig';

export type MotionResult = { ok: true; clampedMotors: number[] } | { ok: false; reason: string };

/** Longest control-tick gap used for setpoint integration; longer gaps do not turn into jumps. */
const MAX_TICK_S = 0.05;
const REACHED_RAD = 1e-6;

/**
 * Sits between every producer of motion (jog, policy, scripts) and the link.
 * It owns the setpoint the arm is commanded to, moves it toward the accepted
 * target no faster than the velocity cap, and refuses anything unsafe. It is
 * pure logic on explicit timestamps; the arm service drives it.
 */
export class SafetyGovernor {
  private measuredRad: number[] | null = null;
  private setpointRad: number[] | null = null;
  private targetRad: number[] | null = null;
  private mode: GovernorMode = 'no_feedback';
  private holdReason: string | null = null;
  private holdLatched = false;
  private lastMotionCommandAtMs = 0;
  private lastTickAtMs: number | null = null;
  private lastRejection: string | null = null;
  private motorsEnabled = false;

  constructor(private configValue: GovernorConfig = DEFAULT_GOVERNOR_CONFIG) {}

  get config(): GovernorConfig {
    return this.configValue;
  }

  /**
   * New position limits and velocity cap (the operator's safety settings), in force from the next request and tick.
   * Changing them never moves the arm: a resting arm stays where it is (the next command for a joint outside its
   * range brings it back inside), and a motion whose target lies outside the new limits stops where the setpoint is
   * (holding, not latched). Holds, latches and every other check are unchanged.
   */
  setLimits(limits: GovernorConfig['limits'], velocityCapRadS: number): void {
    this.configValue = { ...this.configValue, limits, velocityCapRadS };
    if (this.mode !== 'moving' || !this.targetRad || !this.setpointRad) return;
    const outside = this.targetRad.findIndex((value, i) => {
      const limit = limits[i];
      return limit !== undefined && (value < limit.lowerRad || value > limit.upperRad);
    });
    if (outside === -1) return;
    this.targetRad = [...this.setpointRad];
    this.mode = 'holding';
    this.holdReason = `safety limits changed: the ${MOTOR_NAMES[outside] ?? `motor ${outside + 1}`} target was outside them`;
  }

  /**
   * Feeds a 7-motor feedback sample and the faults decoded from it. While the
   * motors are disabled the setpoint follows the arm, so enabling never jumps.
   */
  observe(motors: readonly MotorFeedback[], faults: readonly MotorFault[], motorsEnabled: boolean): void {
    this.measuredRad = motors.map((motor) => motor.posRad);
    this.motorsEnabled = motorsEnabled;
    if (!this.setpointRad || !motorsEnabled) {
      // First feedback (or first after a link loss): hold exactly where the arm is.
      this.setpointRad = [...this.measuredRad];
      this.targetRad = [...this.measuredRad];
      if (this.mode === 'no_feedback' || this.mode === 'moving') this.mode = 'holding';
    }
    if (faults.length && this.mode !== 'faulted') {
      const summary = faults.map((fault) => `${fault.motor}: ${fault.names.join(', ')}`).join('; ');
      this.hold(`arm fault — ${summary}`);
      this.mode = 'faulted';
    } else if (!faults.length && this.mode === 'faulted') {
      this.mode = 'holding';
    }
  }

  /** The link went down: forget the arm's state; motion needs a fresh feedback and an explicit release. */
  linkLost(reason: string): void {
    this.measuredRad = null;
    this.setpointRad = null;
    this.targetRad = null;
    this.mode = 'no_feedback';
    this.holdLatched = true;
    this.holdReason = reason;
  }

  /**
   * "Stop (hold)": the target becomes where the arm is now, motion requests are
   * refused until release(). Returns the hold commands to send at once.
   */
  hold(reason: string): JointCommand[] | null {
    this.holdLatched = true;
    this.holdReason = reason;
    if (this.mode !== 'faulted' && this.mode !== 'no_feedback') this.mode = 'holding';
    const here = this.measuredRad ?? this.setpointRad;
    if (!here) return null;
    this.setpointRad = [...here];
    this.targetRad = [...here];
    return this.commandsFor(this.setpointRad, null);
  }

  release(): MotionResult {
    if (this.mode === 'faulted') return this.reject('the arm reports a fault; clear the error first');
    if (!this.measuredRad) return this.reject('no feedback from the arm');
    this.holdLatched = false;
    this.holdReason = null;
    this.setpointRad = [...this.measuredRad];
    this.targetRad = [...this.measuredRad];
    this.mode = 'holding';
    return { ok: true, clampedMotors: [] };
  }

  /**
   * Asks to move toward a target. Entries that are null keep their current
   * target. Every accepted request also feeds the watchdog.
   */
  requestMotion(target: readonly (number | null)[], nowMs: number): MotionResult {
    if (!this.setpointRad || !this.targetRad || !this.measuredRad) return this.reject('no feedback from the arm yet');
    if (this.mode === 'faulted')
      return this.reject(`the arm is faulted (${this.holdReason ?? 'fault'}); clear the error`);
    if (this.holdLatched) return this.reject(`the arm is held (${this.holdReason ?? 'Stop (hold)'}); release it first`);
    if (!this.motorsEnabled) return this.reject('the motors are disabled; enable them first');
    if (target.length !== this.setpointRad.length) {
      return this.reject(`a target needs ${this.setpointRad.length} entries, got ${target.length}`);
    }
    const next = [...this.targetRad];
    const clampedMotors: number[] = [];
    for (let i = 0; i < target.length; i += 1) {
      const value = target[i];
      if (value === null || value === undefined) continue;
      const name = MOTOR_NAMES[i] ?? `motor ${i + 1}`;
      if (!Number.isFinite(value)) return this.reject(`${name} target is ${value}; refused`);
      const limit = this.config.limits[i]!;
      const clamped = Math.min(limit.upperRad, Math.max(limit.lowerRad, value));
      if (clamped !== value) clampedMotors.push(i + 1);
      const stepRad = Math.abs(clamped - this.setpointRad[i]!);
      // Policies open and close the gripper in one command; its own velocity cap paces it.
      if (i < ARM_JOINT_COUNT && stepRad > this.config.maxStepRad) {
        return this.reject(
          `${name} target is ${stepRad.toFixed(2)} rad from its current setpoint, beyond the ${this.config.maxStepRad} rad step limit`,
        );
      }
      next[i] = clamped;
    }
    const workspaceProblem = this.config.checkWorkspace?.(next.slice(0, ARM_JOINT_COUNT));
    if (workspaceProblem) return this.reject(`target leaves the workspace: ${workspaceProblem}`);
    this.targetRad = next;
    this.lastMotionCommandAtMs = nowMs;
    this.mode = 'moving';
    this.holdReason = null;
    this.lastRejection = null;
    return { ok: true, clampedMotors };
  }

  /** One control tick: the commands to send now, or null before the first feedback. */
  tick(nowMs: number): JointCommand[] | null {
    const dtS = this.lastTickAtMs === null ? 0 : Math.min(MAX_TICK_S, Math.max(0, (nowMs - this.lastTickAtMs) / 1000));
    this.lastTickAtMs = nowMs;
    if (!this.setpointRad || !this.targetRad) return null;
    if (this.mode === 'moving' && nowMs - this.lastMotionCommandAtMs > this.config.watchdogMs) {
      this.targetRad = [...this.setpointRad];
      this.mode = 'holding';
      this.holdReason = `watchdog: no motion command for ${this.config.watchdogMs} ms`;
    }
    const velocity = this.setpointRad.map(() => 0);
    let moving = false;
    for (let i = 0; i < this.setpointRad.length; i += 1) {
      const remaining = this.targetRad[i]! - this.setpointRad[i]!;
      if (Math.abs(remaining) <= REACHED_RAD) continue;
      const maxStep = this.velocityCap(i) * dtS;
      const step = Math.sign(remaining) * Math.min(Math.abs(remaining), maxStep);
      this.setpointRad[i] = this.setpointRad[i]! + step;
      velocity[i] = dtS > 0 && Math.abs(remaining) > maxStep ? Math.sign(remaining) * this.velocityCap(i) : 0;
      moving = true;
    }
    if (!moving && this.mode === 'moving') this.mode = 'holding';
    return this.commandsFor(this.setpointRad, velocity);
  }

  status(): GovernorStatus {
    return {
      mode: this.mode,
      holdReason: this.holdReason,
      holdLatched: this.holdLatched,
      setpointRad: this.setpointRad ? [...this.setpointRad] : null,
      targetRad: this.targetRad ? [...this.targetRad] : null,
      velocityCapRadS: this.config.velocityCapRadS,
      watchdogMs: this.config.watchdogMs,
      lastRejection: this.lastRejection,
    };
  }

  private velocityCap(index: number): number {
    const limit = this.config.limits[index]!.velocityRadS;
    const cap = index < ARM_JOINT_COUNT ? this.config.velocityCapRadS : this.config.gripperVelocityCapRadS;
    return Math.min(limit, cap);
  }

  private commandsFor(positions: readonly number[], velocities: readonly number[] | null): JointCommand[] {
    return positions.map((posRad, i) => ({
      motorId: i + 1,
      posRad,
      velRadS: velocities?.[i] ?? 0,
      tauNm: 0,
      kp: this.config.kp[i]!,
      kd: this.config.kd[i]!,
    }));
  }

  private reject(reason: string): MotionResult {
    this.lastRejection = reason;
    return { ok: false, reason };
  }
}
