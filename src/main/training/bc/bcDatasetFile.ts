import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cameraSizes, ROBOT_STATE_DIMS, type PolicyCameraSize } from '../../../shared/policy/modelManifest';
import type { BcDataset, TrainingSample } from '../trainingTypes';

/**
 * A BcDataset in one file, for `coach train --data` and the training worker (a dataset object cannot
 * cross into a worker thread). Layout: "COACHBC1", a uint32 (LE) header length, the JSON header, zero
 * padding to a multiple of 4, then `size` records of `recordBytes` each: actions (float32 × actionValues),
 * the robot state (float32 × 7, when the header says so), the instruction's index in the header's list
 * (uint32), the picture (widthPx × heightPx × 3 bytes), each of `moreCameras`' pictures in their order,
 * zero padding to a multiple of 4. Little-endian.
 */
export interface BcDatasetFileHeader {
  format: 'coach.bc-dataset/1';
  size: number;
  widthPx: number;
  heightPx: number;
  /** chunkLength × dims of every sample. */
  actionValues: number;
  robotState: boolean;
  instructions: string[];
  recordBytes: number;
  /** Pictures of the package's other cameras (a wrist camera) after the first one's (absent: none). */
  moreCameras?: PolicyCameraSize[];
}

export interface BcDatasetFile extends BcDataset {
  readonly header: BcDatasetFileHeader;
  close(): void;
}

const MAGIC = 'COACHBC1';
const FORMAT = 'coach.bc-dataset/1';

function recordLayout(
  widthPx: number,
  heightPx: number,
  actionValues: number,
  robotState: boolean,
  moreCameras: readonly PolicyCameraSize[],
) {
  const actions = 0;
  const state = actions + actionValues * 4;
  const instruction = state + (robotState ? ROBOT_STATE_DIMS * 4 : 0);
  const image = instruction + 4;
  let end = image + widthPx * heightPx * 3;
  const more = moreCameras.map((camera) => {
    const at = { ...camera, offset: end, bytes: camera.widthPx * camera.heightPx * 3 };
    end += at.bytes;
    return at;
  });
  return { actions, state, instruction, image, more, bytes: Math.ceil(end / 4) * 4 };
}

/**
 * Writes every sample of `dataset` (pictures of widthPx × heightPx, and of each of `moreCameras` from the
 * samples' moreImages) to `file`, atomically.
 */
export function writeBcDatasetFile(
  file: string,
  dataset: BcDataset,
  image: { widthPx: number; heightPx: number },
  moreCameras: readonly PolicyCameraSize[] = [],
): BcDatasetFileHeader {
  if (os.endianness() !== 'LE') throw new Error('BC dataset files are little-endian; this machine is not');
  if (dataset.size < 1) throw new Error('the dataset is empty');
  const first = dataset.get(0);
  const actionValues = first.actions.length;
  const robotState = first.robotState !== undefined;
  const layout = recordLayout(image.widthPx, image.heightPx, actionValues, robotState, moreCameras);
  const instructions: string[] = [];
  const instructionIndex = new Map<string, number>();
  const records = `${file}.${process.pid}.records.partial`;
  const target = `${file}.${process.pid}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    const out = fs.openSync(records, 'w');
    try {
      const record = new Uint8Array(layout.bytes);
      const view = new DataView(record.buffer);
      for (let i = 0; i < dataset.size; i += 1) {
        const sample = i === 0 ? first : dataset.get(i);
        if (sample.actions.length !== actionValues)
          throw new Error(`sample ${i} has ${sample.actions.length} action values, sample 0 has ${actionValues}`);
        if (sample.image.length !== image.widthPx * image.heightPx * 3)
          throw new Error(
            `sample ${i}'s picture has ${sample.image.length} bytes, ${image.widthPx}×${image.heightPx} RGB needs ${image.widthPx * image.heightPx * 3}`,
          );
        if (
          (sample.robotState !== undefined) !== robotState ||
          (robotState && sample.robotState!.length !== ROBOT_STATE_DIMS)
        )
          throw new Error(`sample ${i}: every sample needs a robot state of ${ROBOT_STATE_DIMS} values, or none does`);
        record.fill(0);
        sample.actions.forEach((value, k) => view.setFloat32(layout.actions + k * 4, value, true));
        sample.robotState?.forEach((value, k) => view.setFloat32(layout.state + k * 4, value, true));
        let index = instructionIndex.get(sample.instruction);
        if (index === undefined) {
          index = instructions.push(sample.instruction) - 1;
          instructionIndex.set(sample.instruction, index);
        }
        view.setUint32(layout.instruction, index, true);
        record.set(sample.image, layout.image);
        for (const camera of layout.more) {
          const picture = sample.moreImages?.[camera.name];
          if (picture?.length !== camera.bytes)
            throw new Error(
              `sample ${i}'s "${camera.name}" picture has ${picture ? `${picture.length} bytes` : 'no bytes (missing)'}, ${camera.widthPx}×${camera.heightPx} RGB needs ${camera.bytes}`,
            );
          record.set(picture, camera.offset);
        }
        fs.writeSync(out, record);
      }
    } finally {
      fs.closeSync(out);
    }
    const header: BcDatasetFileHeader = {
      format: FORMAT,
      size: dataset.size,
      widthPx: image.widthPx,
      heightPx: image.heightPx,
      actionValues,
      robotState,
      instructions,
      recordBytes: layout.bytes,
      ...(moreCameras.length > 0 ? { moreCameras: cameraSizes(moreCameras) } : {}),
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const start = new Uint8Array(Math.ceil((MAGIC.length + 4 + json.length) / 4) * 4);
    start.set(new TextEncoder().encode(MAGIC), 0);
    new DataView(start.buffer).setUint32(MAGIC.length, json.length, true);
    start.set(json, MAGIC.length + 4);
    fs.writeFileSync(target, start);
    fs.appendFileSync(target, fs.readFileSync(records));
    fs.renameSync(target, file);
    return header;
  } finally {
    fs.rmSync(records, { force: true });
    fs.rmSync(target, { force: true });
  }
}

