import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ArmState, LinkConfig } from '../../shared/arm';
import { CoachError } from '../../shared/contract/errors';
import { Topic } from '../system/topic';
import { raiseProcessPriority, type RaisedPriority } from '../system/processPriority';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';
import type { SceneSummary } from '../../shared/sim/sceneSummary';
import type { SafetyLimitsInput } from '../../shared/robot/safetyLimits';
import { loadArmChain } from './urdf/loadUrdf';
import { ArmRuntime } from './runtime/armRuntime';
import { handleArmRequest } from './runtime/armRequestHandler';
import type {
  ArmRequest,
  ArmProcessInbound,
  ArmProcessOutbound,
  ArmRuntimeSettings,
  SimProbe,
  TickerStats,
} from './runtime/armRuntimeProtocol';

export interface ArmServiceOptions extends Omit<ArmRuntimeSettings, 'appRoot'> {
  /**
   * 'process' (default): the control loop, link and governor run in a process
   * of their own, so nothing in the main process (host, UI traffic, recording,
   * inference, GC of a large heap) delays a control tick or a hold, and a
   * crash there cannot leave the arm commanded by a dead loop. (Not a worker
   * thread: serialport's native poller only works on a process's main thread.)
   * 'main' runs them in this process.
   */
  runIn?: 'process' | 'main';
}

const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_PER_WINDOW = 3;

/** The control process's main thread runs SCHED_FIFO at this priority where the OS allows it. */
const CONTROL_FIFO_PRIORITY = 20;
/** Otherwise a raised nice priority (root, or CAP_SYS_NICE); otherwise the default. */
const CONTROL_PROCESS_NICE = -5;

/**
 * Starts the runtime's process: the bundled file next to the built app, or the
 * TypeScript source through tsx when Coach runs from source (tests, benches).
 */
