import { A1_MOTOR_LIMITS, MOTOR_COUNT, type JointLimit } from '../a1Spec';
import { crc16Mcrf4xx } from './crc16';
import { encodableRange, fromRaw, toRaw, type FieldName } from './fieldScales';
import {
  CMD,
  FEEDBACK_BLOCK_BYTES,
  FRAME_CRC_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_START,
  FUNCTION_DATA_BYTES,
  JOINT_COMMAND_DATA_BYTES,
} from './frameLayout';

/** MIT-style command for one motor: torque = kp·(pos − p) + kd·(vel − v) + tau. */
export interface JointCommand {
  motorId: number;
  posRad: number;
  velRadS: number;
  tauNm: number;
  kp: number;
  kd: number;
}

export interface MotorFeedback {
  motorId: number;
  posRad: number;
  velRadS: number;
  tauNm: number;
  /** 17-bit fault mask from the firmware (bits 17–20 are added by the host). */
  faultMask: number;
}

/** Gains beyond these are refused by clamping: they would make the arm violent, not more precise. */
export const MAX_KP = 500;
export const MAX_KD = 50;

export class WireValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireValueError';
  }
}

export interface ClampedJointCommand {
  command: JointCommand;
  /** Fields whose value was moved into the safe range. */
  clampedFields: (keyof JointCommand)[];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * Moves every field into its safe range (joint limits, velocity and effort
 * limits, gain caps) and refuses NaN/Inf and unknown motors outright.
 */
export function clampJointCommand(
  command: JointCommand,
  limits: readonly JointLimit[] = A1_MOTOR_LIMITS,
): ClampedJointCommand {
  if (!Number.isInteger(command.motorId) || command.motorId < 1 || command.motorId > MOTOR_COUNT) {
    throw new WireValueError(`motor id must be 1..${MOTOR_COUNT}, got ${command.motorId}`);
  }
  for (const field of ['posRad', 'velRadS', 'tauNm', 'kp', 'kd'] as const) {
    if (!Number.isFinite(command[field])) {
      throw new WireValueError(`motor ${command.motorId}: ${field} is ${command[field]}; refusing to send it`);
    }
  }
  const limit = limits[command.motorId - 1];
  if (!limit) throw new WireValueError(`no limits known for motor ${command.motorId}`);
  const safe: JointCommand = {
    motorId: command.motorId,
    posRad: clamp(command.posRad, limit.lowerRad, limit.upperRad),
    velRadS: clamp(command.velRadS, -limit.velocityRadS, limit.velocityRadS),
    tauNm: clamp(command.tauNm, -limit.effortNm, limit.effortNm),
    kp: clamp(command.kp, 0, MAX_KP),
    kd: clamp(command.kd, 0, MAX_KD),
  };
  const clampedFields = (['posRad', 'velRadS', 'tauNm', 'kp', 'kd'] as const).filter(
    (field) => safe[field] !== command[field],
  );
  return { command: safe, clampedFields };
}

function frame(cmd: number, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + data.length + FRAME_CRC_BYTES);
  bytes[0] = FRAME_START;
  bytes[1] = cmd;
  bytes[2] = data.length;
  bytes[3] = 0x00;
  bytes.set(data, FRAME_HEADER_BYTES);
  const crc = crc16Mcrf4xx(bytes, 0, FRAME_HEADER_BYTES + data.length);
  bytes[FRAME_HEADER_BYTES + data.length] = crc & 0xff;
  bytes[FRAME_HEADER_BYTES + data.length + 1] = crc >>> 8;
  return bytes;
}

function putField(view: DataView, offset: number, field: FieldName, value: number): void {
  const [low, high] = encodableRange(field);
  view.setUint16(offset, toRaw(field, clamp(value, low, high)), false);
}

/** A 17-byte joint command frame (cmd 0x10). The command is clamped first; NaN/Inf throw. */
export function encodeJointCommand(command: JointCommand, limits: readonly JointLimit[] = A1_MOTOR_LIMITS): Uint8Array {
  const { command: safe } = clampJointCommand(command, limits);
  const data = new Uint8Array(JOINT_COMMAND_DATA_BYTES);
  const view = new DataView(data.buffer);
  data[0] = safe.motorId;
  putField(view, 1, 'posRad', safe.posRad);
  putField(view, 3, 'velRadS', safe.velRadS);
  putField(view, 5, 'tauNm', safe.tauNm);
  putField(view, 7, 'kp', safe.kp);
  putField(view, 9, 'kd', safe.kd);
  return frame(CMD.jointCommand, data);
}

/** A function frame (cmd 0x11, len 1). */
export function encodeFunctionFrame(code: number): Uint8Array {
  if (!Number.isInteger(code) || code < 0 || code > 0xff)
    throw new WireValueError(`function code must be a byte, got ${code}`);
  return frame(CMD.function, new Uint8Array([code]));
}

/** A feedback packet (cmd 0x01) for some motors; what the firmware (and the simulated A1) sends. */
export function encodeFeedbackPacket(motors: readonly MotorFeedback[]): Uint8Array {
  const data = new Uint8Array(motors.length * FEEDBACK_BLOCK_BYTES);
  const view = new DataView(data.buffer);
  motors.forEach((motor, index) => {
    const at = index * FEEDBACK_BLOCK_BYTES;
    data[at] = motor.motorId;
    putField(view, at + 1, 'posRad', motor.posRad);
    putField(view, at + 3, 'velRadS', motor.velRadS);
    putField(view, at + 5, 'tauNm', motor.tauNm);
    data[at + 7] = (motor.faultMask >>> 16) & 1;
    data[at + 8] = (motor.faultMask >>> 8) & 0xff;
    data[at + 9] = motor.faultMask & 0xff;
  });
  return frame(CMD.feedback, data);
}

export type DecodedFrame =
  | { kind: 'feedback'; motors: MotorFeedback[] }
  | { kind: 'jointCommand'; command: JointCommand }
  | { kind: 'function'; code: number };

/** Decodes the data section of a frame whose header and CRC were already checked. */
export function decodeFrameData(cmd: number, data: Uint8Array): DecodedFrame {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (cmd) {
    case CMD.feedback: {
      const motors: MotorFeedback[] = [];
      for (let at = 0; at + FEEDBACK_BLOCK_BYTES <= data.length; at += FEEDBACK_BLOCK_BYTES) {
        motors.push({
          motorId: data[at]!,
          posRad: fromRaw('posRad', view.getUint16(at + 1, false)),
          velRadS: fromRaw('velRadS', view.getUint16(at + 3, false)),
          tauNm: fromRaw('tauNm', view.getUint16(at + 5, false)),
          faultMask: ((data[at + 7]! & 1) << 16) | (data[at + 8]! << 8) | data[at + 9]!,
        });
      }
      return { kind: 'feedback', motors };
    }
    case CMD.jointCommand:
      return {
        kind: 'jointCommand',
        command: {
          motorId: data[0]!,
          posRad: fromRaw('posRad', view.getUint16(1, false)),
          velRadS: fromRaw('velRadS', view.getUint16(3, false)),
          tauNm: fromRaw('tauNm', view.getUint16(5, false)),
          kp: fromRaw('kp', view.getUint16(7, false)),
          kd: fromRaw('kd', view.getUint16(9, false)),
        },
      };
    case CMD.function:
      if (data.length !== FUNCTION_DATA_BYTES) throw new WireValueError('function frame must carry one byte');
      return { kind: 'function', code: data[0]! };
    default:
      throw new WireValueError(`unknown command byte 0x${cmd.toString(16).padStart(2, '0')}`);
  }
}
