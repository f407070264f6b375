import { CoachError } from '../../shared/contract/errors';
import type { ArmState } from '../../shared/arm';
import { AbsurdActionError, chunkToJointTargets, type JointTarget } from '../../shared/policy/actionConversion';
import {
  IDLE_RUN_STATUS,
  type ExecutedStep,
  runOptionsSchema,
  type RunOptions,
  type RunOutcome,
  type RunStatus,
} from '../../shared/policy/policyTypes';
import type { ModelManifest } from '../../shared/policy/modelManifest';
import { ARM_JOINT_COUNT, GRIPPER_MAX_STROKE_MM } from '../../shared/robot/a1Spec';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { parseInstruction } from '../../shared/sim/world/tasks';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';
import type { PolicyService } from '../policy/policyService';
import type { InferenceResult } from '../policy/policyRuntime';
import { Topic } from '../system/topic';
import { chunkOverlay } from './chunkOverlay';
import { freshPolicyImages } from './policyImages';
import type { RawImage } from '../policy/imagePreprocess';
import type { ProgressObservation } from '../worldModel/goalProgress';
import type { RunnerArm, RunnerCameras, RunnerProgress, RunnerProgressTracker } from './runnerPorts';

/** One executed action, as the recorder keeps it. */
export type RunnerStep = ExecutedStep;

/** The chunk's last joint target (6 joints + the gripper motor, rad), or null for an empty chunk. */
export function finalTargetRad(targets: readonly JointTarget[]): number[] | null {
  const last = targets.at(-1);
  return last ? [...last.jointsRad, last.gripperMotorRad] : null;
}

/** The attempt ended: why, in the operator's words. */
class RunEnd extends Error {
  constructor(
    readonly outcome: RunOutcome,
    reason: string,
  ) {
    super(reason);
  }
}

/** A chunk inferred, with what it was inferred from. */
interface Inferred {
  result: InferenceResult;
  images: Record<string, RawImage>;
  robotState: number[];
}

/**
 * One attempt's world-model readings: the tracker once it is ready, whether a reading is under way, and the
 * latest observation not read yet (read when the tracker gets ready or the reading under way ends, so a short
 * attempt that ends before its tracker is ready still gets its reading).
 */
interface ProgressReadings {
  tracker: RunnerProgressTracker | null;
  busy: boolean;
  unread: ProgressObservation | null;
}