/** Opens a dataset file; `get` reads one record from disk, so the file may be larger than memory. */
export function openBcDatasetFile(file: string): BcDatasetFile {
  const fd = fs.openSync(file, 'r');
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    fs.readSync(fd, start, 0, start.length, 0);
    if (start.subarray(0, MAGIC.length).toString('latin1') !== MAGIC)
      throw new Error(`${file} is not a Coach BC dataset file`);
    const headerLength = start.readUInt32LE(MAGIC.length);
    const json = Buffer.alloc(headerLength);
    fs.readSync(fd, json, 0, headerLength, start.length);
    const header = JSON.parse(json.toString('utf8')) as BcDatasetFileHeader;
    if (header.format !== FORMAT)
      throw new Error(`${file} has format "${String(header.format)}", expected "${FORMAT}"`);
    const dataStart = Math.ceil((start.length + headerLength) / 4) * 4;
    const expected = dataStart + header.size * header.recordBytes;
    const actual = fs.fstatSync(fd).size;
    if (actual !== expected)
      throw new Error(`${file} has ${actual} bytes; its header describes ${expected} (truncated?)`);
    const layout = recordLayout(
      header.widthPx,
      header.heightPx,
      header.actionValues,
      header.robotState,
      header.moreCameras ?? [],
    );
    const record = Buffer.alloc(header.recordBytes);
    let open = true;
    return {
      header,
      size: header.size,
      get(index: number): TrainingSample {
        if (!open) throw new Error(`${file} is closed`);
        if (!(Number.isInteger(index) && index >= 0 && index < header.size))
          throw new RangeError(`sample ${index} is outside 0 … ${header.size - 1}`);
        fs.readSync(fd, record, 0, record.length, dataStart + index * header.recordBytes);
        const actions = new Float32Array(header.actionValues);
        for (let k = 0; k < actions.length; k += 1) actions[k] = record.readFloatLE(layout.actions + k * 4);
        const sample: TrainingSample = {
          image: new Uint8Array(record.subarray(layout.image, layout.image + header.widthPx * header.heightPx * 3)),
          instruction: header.instructions[record.readUInt32LE(layout.instruction)]!,
          actions,
        };
        if (layout.more.length > 0)
          sample.moreImages = Object.fromEntries(
            layout.more.map((camera) => [
              camera.name,
              new Uint8Array(record.subarray(camera.offset, camera.offset + camera.bytes)),
            ]),
          );
        if (header.robotState)
          sample.robotState = Array.from({ length: ROBOT_STATE_DIMS }, (_, k) =>
            record.readFloatLE(layout.state + k * 4),
          );
        return sample;
      },
      close() {
        if (open) fs.closeSync(fd);
        open = false;
      },
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
