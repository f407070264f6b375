import WebSocket, { type RawData } from 'ws';
import { z } from 'zod';
import type { LinkKind, LinkState, LinkStats } from '../../../shared/arm';
import {
  A1_JOINT_LIMITS,
  ARM_JOINT_COUNT,
  DEFAULT_GRIPPER_MM_PER_RAD,
  FUNCTION_CODES,
  GRIPPER_LIMIT,
  GRIPPER_MAX_STROKE_MM,
  GRIPPER_MOTOR_ID,
  MOTOR_NAMES,
  type FunctionName,
  type JointLimit,
} from '../../../shared/robot/a1Spec';
import { clampJointCommand, type JointCommand, type MotorFeedback } from '../../../shared/robot/wire';
import { DEFAULT_RECONNECT, type ArmFeedback, type ArmLink, type ReconnectPolicy } from './armLink';
import { LinkSupervisor } from './linkSupervisor';

/** Topics of the vendor ROS1 driver `signal_arm` (../shared/docs/a1-protocol.md, "Vendor ROS interface"). */
export const A1_ROS_TOPICS = {
  jointStates: '/joint_states_host',
  armStatus: '/arm_status_host',
  gripperStroke: '/gripper_stroke_host',
  armCommand: '/arm_joint_command_host',
  gripperPosition: '/gripper_position_control_host',
} as const;

export const A1_ROS_TYPES = {
  jointState: 'sensor_msgs/JointState',
  armStatus: 'signal_arm/status_stamped',
  armControl: 'signal_arm/arm_control',
  gripperPosition: 'signal_arm/gripper_position_control',
} as const;

/** The driver's service taking a function code (request `uint8 command`, response `bool success, string message`). */
export const FUNCTION_FRAME_SERVICE = '/function_frame';
/** arm_control.mode: the only mode Coach sends (MIT impedance, as on the wire). */
export const ARM_CONTROL_MIT_MODE = 0;

export const DEFAULT_ROS_FEEDBACK_HZ = 100;
/** Looser than the direct links: rosbridge adds a Python relay and a TCP hop, so arrivals are burstier. */
export const DEFAULT_ROS_STALE_AFTER_MS = 200;
export const FUNCTION_CALL_TIMEOUT_MS = 2000;
const HANDSHAKE_TIMEOUT_MS = 3000;
/** close() waits this long for the closing handshake, then drops the socket. */
const CLOSE_GRACE_MS = 500;

export interface RosbridgeLinkOptions {
  /** ws:// or wss:// address of rosbridge_server (rosbridge protocol v2). */
  url: string;
  /** The rate the driver publishes joint states at; below half of it the link is degraded. */
  expectedFeedbackHz?: number;
  /** No joint state for this long while connected: degraded. */
  staleAfterMs?: number;
  reconnect?: ReconnectPolicy;
  /** Gripper millimetres of opening per motor radian (see DEFAULT_GRIPPER_MM_PER_RAD). */
  gripperMmPerRad?: number;
  /** How long sendFunction waits for the service response. */
  functionTimeoutMs?: number;
}

// --- Incoming messages -------------------------------------------------------------------------

const incomingSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('publish'), topic: z.string(), msg: z.unknown() }),
  z.object({
    op: z.literal('service_response'),
    id: z.string().optional(),
    service: z.string().optional(),
    values: z.unknown().optional(),
    result: z.boolean().optional(),
  }),
  z.object({ op: z.literal('status'), level: z.string().optional(), msg: z.string().optional() }),
]);

const rosJointStateSchema = z.object({
  name: z.array(z.string()),
  position: z.array(z.number()),
  velocity: z.array(z.number()).default([]),
  effort: z.array(z.number()).default([]),
});
type RosJointState = z.infer<typeof rosJointStateSchema>;

/**
 * The fault report on /arm_status_host. The vendor documents only "per motor:
 * name, error_code (uint32), error_description[]"; both layouts below are
 * Coach's reading and must be checked against a running driver:
 * - nested: signal_arm's generated status_stamped definition,
 *   `{ header, data: { name: string[], motor_errors: [{ error_code, error_description[] }] } }`;
 * - flat: one entry per motor, `{ header, data: [{ name, error_code, error_description[] }] }`
 *   (the layout of Galaxea's later hdas_msg/FeedbackStatus).
 */
