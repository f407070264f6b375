/** Every frame: A5 | cmd | len | 00 | data[len] | crc_lo | crc_hi. */
export const FRAME_START = 0xa5;
export const FRAME_HEADER_BYTES = 4;
export const FRAME_CRC_BYTES = 2;

export const CMD = {
  feedback: 0x01,
  jointCommand: 0x10,
  function: 0x11,
} as const;

export const JOINT_COMMAND_DATA_BYTES = 0x0b;
export const FUNCTION_DATA_BYTES = 0x01;
export const FEEDBACK_BLOCK_BYTES = 10;
/** Feedback arrives as a 3-motor and a 4-motor packet. */
export const FEEDBACK_MAX_MOTORS_PER_PACKET = 4;

/** Longest data section the reader accepts; anything longer is garbage. */
export const MAX_FRAME_DATA_BYTES = FEEDBACK_BLOCK_BYTES * 7;

export function expectedDataLength(cmd: number, length: number): boolean {
  switch (cmd) {
    case CMD.feedback:
      return length > 0 && length % FEEDBACK_BLOCK_BYTES === 0 && length <= MAX_FRAME_DATA_BYTES;
    case CMD.jointCommand:
      return length === JOINT_COMMAND_DATA_BYTES;
    case CMD.function:
      return length === FUNCTION_DATA_BYTES;
    default:
      return false;
  }
}
