import { crc16Mcrf4xx } from './crc16';
import { decodeFrameData, type DecodedFrame } from './frames';
import {
  expectedDataLength,
  FRAME_CRC_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_START,
  MAX_FRAME_DATA_BYTES,
} from './frameLayout';

export interface FrameReaderStats {
  frames: number;
  crcErrors: number;
  /** Bytes skipped while hunting for the next frame start. */
  garbageBytes: number;
  /** Frames with a valid CRC but a header the reader does not accept (unknown cmd, odd length). */
  malformedFrames: number;
}

const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + MAX_FRAME_DATA_BYTES + FRAME_CRC_BYTES;

/**
 * Turns a byte stream cut into arbitrary chunks into frames. It syncs on 0xA5,
 * checks the header and the CRC, and on any mismatch skips one byte only, so a
 * good frame that starts inside a bad one is never lost.
 */
export class FrameReader {
  private buffer = new Uint8Array(4 * MAX_FRAME_BYTES);
  private length = 0;
  readonly stats: FrameReaderStats = { frames: 0, crcErrors: 0, garbageBytes: 0, malformedFrames: 0 };

  /** Feeds bytes and returns the frames completed by them, in order. */
  push(chunk: Uint8Array): DecodedFrame[] {
    this.append(chunk);
    const frames: DecodedFrame[] = [];
    let start = 0;
    while (start < this.length) {
      if (this.buffer[start] !== FRAME_START) {
        start += 1;
        this.stats.garbageBytes += 1;
        continue;
      }
      if (this.length - start < FRAME_HEADER_BYTES) break;
      const cmd = this.buffer[start + 1]!;
      const dataLength = this.buffer[start + 2]!;
      if (this.buffer[start + 3] !== 0x00 || !expectedDataLength(cmd, dataLength)) {
        start += 1;
        this.stats.garbageBytes += 1;
        continue;
      }
      const total = FRAME_HEADER_BYTES + dataLength + FRAME_CRC_BYTES;
      if (this.length - start < total) break;
      const crcAt = start + FRAME_HEADER_BYTES + dataLength;
      const crc = this.buffer[crcAt]! | (this.buffer[crcAt + 1]! << 8);
      if (crc16Mcrf4xx(this.buffer, start, crcAt) !== crc) {
        this.stats.crcErrors += 1;
        start += 1;
        continue;
      }
      try {
        frames.push(decodeFrameData(cmd, this.buffer.slice(start + FRAME_HEADER_BYTES, crcAt)));
        this.stats.frames += 1;
      } catch {
        this.stats.malformedFrames += 1;
      }
      start += total;
    }
    this.buffer.copyWithin(0, start, this.length);
    this.length -= start;
    return frames;
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + chunk.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }
}