function spawnArmProcess(appRoot: string): ChildProcess {
  const fromSource = __filename.endsWith('.ts');
  const entry = fromSource
    ? path.join(appRoot, 'src/main/robot/runtime/armProcess.ts')
    : path.join(appRoot, 'out/main/armProcess.js');
  const child = fork(entry, [], {
    serialization: 'advanced',
    execArgv: fromSource ? ['--require', require.resolve('tsx/cjs')] : [],
    // Inside Electron, run the child as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return child;
}

/** The state shown before the runtime has said anything. */
function initialState(): ArmState {
  return new ArmRuntime().state();
}

/**
 * The arm as the rest of Coach sees it: an asynchronous facade over the arm
 * runtime (link, safety governor, 200 Hz control loop), which lives in a
 * process of its own by default.
 */
export class ArmService {
  readonly stateTopic = new Topic<ArmState>();
  /** The simulated bench's world, while the link is the sim. */
  readonly worldTopic = new Topic<WorldSnapshot>();
  /** Every feedback frame (rows of FEEDBACK_SAMPLE_VALUES: wall ms, pos, vel, torque, setpoint ×7), in batches. */
  readonly samplesTopic = new Topic<Float64Array>({ replayLatest: false });
  private latest: ArmState = initialState();
  private child: ChildProcess | null = null;
  /** Set when the runtime runs in its own process; the process starts on the first request. */
  private readonly processSettings: ArmRuntimeSettings | null = null;
  /** The operator's safety limits, for the runtime's next start (a restart after a crash keeps them). */
  private safety: SafetyLimitsInput | undefined;
  private readonly runtime: ArmRuntime | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: string | null = null;
  private closing = false;
  private lastConfig: LinkConfig | null = null;
  private readonly restartsAtMs: number[] = [];
  private priorityValue: Promise<RaisedPriority> | null = null;

  constructor(appRoot: string, options: ArmServiceOptions = {}) {
    const { runIn = 'process', ...rest } = options;
    const settings: ArmRuntimeSettings = { appRoot, ...rest };
    this.safety = rest.safety;
    if (runIn === 'main') {
      this.runtime = new ArmRuntime({ ...settings, chain: loadArmChain(appRoot) });
      this.runtime.stateTopic.subscribe((state) => this.onState(state));
      this.runtime.worldTopic.subscribe((snapshot) => this.worldTopic.publish(snapshot));
      this.runtime.samplesTopic.subscribe((samples) => this.samplesTopic.publish(samples));
      return;
    }
    this.processSettings = settings;
  }

  state(): ArmState {
    return this.latest;
  }

  /** How the control process is scheduled (null before it starts or when running in this process). */
  get priority(): Promise<RaisedPriority> | null {
    return this.priorityValue;
  }

  /** The runtime process's id (null before the first request or when running in this process). */
  get runtimePid(): number | null {
    return this.child?.pid ?? null;
  }

  connect(config: LinkConfig): Promise<ArmState> {
    this.lastConfig = config;
    return this.request({ op: 'connect', config }) as Promise<ArmState>;
  }

  disconnect(): Promise<ArmState> {
    this.lastConfig = null;
    return this.request({ op: 'disconnect' }) as Promise<ArmState>;
  }

  enable(): Promise<ArmState> {
    return this.request({ op: 'enable' }) as Promise<ArmState>;
  }

  disable(): Promise<ArmState> {
    return this.request({ op: 'disable' }) as Promise<ArmState>;
  }

  clearError(): Promise<ArmState> {
    return this.request({ op: 'clearError' }) as Promise<ArmState>;
  }

  /** Stop (hold): the hold frames are on their way to the arm when this resolves. */
  hold(reason?: string): Promise<ArmState> {
    return this.request({ op: 'hold', reason }) as Promise<ArmState>;
  }

  release(): Promise<ArmState> {
    return this.request({ op: 'release' }) as Promise<ArmState>;
  }

  jog(motorId: number, deltaRad: number): Promise<ArmState> {
    return this.request({ op: 'jog', motorId, deltaRad }) as Promise<ArmState>;
  }

  move(target: (number | null)[]): Promise<ArmState> {
    return this.request({ op: 'move', target }) as Promise<ArmState>;
  }

  /**
   * Applies the operator's safety limits (settings.safety) to the governor: at once when the runtime is running,
   * otherwise when it starts. Refused (and nothing changes) when the governor would refuse them.
   */
  async setSafety(safety: SafetyLimitsInput | null): Promise<ArmState> {
    if (this.runtime || this.child) {
      try {
        const state = (await this.request({ op: 'setSafety', safety })) as ArmState;
        this.safety = safety ?? undefined;
        return state;
      } catch (error) {
        // A runtime that is down takes them when it starts again; a refusal leaves everything as it was.
        if (!(error instanceof CoachError && error.code === 'arm_runtime_down')) throw error;
      }
    }
    this.safety = safety ?? undefined;
    return this.latest;
  }

  /** Fault injection and probes on the simulated arm. */
  sim<T = unknown>(probe: SimProbe): Promise<T> {
    return this.request({ op: 'sim', probe }) as Promise<T>;
  }

  /** The simulated bench's scene, or null when the link is not the sim. */
  sceneSummary(): Promise<SceneSummary | null> {
    if (this.lastConfig?.kind !== 'sim') return Promise.resolve(null);
    return this.sim<SceneSummary | null>({ kind: 'sceneSummary' });
  }

  resetScene(args: { seed?: number; instruction?: string }): Promise<SceneSummary> {
    if (this.lastConfig?.kind !== 'sim') {
      return Promise.reject(
        new CoachError('not_simulated', 'the arm link is not the simulated bench; connect to the sim first'),
      );
    }
    return this.sim<SceneSummary>({ kind: 'resetScene', ...args });
  }

  tickerStats(reset = false): Promise<TickerStats> {
    return this.request({ op: 'tickerStats', reset }) as Promise<TickerStats>;
  }

  /** Diagnostics only: pauses or resumes the control loop (the hold-latency benchmark isolates hold frames). */
  setControlLoop(running: boolean): Promise<void> {
    return this.request({ op: 'controlLoop', running }) as Promise<void>;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.failure || (this.processSettings && !this.child)) return;
    await this.request({ op: 'close' }).catch(() => {});
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    }
  }

  private request(request: ArmRequest): Promise<unknown> {
    if (this.runtime) {
      return handleArmRequest(this.runtime, request).then((value) => this.noteState(value));
    }
    const child = this.startedChild();
    if (this.failure || !child.connected) {
      return Promise.reject(new CoachError('arm_runtime_down', this.failure ?? 'the arm runtime is not running'));
    }
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: (value) => resolve(this.noteState(value)), reject });
      child.send({ type: 'request', id, request } satisfies ArmProcessInbound);
    });
  }

  /** The runtime's process, started on first use (commands such as `coach info` never need it). */
  private startedChild(): ChildProcess {
    if (this.child) return this.child;
    const child = spawnArmProcess(this.processSettings!.appRoot);
    child.on('message', (message: ArmProcessOutbound) => this.onMessage(message));
    child.on('error', (error) => this.fail(`the arm runtime failed: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(`the arm runtime stopped (${signal ?? `exit code ${code}`})`));
    const settings: ArmRuntimeSettings = { ...this.processSettings!, safety: this.safety };
    child.send({ type: 'init', settings } satisfies ArmProcessInbound);
    if (child.pid) this.priorityValue = raiseProcessPriority(child.pid, CONTROL_FIFO_PRIORITY, CONTROL_PROCESS_NICE);
    this.child = child;
    return child;
  }

  /** Replies that carry an ArmState are as fresh as the stream; keep the newest. */
  private noteState(value: unknown): unknown {
    const state = value as Partial<ArmState> | null;
    if (state && typeof state === 'object' && typeof state.sampledAtMs === 'number' && 'governor' in state) {
      if (state.sampledAtMs >= this.latest.sampledAtMs) this.latest = state as ArmState;
    }
    return value;
  }

  private onState(state: ArmState): void {
    this.latest = state;
    this.stateTopic.publish(state);
  }

  private onMessage(message: ArmProcessOutbound): void {
    if (message.type === 'state') {
      this.onState(message.state);
      return;
    }
    if (message.type === 'world') {
      this.worldTopic.publish(message.snapshot);
      return;
    }
    if (message.type === 'samples') {
      this.samplesTopic.publish(message.samples);
      return;
    }
    if (message.type !== 'reply') return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(CoachError.fromShape(message.error));
  }

  /**
   * An unexpected exit: start a fresh runtime, reconnect the same link and latch a hold, so the operator
   * checks the arm before anything moves again. A runtime that keeps crashing is left down.
   */
  private onExit(reason: string): void {
    this.fail(reason);
    const now = Date.now();
    while (this.restartsAtMs.length && this.restartsAtMs[0]! < now - RESTART_WINDOW_MS) this.restartsAtMs.shift();
    if (this.closing || this.restartsAtMs.length >= MAX_RESTARTS_PER_WINDOW) return;
    this.restartsAtMs.push(now);
    const config = this.lastConfig;
    this.child = null;
    this.failure = null;
    if (!config) return;
    void this.connect(config)
      .then(() => this.hold(`${reason}; it was restarted. Check the arm, then release`))
      .catch(() => {});
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    for (const call of this.pending.values()) call.reject(new CoachError('arm_runtime_down', reason));
    this.pending.clear();
  }
}