const rosArmStatusSchema = z.object({
  data: z.union([
    z.array(z.object({ name: z.string(), error_code: z.number().int().nonnegative() })),
    z.object({
      name: z.array(z.string()),
      motor_errors: z.array(z.object({ error_code: z.number().int().nonnegative() })),
    }),
  ]),
});

const functionFrameResponseSchema = z.object({ success: z.boolean(), message: z.string().default('') });

function faultMasksFromStatus(status: z.infer<typeof rosArmStatusSchema>): Map<string, number> {
  const masks = new Map<string, number>();
  if (Array.isArray(status.data)) {
    for (const motor of status.data) masks.set(motor.name, motor.error_code);
  } else {
    const { name, motor_errors: errors } = status.data;
    name.forEach((motorName, index) => {
      const error = errors[index];
      if (error) masks.set(motorName, error.error_code);
    });
  }
  return masks;
}

// --- Outgoing messages -------------------------------------------------------------------------

function rosHeader(nowMs: number) {
  return { seq: 0, stamp: { secs: Math.floor(nowMs / 1000), nsecs: (nowMs % 1000) * 1e6 }, frame_id: '' };
}

/** One signal_arm/arm_control message for arm motors 1..6, in motor order. */
function armControlMessage(commands: readonly JointCommand[], nowMs: number) {
  return {
    header: rosHeader(nowMs),
    p_des: commands.map((command) => command.posRad),
    v_des: commands.map((command) => command.velRadS),
    kp: commands.map((command) => command.kp),
    kd: commands.map((command) => command.kd),
    t_ff: commands.map((command) => command.tauNm),
    mode: ARM_CONTROL_MIT_MODE,
  };
}

interface PendingCall {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface SplitCommands {
  arm: JointCommand[] | null;
  gripper: JointCommand | null;
}

/**
 * An ArmLink to the vendor ROS1 driver (`signal_arm`) through a rosbridge
 * WebSocket: joint states and fault reports in, one arm_control message per
 * command cycle and gripper stroke commands out, function codes as a service.
 * State, stats and reconnection follow ByteStreamArmLink.
 */
/** Roughly four command sets; more unsent bytes than this means the network is not keeping up. */
const MAX_BUFFERED_COMMAND_BYTES = 4096;

export class RosbridgeArmLink implements ArmLink {
  readonly kind: LinkKind = 'rosbridge';
  readonly description: string;
  private socket: WebSocket | null = null;
  private readonly pendingCalls = new Map<string, PendingCall>();
  private malformedMessages = 0;
  private incompleteFeedback = 0;
  private nextCallId = 1;
  /** Latest fault mask per motor name, for this connection. */
  private faultMasks = new Map<string, number>();
  private latestStroke: RosJointState | null = null;
  private readonly url: string;
  private readonly gripperMmPerRad: number;
  private readonly functionTimeoutMs: number;
  private readonly motorLimits: readonly JointLimit[];
  private readonly supervisor: LinkSupervisor;

  constructor(options: RosbridgeLinkOptions) {
    this.url = checkedUrl(options.url);
    this.description = `rosbridge ${options.url}`;
    this.supervisor = new LinkSupervisor({
      expectedFeedbackHz: options.expectedFeedbackHz ?? DEFAULT_ROS_FEEDBACK_HZ,
      staleAfterMs: options.staleAfterMs ?? DEFAULT_ROS_STALE_AFTER_MS,
      reconnect: options.reconnect ?? DEFAULT_RECONNECT,
      connect: () => this.connect(),
    });
    this.gripperMmPerRad = options.gripperMmPerRad ?? DEFAULT_GRIPPER_MM_PER_RAD;
    this.functionTimeoutMs = options.functionTimeoutMs ?? FUNCTION_CALL_TIMEOUT_MS;
    if (!(this.gripperMmPerRad > 0)) throw new Error(`gripperMmPerRad must be positive, got ${this.gripperMmPerRad}`);
    // The gripper's motor range follows the configured ratio so that 0..60 mm stays reachable.
    this.motorLimits = [
      ...A1_JOINT_LIMITS,
      { ...GRIPPER_LIMIT, upperRad: GRIPPER_MAX_STROKE_MM / this.gripperMmPerRad },
    ];
  }

