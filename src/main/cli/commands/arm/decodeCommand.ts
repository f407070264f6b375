import { CMD, faultBitNames, FrameReader, type DecodedFrame } from '../../../../shared/robot/wire';
import { MOTOR_NAMES } from '../../../../shared/robot/a1Spec';
import { parseHex } from './hex';

const f3 = (value: number) => value.toFixed(3);

export function describeFrame(frame: DecodedFrame): string[] {
  switch (frame.kind) {
    case 'jointCommand': {
      const c = frame.command;
      return [
        `joint command (0x${CMD.jointCommand.toString(16)}) motor ${c.motorId} (${MOTOR_NAMES[c.motorId - 1] ?? '?'}): ` +
          `pos ${f3(c.posRad)} rad, vel ${f3(c.velRadS)} rad/s, tau ${f3(c.tauNm)} N·m, kp ${c.kp.toFixed(1)}, kd ${c.kd.toFixed(2)}`,
      ];
    }
    case 'function':
      return [`function frame (0x11) code ${frame.code}`];
    case 'feedback':
      return [
        `feedback (0x01), ${frame.motors.length} motors:`,
        ...frame.motors.map(
          (m) =>
            `  motor ${m.motorId} (${MOTOR_NAMES[m.motorId - 1] ?? '?'}): pos ${f3(m.posRad)} rad, vel ${f3(m.velRadS)} rad/s, ` +
            `tau ${f3(m.tauNm)} N·m, faults 0x${m.faultMask.toString(16)}${m.faultMask ? ` [${faultBitNames(m.faultMask).join(', ')}]` : ''}`,
        ),
      ];
  }
}

/** `coach arm decode <hex>`: decode every frame in a captured byte string. */
export function runDecodeCommand(argv: string[], out: (line: string) => void): number {
  if (argv.length === 0) throw new Error('coach arm decode needs hex bytes, e.g. "a5 11 01 00 01 …"');
  const reader = new FrameReader();
  const frames = reader.push(parseHex(argv.join(' ')));
  for (const frame of frames) describeFrame(frame).forEach((line) => out(line));
  const { crcErrors, garbageBytes, malformedFrames } = reader.stats;
  if (frames.length === 0) out('no complete frame found');
  if (crcErrors || garbageBytes || malformedFrames) {
    out(
      `skipped: ${crcErrors} frame(s) with a bad CRC, ${garbageBytes} garbage byte(s), ${malformedFrames} malformed frame(s)`,
    );
  }
  return frames.length > 0 ? 0 : 1;
}
