import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ARM_JOINT_COUNT,
  CALIBRATION_FUNCTION_CODE,
  DEFAULT_GRIPPER_MM_PER_RAD,
  FUNCTION_CODES,
  GRIPPER_MAX_STROKE_MM,
  GRIPPER_MOTOR_ID,
  MOTOR_NAMES,
  VENDOR_GRIPPER_GAINS,
} from '../../../shared/robot/a1Spec';
import type { JointCommand, MotorFeedback } from '../../../shared/robot/wire';
import {
  A1_ROS_TOPICS,
  A1_ROS_TYPES,
  ARM_CONTROL_MIT_MODE,
  FUNCTION_FRAME_SERVICE,
} from '../../robot/link/rosbridgeArmLink';
import { SimulatedA1 } from './simulatedA1';

/** Which /arm_status_host JSON layout to publish (see RosbridgeArmLink for both). */
export type ArmStatusLayout = 'nested' | 'flat';

export interface RosbridgeFixtureOptions {
  arm?: SimulatedA1;
  /** 0 (the default) picks a free port. */
  port?: number;
  feedbackRateHz?: number;
  /** False leaves the gripper out of /joint_states_host, so it is only reported in mm on /gripper_stroke_host. */
  gripperInJointStates?: boolean;
  armStatusLayout?: ArmStatusLayout;
}

export interface RosbridgeFixtureCounts {
  /** arm_control messages applied to the sim. */
  armCommands: number;
  /** arm_control messages ignored (mode other than MIT, wrong sizes, non-finite values). */
  rejectedArmCommands: number;
  gripperCommands: number;
  lastGripperStrokeMm: number | null;
  /** Every function code asked for, executed or not. */
  functionCalls: number[];
  /** WebSocket clients accepted so far. */
  connections: number;
}

export interface RosbridgeFixture {
  url: string;
  port: number;
  arm: SimulatedA1;
  received: RosbridgeFixtureCounts;
  /** The next function_frame call answers success false with this message and does nothing. */
  failNextService(message: string): void;
  /** The next function_frame call gets no answer at all. */
  ignoreNextService(): void;
  /** Fault injection: every client's connection drops without a closing handshake. */
  dropAllClients(): void;
  /** Fault injection: raw text to every client. */
  sendRawToClients(text: string): void;
  close(): Promise<void>;
}

export const DEFAULT_ROS_FIXTURE_RATE_HZ = 100;
/** The longest step the sim takes when the event loop was late, as in SimA1Firmware. */
const MAX_STEP_S = 0.05;

interface Client {
  socket: WebSocket;
  subscriptions: Set<string>;
  advertised: Set<string>;
}

interface RosbridgeOp {
  op: string;
  id?: unknown;
  topic?: unknown;
  type?: unknown;
  msg?: unknown;
  service?: unknown;
  args?: unknown;
}

const PUBLISHED_TOPIC_TYPES: ReadonlyMap<string, string> = new Map([
  [A1_ROS_TOPICS.jointStates, A1_ROS_TYPES.jointState],
  [A1_ROS_TOPICS.armStatus, A1_ROS_TYPES.armStatus],
  [A1_ROS_TOPICS.gripperStroke, A1_ROS_TYPES.jointState],
]);

const SUBSCRIBED_TOPIC_TYPES: ReadonlyMap<string, string> = new Map([
  [A1_ROS_TOPICS.armCommand, A1_ROS_TYPES.armControl],
  [A1_ROS_TOPICS.gripperPosition, A1_ROS_TYPES.gripperPosition],
]);

const FUNCTION_FRAME_NAME = FUNCTION_FRAME_SERVICE.replace(/^\//, '');

function rosHeader(seq: number, nowMs: number) {
  return { seq, stamp: { secs: Math.floor(nowMs / 1000), nsecs: (nowMs % 1000) * 1e6 }, frame_id: '' };
}

function isFiniteNumberArray(value: unknown, length: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((item) => typeof item === 'number' && Number.isFinite(item))
  );
}