  start(): void {
    this.supervisor.start();
  }

  async close(): Promise<void> {
    this.supervisor.stop();
    const socket = this.socket;
    this.socket = null;
    this.rejectPendingCalls(`the ${this.kind} link was closed`);
    if (socket) await closeSocket(socket);
  }

  state(): LinkState {
    return this.supervisor.state;
  }

  stats(): LinkStats {
    return this.supervisor.stats(this.kind, this.description, {
      crcErrors: 0,
      garbageBytes: 0,
      malformedFrames: this.malformedMessages,
      incompleteFeedback: this.incompleteFeedback,
    });
  }

  /**
   * Arm motors 1–6 go out as one arm_control message (all six or nothing), the
   * gripper as a stroke in mm. The gripper's gains and velocity are not sent:
   * the driver's position control applies its own. NaN/Inf throw.
   */
  sendJointCommands(commands: readonly JointCommand[]): boolean {
    const socket = this.openSocket();
    const state = this.supervisor.state;
    if (!socket || state === 'down' || state === 'connecting') return false;
    // A slow network must not queue stale commands: while earlier ones are still unsent, drop this one.
    if (socket.bufferedAmount > MAX_BUFFERED_COMMAND_BYTES) return false;
    const safe = commands.map((command) => clampJointCommand(command, this.motorLimits).command);
    const split = splitCommands(safe);
    if (!split) return false;
    const nowMs = Date.now();
    if (split.arm) this.publish(socket, A1_ROS_TOPICS.armCommand, armControlMessage(split.arm, nowMs));
    if (split.gripper) {
      const strokeMm = clamp(split.gripper.posRad * this.gripperMmPerRad, 0, GRIPPER_MAX_STROKE_MM);
      this.publish(socket, A1_ROS_TOPICS.gripperPosition, { header: rosHeader(nowMs), gripper_stroke: strokeMm });
    }
    return true;
  }