const STATUS_MIN_INTERVAL_MS = 50;
const ENABLE_WAIT_MS = 1000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * The closed loop of one attempt: observe (the newest frame of each camera the policy takes), infer a chunk, execute
 * its actions at the control rate through the safety governor, and again, until success (the
 * sim's check), Stop (hold), timeout, max strokes, a fault or a refused motion. One attempt at a
 * time; stopping never waits for an inference in flight (its result is dropped).
 */
export class TaskRunner {
  readonly statusTopic = new Topic<RunStatus>();
  private current: RunStatus = IDLE_RUN_STATUS;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private attemptRateHz: number | null = null;
  private lastPublishMs = 0;
  private publishTimer: NodeJS.Timeout | null = null;
  private inferenceTotalMs = 0;
  private inferences = 0;
  private latestWorld: WorldSnapshot | null = null;
  private readonly unsubscribe: (() => void)[];
  private readonly finishedListeners = new Set<(status: RunStatus) => void>();
  private readonly startedListeners = new Set<(status: RunStatus) => void>();
  /** Every executed action of the running attempt, right after the governor accepted it. */
  readonly stepTopic = new Topic<RunnerStep>({ replayLatest: false });
  private progress: RunnerProgress | null = null;

  constructor(
    private readonly arm: RunnerArm,
    private readonly cameras: RunnerCameras,
    private readonly policy: Pick<PolicyService, 'info' | 'infer'>,
    private readonly chain: KinematicChain,
  ) {
    this.statusTopic.publish(this.current);
    this.unsubscribe = [
      arm.worldTopic.subscribe((snapshot) => (this.latestWorld = snapshot)),
      arm.stateTopic.subscribe((state) => this.watchArm(state)),
    ];
  }

  status(): RunStatus {
    return this.current.phase === 'idle' || this.current.phase === 'finished'
      ? this.current
      : { ...this.current, elapsedS: this.elapsedS() };
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Called once per attempt when it ends, with its final status. */
  onFinished(listener: (status: RunStatus) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** Called once per attempt as it starts (before the first action), with its first status. */
  onStarted(listener: (status: RunStatus) => void): () => void {
    this.startedListeners.add(listener);
    return () => this.startedListeners.delete(listener);
  }

  /**
   * Where the world model's progress readings come from (status.goalProgress): each attempt asks for a
   * tracker and reads every chunk's observation, off the control loop; a reading still under way is not
   * waited for (that chunk gets none). Null: no readings.
   */
  setProgress(progress: RunnerProgress | null): void {
    this.progress = progress;
  }

  /** Actions per second of the running (or last) attempt: its option, else the model package's rate. */
  get controlRateHz(): number | null {
    return this.attemptRateHz;
  }

  /** Starts an attempt and returns at once; `finished()` settles when it ends. */
  start(instruction: string, options: Partial<RunOptions> = {}): RunStatus {
    if (this.running) throw new CoachError('busy', 'an attempt is running; stop it first');
    const info = this.policy.info();
    if (!info) throw new CoachError('no_policy', 'no model package is loaded; load one in the Policy panel');
    const parsed = runOptionsSchema.parse(options);
    this.attemptRateHz = parsed.controlRateHz ?? info.controlRateHz;
    const seed = parsed.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.abort = new AbortController();
    this.inferenceTotalMs = 0;
    this.inferences = 0;
    this.current = {
      ...IDLE_RUN_STATUS,
      runId: this.current.runId + 1,
      phase: 'starting',
      instruction: instruction.trim(),
      model: `${info.name} ${info.version}`,
      startedAtMs: Date.now(),
      seed,
    };
    this.publish(true);
    for (const listener of this.startedListeners) listener(this.current);
    const signal = this.abort.signal;
    this.running = this.loop(this.current.instruction!, parsed, seed, signal)
      .then(
        () => this.finish('max_strokes', `reached the limit of ${parsed.maxStrokes} strokes`),
        (error: unknown) => {
          if (error instanceof RunEnd) return this.finish(error.outcome, error.message);
          if (error instanceof AbsurdActionError) return this.finish('refused', error.message);
          const coachError = error as CoachError;
          if (coachError.code === 'motion_refused') {
            // A fault or a hold that reached the governor before its state reached us is what ended the attempt.
            const { governor } = this.arm.state();
            if (governor.mode === 'faulted') return this.finish('fault', governor.holdReason ?? coachError.message);
            if (governor.holdLatched) return this.finish('stopped', governor.holdReason ?? coachError.message);
            // An attempt that left the tool low makes the next one's first chunk go lower still: say how out.
            const advice = /workspace/.test(coachError.message)
              ? '; that target was not sent — jog the tool up or away (Arm panel) before the next attempt'
              : '';
            return this.finish('refused', `the safety governor refused a motion: ${coachError.message}${advice}`);
          }
          return this.finish('error', (error as Error).message);
        },
      )
      .finally(() => {
        this.running = null;
        this.abort = null;
      });
    return this.current;
  }

  /** Resolves when the running attempt (if any) has ended. */
  async finished(): Promise<RunStatus> {
    await this.running;
    return this.current;
  }

  /**
   * Ends the attempt now and holds the arm. The hold goes out first; an inference in flight is
   * abandoned. Without an attempt running it only holds.
   */
  async stop(reason = 'Stop (hold) pressed'): Promise<RunStatus> {
    const held = this.arm.hold(reason).catch(() => undefined);
    this.endNow('stopped', reason);
    await held;
    return this.finished();
  }

  /** Ends the attempt without touching the arm (the caller has already held it). */
  endNow(outcome: RunOutcome, reason: string): void {
    if (!this.abort || this.abort.signal.aborted) return;
    this.abort.abort(new RunEnd(outcome, reason));
  }

  close(): void {
    this.endNow('stopped', 'Coach is closing');
    for (const stop of this.unsubscribe) stop();
    if (this.publishTimer) clearTimeout(this.publishTimer);
  }

  private async loop(instruction: string, options: RunOptions, seed: number, signal: AbortSignal): Promise<void> {
    const check = () => {
      if (signal.aborted) throw signal.reason as RunEnd;
    };
    await this.abortable(this.checkCameras(), signal);
    check();
    await this.prepareArm(signal);
    check();
    // The sim's task check only judges an instruction the sim's scene was laid out for.
    const isSim = this.arm.state().link?.kind === 'sim';
    const simChecks = isSim && (await this.prepareScene(instruction, options.seed));
    check();
    const info = this.policy.info()!;
    const rateHz = options.controlRateHz ?? info.controlRateHz;
    const periodMs = 1000 / rateHz;
    const deadlineMs = Date.now() + options.timeoutS * 1000;
    const { action } = info.manifest as unknown as ModelManifest;

    const readings = this.startProgress(instruction);
    let pending: Promise<Inferred> | null = null;
    for (let stroke = 0; stroke < options.maxStrokes; stroke += 1) {
      if (Date.now() >= deadlineMs) throw new RunEnd('timeout', `no success within ${options.timeoutS} s`);
      this.update({ phase: 'inferring' });
      const inference = pending ?? this.inferChunk(instruction, seed + stroke);
      pending = null;
      const { result, images, robotState } = await this.abortable(inference, signal);
      check();
      this.noteInference(result);
      const startQ = this.measuredJoints();
      const firstCandidate = result.actions.subarray(0, result.chunkLength * result.dims);
      this.readProgress(readings, {
        images,
        instruction,
        robotState,
        chunk: firstCandidate,
        actionSpace: action.space,
      });
      const targets = chunkToJointTargets(this.chain, startQ, firstCandidate, action);
      this.update({
        phase: 'executing',
        lastChunk: this.chunkRows(result),
        chunkTargetRad: finalTargetRad(targets),
        overlay: this.overlayFor(startQ, targets),
      });
      for (const [index, target] of targets.entries()) {
        check();
        const sentAtMs = performance.now();
        if (options.overlapInference && index === targets.length - 1)
          pending = this.inferChunk(instruction, seed + stroke + 1);
        const stateRad = this.arm.state().joints.map((joint) => joint.posRad);
        const jointTargetRad = [...target.jointsRad, target.gripperMotorRad];
        await this.arm.move(jointTargetRad);
        this.update({ actionsSent: this.current.actionsSent + 1 });
        if (this.stepTopic.subscriberCount)
          this.stepTopic.publish(this.stepRecord(result, stroke, index, jointTargetRad, stateRad));
        await sleep(sentAtMs + periodMs - performance.now(), signal);
      }
      check();
      this.update({ strokes: this.current.strokes + 1 });
      if (simChecks) {
        const scene = await this.arm.sceneSummary();
        const task = scene?.task ?? null;
        this.update({ task });
        if (task?.success) throw new RunEnd('success', task.reason);
      }
      if (Date.now() >= deadlineMs) throw new RunEnd('timeout', `no success within ${options.timeoutS} s`);
    }
  }

  /** Every camera the policy takes must deliver a fresh picture before anything moves. */
  private async checkCameras(): Promise<void> {
    try {
      await freshPolicyImages(this.cameras, this.policy.info()!.cameras);
    } catch (error) {
      if (error instanceof CoachError) throw new RunEnd('refused', error.message);
      throw error;
    }
  }

  /** The link must be up and the arm not held; motors that are off are switched on (they hold where they are). */
  private async prepareArm(signal: AbortSignal): Promise<void> {
    let state = this.arm.state();
    if (!state.connected || state.link?.state !== 'up')
      throw new RunEnd('refused', 'the arm link is not up; connect the arm first');
    if (state.governor.mode === 'faulted')
      throw new RunEnd('fault', `the arm reports a fault (${state.governor.holdReason}); clear it first`);
    if (state.governor.holdLatched)
      throw new RunEnd('refused', `the arm is held (${state.governor.holdReason}); release the hold first`);
    if (!state.enabled) {
      await this.arm.enable();
      const until = Date.now() + ENABLE_WAIT_MS;
      while (!(state = this.arm.state()).enabled && Date.now() < until) await sleep(20, signal);
      if (!state.enabled) throw new RunEnd('refused', 'the motors did not report enabled within 1 s; check the arm');
    }
  }

  /**
   * In the sim, an instruction the world knows gets its scene (a fresh one when the task differs or a seed
   * is given). Returns whether the scene is now laid out for this instruction (so its check applies).
   */
  private async prepareScene(instruction: string, seed: number | undefined): Promise<boolean> {
    if (!parseInstruction(instruction).ok) return false;
    const scene = await this.arm.sceneSummary();
    if (seed === undefined && scene?.instruction?.toLowerCase() === instruction.toLowerCase()) return true;
    await this.arm.resetScene({ instruction, ...(seed === undefined ? {} : { seed }) });
    return true;
  }

  private async inferChunk(instruction: string, seed: number): Promise<Inferred> {
    const images = await freshPolicyImages(this.cameras, this.policy.info()!.cameras);
    const robotState = this.robotState();
    const result = await this.policy.infer(
      { images, instruction, robotState },
      { candidates: 1, seed: seed % 2 ** 31 },
    );
    return { result, images, robotState };
  }

  /** Asks for this attempt's progress tracker; its answer (or why there is none) lands in the status. */
  private startProgress(instruction: string): ProgressReadings {
    const readings: ProgressReadings = { tracker: null, busy: false, unread: null };
    const progress = this.progress;
    if (!progress) return readings;
    const runId = this.current.runId;
    const off = (reason: string) => {
      if (this.current.runId === runId) this.update({ goalProgress: { state: 'off', reason } });
    };
    progress.start(instruction).then(
      (tracker) => {
        if (typeof tracker === 'string') return off(tracker);
        readings.tracker = tracker;
        this.readUnread(readings, runId);
      },
      (error: Error) => off(`the world model failed: ${error.message}`),
    );
    return readings;
  }

  /** Off the control loop: the observation waits for the tracker, and a newer one replaces it while it waits. */
  private readProgress(readings: ProgressReadings, observation: ProgressObservation): void {
    readings.unread = observation;
    this.readUnread(readings, this.current.runId);
  }

  private readUnread(readings: ProgressReadings, runId: number): void {
    const { tracker, unread } = readings;
    if (!tracker || readings.busy || !unread) return;
    readings.busy = true;
    readings.unread = null;
    tracker
      .observe(unread)
      .then(
        (goalProgress) => goalProgress,
        (error: Error) => ({ state: 'off' as const, reason: `the world model failed: ${error.message}` }),
      )
      .then((goalProgress) => {
        readings.busy = false;
        if (this.current.runId !== runId) return;
        this.update({ goalProgress });
        this.readUnread(readings, runId);
      });
  }

  /** ROBOT_STATE_NAMES: the six measured joints and the gripper's opening as a fraction of its stroke. */
  private robotState(): number[] {
    const state = this.arm.state();
    const joints = state.joints.slice(0, ARM_JOINT_COUNT).map((joint) => joint.posRad);
    return [...joints, (state.gripperStrokeMm ?? 0) / GRIPPER_MAX_STROKE_MM];
  }

  private abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error as Error);
        },
      );
    });
  }

  private noteInference(result: InferenceResult): void {
    this.inferences += 1;
    this.inferenceTotalMs += result.timings.totalMs;
    this.update({
      lastInferenceMs: result.timings.totalMs,
      meanInferenceMs: this.inferenceTotalMs / this.inferences,
    });
  }

  private stepRecord(
    result: InferenceResult,
    stroke: number,
    chunkIndex: number,
    jointTargetRad: number[],
    stateRad: number[],
  ): RunnerStep {
    const { dims, chunkLength } = result;
    const first = chunkIndex * dims;
    const step: RunnerStep = {
      stroke,
      chunkIndex,
      action: Array.from(result.actions.subarray(first, first + dims)),
      jointTargetRad,
      stateRad,
    };
    if (chunkIndex === 0) {
      step.chunk = this.chunkRows(result);
      if (result.candidates > 1)
        step.candidates = Array.from({ length: result.candidates }, (_, k) =>
          Array.from({ length: chunkLength }, (_, i) => {
            const at = (k * chunkLength + i) * dims;
            return Array.from(result.actions.subarray(at, at + dims));
          }),
        );
    }
    return step;
  }

  private chunkRows(result: InferenceResult): number[][] {
    return Array.from({ length: result.chunkLength }, (_, i) =>
      Array.from(result.actions.subarray(i * result.dims, (i + 1) * result.dims)),
    );
  }

  private overlayFor(startQ: readonly number[], targets: readonly JointTarget[]) {
    try {
      const { simView } = this.cameras.policyFrame(Infinity);
      const camera = this.cameras.policyCameraName;
      if (!simView || !camera || !this.latestWorld) return null;
      return chunkOverlay(this.chain, this.latestWorld, camera, simView, startQ, targets);
    } catch {
      return null;
    }
  }

  private measuredJoints(): number[] {
    const joints = this.arm.state().joints;
    if (joints.length < ARM_JOINT_COUNT) throw new RunEnd('fault', 'no joint feedback from the arm');
    return joints.slice(0, ARM_JOINT_COUNT).map((joint) => joint.posRad);
  }

  /** A hold or fault from anywhere (the Stop (hold) button, a fault, a lost link) ends the attempt. */
  private watchArm(state: ArmState): void {
    if (!this.running || this.current.phase === 'starting') return;
    if (state.governor.mode === 'faulted') this.endNow('fault', state.governor.holdReason ?? 'the arm reports a fault');
    else if (state.governor.holdLatched) this.endNow('stopped', state.governor.holdReason ?? 'the arm was held');
    else if (!state.connected) this.endNow('fault', 'the arm link went down');
  }

  private finish(outcome: RunOutcome, reason: string): void {
    this.current = { ...this.current, phase: 'finished', outcome, reason, elapsedS: this.elapsedS() };
    this.publish(true);
    for (const listener of this.finishedListeners) listener(this.current);
  }

  private elapsedS(): number {
    return this.current.startedAtMs ? (Date.now() - this.current.startedAtMs) / 1000 : 0;
  }

  private update(patch: Partial<RunStatus>): void {
    const phaseChanged = patch.phase !== undefined && patch.phase !== this.current.phase;
    this.current = { ...this.current, ...patch };
    this.publish(phaseChanged);
  }

  /** At most every 50 ms, the newest status; phase changes and the end go out at once. */
  private publish(now: boolean): void {
    const elapsed = performance.now() - this.lastPublishMs;
    if (now || elapsed >= STATUS_MIN_INTERVAL_MS) {
      if (this.publishTimer) clearTimeout(this.publishTimer);
      this.publishTimer = null;
      this.lastPublishMs = performance.now();
      this.statusTopic.publish(this.status());
      return;
    }
    this.publishTimer ??= setTimeout(() => {
      this.publishTimer = null;
      this.publish(true);
    }, STATUS_MIN_INTERVAL_MS - elapsed);
  }
}