/** Stands in for rosbridge_server + signal_arm: answers each client's ops and publishes the sim's state to subscribers. */
class FixtureServer implements RosbridgeFixture {
  readonly url: string;
  readonly port: number;
  readonly received: RosbridgeFixtureCounts = {
    armCommands: 0,
    rejectedArmCommands: 0,
    gripperCommands: 0,
    lastGripperStrokeMm: null,
    functionCalls: [],
    connections: 0,
  };
  private readonly clients = new Set<Client>();
  private nextServiceFailure: string | null = null;
  private skipNextServiceCall = false;
  private seq = 0;
  private lastStepAtNs = process.hrtime.bigint();
  private readonly timer: NodeJS.Timeout;
  private readonly gripperInJointStates: boolean;
  private readonly armStatusLayout: ArmStatusLayout;

  constructor(
    readonly arm: SimulatedA1,
    private readonly server: WebSocketServer,
    options: RosbridgeFixtureOptions,
  ) {
    this.port = (server.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${this.port}`;
    this.gripperInJointStates = options.gripperInJointStates ?? true;
    this.armStatusLayout = options.armStatusLayout ?? 'nested';
    const rateHz = options.feedbackRateHz ?? DEFAULT_ROS_FIXTURE_RATE_HZ;
    this.timer = setInterval(() => this.cycle(), 1000 / rateHz);
    server.on('connection', (socket) => this.accept(socket));
  }

  failNextService(message: string): void {
    this.nextServiceFailure = message;
  }

  ignoreNextService(): void {
    this.skipNextServiceCall = true;
  }

  dropAllClients(): void {
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
  }

  sendRawToClients(text: string): void {
    for (const client of this.clients) client.socket.send(text);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.dropAllClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const client: Client = { socket, subscriptions: new Set(), advertised: new Set() };
    this.clients.add(client);
    this.received.connections += 1;
    socket.on('message', (data: RawData, isBinary: boolean) => this.handle(client, data, isBinary));
    socket.on('error', () => undefined);
    socket.on('close', () => this.clients.delete(client));
  }

  private send(client: Client, message: object): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(message));
  }

  private status(client: Client, level: 'error' | 'warning', msg: string, id?: unknown): void {
    this.send(client, { op: 'status', level, msg, ...(typeof id === 'string' ? { id } : {}) });
  }

  // --- Topics the driver publishes ---------------------------------------------------------------

  private cycle(): void {
    const now = process.hrtime.bigint();
    this.arm.step(Math.min(MAX_STEP_S, Number(now - this.lastStepAtNs) / 1e9));
    this.lastStepAtNs = now;
    this.publishFeedback();
  }

  private publishFeedback(): void {
    const motors = this.arm.feedback();
    const nowMs = Date.now();
    this.seq += 1;
    const messages: [string, object][] = [
      [A1_ROS_TOPICS.jointStates, this.jointStatesMessage(motors, nowMs)],
      [A1_ROS_TOPICS.armStatus, this.armStatusMessage(motors, nowMs)],
      [A1_ROS_TOPICS.gripperStroke, this.gripperStrokeMessage(motors[GRIPPER_MOTOR_ID - 1]!, nowMs)],
    ];
    for (const client of this.clients) {
      for (const [topic, msg] of messages) {
        if (client.subscriptions.has(topic)) this.send(client, { op: 'publish', topic, msg });
      }
    }
  }

  private jointStatesMessage(motors: readonly MotorFeedback[], nowMs: number) {
    const shown = this.gripperInJointStates ? motors : motors.slice(0, ARM_JOINT_COUNT);
    return {
      header: rosHeader(this.seq, nowMs),
      name: shown.map((motor) => MOTOR_NAMES[motor.motorId - 1]),
      position: shown.map((motor) => motor.posRad),
      velocity: shown.map((motor) => motor.velRadS),
      effort: shown.map((motor) => motor.tauNm),
    };
  }

  private armStatusMessage(motors: readonly MotorFeedback[], nowMs: number) {
    const names = motors.map((motor) => MOTOR_NAMES[motor.motorId - 1]!);
    const data =
      this.armStatusLayout === 'flat'
        ? motors.map((motor, index) => ({ name: names[index], error_code: motor.faultMask, error_description: [] }))
        : {
            name: names,
            motor_errors: motors.map((motor) => ({ error_code: motor.faultMask, error_description: [] })),
          };
    return { header: rosHeader(this.seq, nowMs), data };
  }

  private gripperStrokeMessage(gripper: MotorFeedback, nowMs: number) {
    return {
      header: rosHeader(this.seq, nowMs),
      name: ['gripper'],
      position: [gripper.posRad * DEFAULT_GRIPPER_MM_PER_RAD],
      velocity: [gripper.velRadS * DEFAULT_GRIPPER_MM_PER_RAD],
      effort: [gripper.tauNm],
    };
  }

  // --- Protocol ----------------------------------------------------------------------------------

  private handle(client: Client, data: RawData, isBinary: boolean): void {
    const message = isBinary ? null : parseOp(String(data));
    if (!message) {
      this.status(client, 'error', 'Unable to load the message: expected a JSON object with an op field');
      return;
    }
    switch (message.op) {
      case 'subscribe':
        return this.subscribe(client, message);
      case 'unsubscribe':
        client.subscriptions.delete(String(message.topic));
        return;
      case 'advertise':
        return this.advertise(client, message);
      case 'unadvertise':
        client.advertised.delete(String(message.topic));
        return;
      case 'publish':
        return this.publish(client, message);
      case 'call_service':
        return this.callService(client, message);
      default:
        return this.status(client, 'error', `Unknown operation: ${message.op}`, message.id);
    }
  }

  private subscribe(client: Client, message: RosbridgeOp): void {
    const topic = String(message.topic);
    const type = PUBLISHED_TOPIC_TYPES.get(topic);
    if (!type) return this.status(client, 'error', `Cannot infer topic type for topic ${topic}`, message.id);
    if (message.type !== undefined && message.type !== type) {
      const msg = `The type of topic ${topic} is ${type}, but ${String(message.type)} was given`;
      return this.status(client, 'error', msg, message.id);
    }
    client.subscriptions.add(topic);
  }

  private advertise(client: Client, message: RosbridgeOp): void {
    const topic = String(message.topic);
    const type = SUBSCRIBED_TOPIC_TYPES.get(topic);
    if (!type || message.type !== type) {
      return this.status(client, 'error', `Cannot advertise ${topic} as ${String(message.type)}`, message.id);
    }
    client.advertised.add(topic);
  }

  private publish(client: Client, message: RosbridgeOp): void {
    const topic = String(message.topic);
    if (!client.advertised.has(topic)) {
      return this.status(client, 'error', `Topic ${topic} is not advertised`, message.id);
    }
    const msg = typeof message.msg === 'object' && message.msg !== null ? (message.msg as Record<string, unknown>) : {};
    if (topic === A1_ROS_TOPICS.armCommand) this.applyArmControl(client, msg);
    else this.applyGripperPosition(client, msg);
  }

  // --- Topics the driver subscribes to -----------------------------------------------------------

  private applyArmControl(client: Client, msg: Record<string, unknown>): void {
    const commands = armControlCommands(msg);
    if (!commands) {
      this.received.rejectedArmCommands += 1;
      const why = `arm_control ignored: needs mode ${ARM_CONTROL_MIT_MODE} and six finite values per field`;
      return this.status(client, 'warning', why);
    }
    for (const command of commands) this.arm.applyCommand(command);
    this.received.armCommands += 1;
  }

  private applyGripperPosition(client: Client, msg: Record<string, unknown>): void {
    const strokeMm = msg.gripper_stroke;
    if (typeof strokeMm !== 'number' || !Number.isFinite(strokeMm)) {
      return this.status(client, 'error', 'gripper_position_control needs a finite gripper_stroke');
    }
    const clampedMm = Math.min(GRIPPER_MAX_STROKE_MM, Math.max(0, strokeMm));
    this.arm.applyCommand({
      motorId: GRIPPER_MOTOR_ID,
      posRad: clampedMm / DEFAULT_GRIPPER_MM_PER_RAD,
      velRadS: VENDOR_GRIPPER_GAINS.velRadS,
      tauNm: VENDOR_GRIPPER_GAINS.tauNm,
      kp: VENDOR_GRIPPER_GAINS.kp,
      kd: VENDOR_GRIPPER_GAINS.kd,
    });
    this.received.gripperCommands += 1;
    this.received.lastGripperStrokeMm = clampedMm;
  }

  // --- Service -----------------------------------------------------------------------------------

  private callService(client: Client, message: RosbridgeOp): void {
    const service = typeof message.service === 'string' ? message.service : '';
    const idField = typeof message.id === 'string' ? { id: message.id } : {};
    if (service.replace(/^\//, '') !== FUNCTION_FRAME_NAME) {
      const values = `Service ${service} does not exist`;
      return this.send(client, { op: 'service_response', service, ...idField, values, result: false });
    }
    if (this.skipNextServiceCall) {
      this.skipNextServiceCall = false;
      return;
    }
    const args = (typeof message.args === 'object' && message.args !== null ? message.args : {}) as {
      command?: unknown;
    };
    const values = this.runFunction(args.command);
    this.send(client, { op: 'service_response', service, ...idField, values, result: true });
  }

  /** What the driver does with a function code: success, or why not. Calibration is never executed. */
  private runFunction(code: unknown): { success: boolean; message: string } {
    if (typeof code === 'number') this.received.functionCalls.push(code);
    if (this.nextServiceFailure !== null) {
      const message = this.nextServiceFailure;
      this.nextServiceFailure = null;
      return { success: false, message };
    }
    switch (code) {
      case FUNCTION_CODES.enable:
        this.arm.setEnabled(true);
        break;
      case FUNCTION_CODES.disable:
        this.arm.setEnabled(false);
        break;
      case FUNCTION_CODES.clearError:
        this.arm.clearErrors();
        break;
      case CALIBRATION_FUNCTION_CODE:
        return { success: false, message: 'calibration (function code 3) is refused: this fixture never calibrates' };
      default:
        return { success: false, message: `unknown function code ${String(code)}` };
    }
    return { success: true, message: '' };
  }
}

function parseOp(text: string): RosbridgeOp | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const op = typeof raw === 'object' && raw !== null ? (raw as { op?: unknown }).op : undefined;
  return typeof op === 'string' ? (raw as RosbridgeOp) : null;
}

/** Six MIT commands from an arm_control message, or null when it is not mode 0 with six finite values per field. */
function armControlCommands(msg: Record<string, unknown>): JointCommand[] | null {
  const fields = ['p_des', 'v_des', 'kp', 'kd', 't_ff'] as const;
  if (msg.mode !== ARM_CONTROL_MIT_MODE) return null;
  if (!fields.every((field) => isFiniteNumberArray(msg[field], ARM_JOINT_COUNT))) return null;
  const value = (field: (typeof fields)[number], index: number) => (msg[field] as number[])[index]!;
  return Array.from({ length: ARM_JOINT_COUNT }, (_, index) => ({
    motorId: index + 1,
    posRad: value('p_des', index),
    velRadS: value('v_des', index),
    tauNm: value('t_ff', index),
    kp: value('kp', index),
    kd: value('kd', index),
  }));
}

/**
 * A stand-in for rosbridge_server in front of the vendor driver `signal_arm`,
 * backed by a SimulatedA1 stepped in real time: enough of rosbridge protocol
 * v2 (JSON text) for RosbridgeArmLink, on 127.0.0.1. For tests and development.
 */
export async function startRosbridgeFixture(options: RosbridgeFixtureOptions = {}): Promise<RosbridgeFixture> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return new FixtureServer(options.arm ?? new SimulatedA1(), server, options);
}