  sendFunction(name: FunctionName): Promise<void> {
    const socket = this.openSocket();
    if (!socket)
      return Promise.reject(new Error(`the ${this.kind} link is ${this.supervisor.state}; cannot send ${name}`));
    const id = `coach_function_frame_${this.nextCallId++}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingCalls.delete(id);
        reject(new Error(`${FUNCTION_FRAME_SERVICE} (${name}) got no response within ${this.functionTimeoutMs} ms`));
      }, this.functionTimeoutMs);
      this.pendingCalls.set(id, {
        resolve,
        reject: (error) => reject(new Error(`${FUNCTION_FRAME_SERVICE} (${name}): ${error.message}`)),
        timer,
      });
      socket.send(
        JSON.stringify({
          op: 'call_service',
          id,
          service: FUNCTION_FRAME_SERVICE,
          args: { command: FUNCTION_CODES[name] },
        }),
      );
    });
  }

  onFeedback(listener: (feedback: ArmFeedback) => void): () => void {
    return this.supervisor.onFeedback(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    return this.supervisor.onState(listener);
  }

  private openSocket(): WebSocket | null {
    return this.socket?.readyState === WebSocket.OPEN ? this.socket : null;
  }

  private connect(): void {
    const socket = new WebSocket(this.url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.socket = socket;
    let failure: string | null = null;
    socket.on('open', () => {
      if (this.socket === socket) this.onOpen(socket);
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (this.socket === socket) this.receive(data, isBinary);
    });
    socket.on('error', (error: Error) => {
      failure = error.message;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const why = failure ?? `closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`;
      this.rejectPendingCalls(`the connection closed before the response: ${why}`);
      this.supervisor.disconnected(`${this.description}: ${why}`);
    });
  }

  /** Fresh per-connection state (keeping the counts), then the subscriptions and advertisements. */
  private onOpen(socket: WebSocket): void {
    this.supervisor.connected();
    this.faultMasks = new Map();
    this.latestStroke = null;
    const ops = [
      {
        op: 'subscribe',
        id: 'coach_sub_joint_states',
        topic: A1_ROS_TOPICS.jointStates,
        type: A1_ROS_TYPES.jointState,
      },
      // No type: rosbridge then takes it from the running driver, so a wrong guess of the vendor's
      // status message name cannot break the subscription.
      { op: 'subscribe', id: 'coach_sub_arm_status', topic: A1_ROS_TOPICS.armStatus },
      {
        op: 'subscribe',
        id: 'coach_sub_gripper_stroke',
        topic: A1_ROS_TOPICS.gripperStroke,
        type: A1_ROS_TYPES.jointState,
      },
      { op: 'advertise', id: 'coach_adv_arm', topic: A1_ROS_TOPICS.armCommand, type: A1_ROS_TYPES.armControl },
      {
        op: 'advertise',
        id: 'coach_adv_gripper',
        topic: A1_ROS_TOPICS.gripperPosition,
        type: A1_ROS_TYPES.gripperPosition,
      },
    ];
    for (const op of ops) socket.send(JSON.stringify(op));
  }

  private publish(socket: WebSocket, topic: string, msg: unknown): void {
    socket.send(JSON.stringify({ op: 'publish', topic, msg }));
  }

  private receive(data: RawData, isBinary: boolean): void {
    const message = isBinary ? null : parseIncoming(data);
    if (!message) {
      this.malformedMessages += 1;
      return;
    }
    switch (message.op) {
      case 'publish':
        this.receivePublish(message.topic, message.msg);
        return;
      case 'service_response':
        this.receiveServiceResponse(message.id, message.values, message.result);
        return;
      case 'status':
        if (message.level === 'error') this.supervisor.lastError = `rosbridge: ${message.msg ?? 'error'}`;
        return;
    }
  }

  private receivePublish(topic: string, msg: unknown): void {
    const parsed = parseTopicMessage(topic, msg);
    if (parsed === undefined) return;
    if (parsed === null) {
      this.malformedMessages += 1;
      return;
    }
    if (parsed.kind === 'armStatus') this.faultMasks = faultMasksFromStatus(parsed.status);
    else if (parsed.kind === 'gripperStroke') this.latestStroke = parsed.state;
    else this.receiveJointState(parsed.state);
  }

  private receiveJointState(state: RosJointState): void {
    const motors = this.assembleFeedback(state);
    if (!motors) {
      this.incompleteFeedback += 1;
      return;
    }
    const now = Date.now();
    this.supervisor.feedback({ motors, receivedAtMs: now });
  }

  /** Seven motors by id from the joint state, the gripper stroke where needed, and the latest fault masks. */
  private assembleFeedback(state: RosJointState): MotorFeedback[] | null {
    const motors: MotorFeedback[] = [];
    for (const [index, name] of MOTOR_NAMES.entries()) {
      const motorId = index + 1;
      const reading =
        readJointState(state, name) ?? (motorId === GRIPPER_MOTOR_ID ? this.gripperFromStroke() : undefined);
      if (!reading) return null;
      motors.push({ motorId, ...reading, faultMask: this.faultMasks.get(name) ?? 0 });
    }
    return motors;
  }

  /**
   * The gripper from /gripper_stroke_host (mm) when the joint state lacks it.
   * The stroke's velocity is taken as mm/s; its effort has no documented unit and is not used.
   */
  private gripperFromStroke(): MotorReading | undefined {
    const stroke = this.latestStroke ? readJointState(this.latestStroke, 'gripper', 0) : undefined;
    if (!stroke) return undefined;
    return { posRad: stroke.posRad / this.gripperMmPerRad, velRadS: stroke.velRadS / this.gripperMmPerRad, tauNm: 0 };
  }

  private receiveServiceResponse(id: string | undefined, values: unknown, result: boolean | undefined): void {
    // A response to a call that already timed out (or another client's) is not ours to judge.
    const pending = id === undefined ? undefined : this.pendingCalls.get(id);
    if (!pending || id === undefined) return;
    this.pendingCalls.delete(id);
    clearTimeout(pending.timer);
    const error = serviceFailure(values, result);
    if (error) pending.reject(new Error(error));
    else pending.resolve();
  }

  private rejectPendingCalls(reason: string): void {
    for (const pending of this.pendingCalls.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
    this.pendingCalls.clear();
  }
}

type MotorReading = Omit<MotorFeedback, 'motorId' | 'faultMask'>;

type TopicMessage =
  | { kind: 'jointStates'; state: RosJointState }
  | { kind: 'gripperStroke'; state: RosJointState }
  | { kind: 'armStatus'; status: z.infer<typeof rosArmStatusSchema> };

/** The typed message, null when it does not parse, undefined for a topic Coach does not read. */
function parseTopicMessage(topic: string, msg: unknown): TopicMessage | null | undefined {
  switch (topic) {
    case A1_ROS_TOPICS.jointStates:
    case A1_ROS_TOPICS.gripperStroke: {
      const parsed = rosJointStateSchema.safeParse(msg);
      if (!parsed.success) return null;
      return { kind: topic === A1_ROS_TOPICS.jointStates ? 'jointStates' : 'gripperStroke', state: parsed.data };
    }
    case A1_ROS_TOPICS.armStatus: {
      const parsed = rosArmStatusSchema.safeParse(msg);
      return parsed.success ? { kind: 'armStatus', status: parsed.data } : null;
    }
    default:
      return undefined;
  }
}

function parseIncoming(data: RawData): z.infer<typeof incomingSchema> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(rawDataText(data));
  } catch {
    return null;
  }
  const parsed = incomingSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

function rawDataText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Position, velocity and effort of one named joint; velocity and effort default to 0 when not published. */
function readJointState(state: RosJointState, name: string, fallbackIndex?: number): MotorReading | undefined {
  const found = state.name.indexOf(name);
  const index = found >= 0 ? found : fallbackIndex;
  if (index === undefined) return undefined;
  const posRad = state.position[index];
  if (posRad === undefined) return undefined;
  return { posRad, velRadS: state.velocity[index] ?? 0, tauNm: state.effort[index] ?? 0 };
}

/** Arm commands in motor order (all six or none) and the gripper command; null when the set is incomplete or repeats a motor. */
function splitCommands(commands: readonly JointCommand[]): SplitCommands | null {
  const byMotor = new Map<number, JointCommand>();
  for (const command of commands) {
    if (byMotor.has(command.motorId)) return null;
    byMotor.set(command.motorId, command);
  }
  const gripper = byMotor.get(GRIPPER_MOTOR_ID) ?? null;
  const armCount = byMotor.size - (gripper ? 1 : 0);
  if (armCount === 0) return { arm: null, gripper };
  if (armCount !== ARM_JOINT_COUNT) return null;
  const arm = Array.from({ length: ARM_JOINT_COUNT }, (_, index) => byMotor.get(index + 1)!);
  return { arm, gripper };
}

/** Why a function_frame call failed, or null when the driver reported success. */
function serviceFailure(values: unknown, result: boolean | undefined): string | null {
  // On failure rosbridge puts its error text in `values`.
  if (result === false) return `rosbridge reported failure: ${typeof values === 'string' ? values : 'no reason given'}`;
  const response = functionFrameResponseSchema.safeParse(values);
  if (!response.success) return 'the response does not carry { success, message }';
  if (!response.data.success) return `the driver refused: ${response.data.message || 'no message'}`;
  return null;
}

/** The WebSocket constructor throws on a bad address; refuse it here rather than inside a reconnect timer. */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a rosbridge URL: ${url}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new Error(`a rosbridge URL starts with ws:// or wss://, got ${url}`);
  }
  return url;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A closing handshake, bounded: a peer that never answers must not hold the process open. */
function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close();
  });
}
