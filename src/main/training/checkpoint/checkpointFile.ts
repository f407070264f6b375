import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A training checkpoint: JSON metadata plus named float32 tensors in groups (params, optimizer
 * moments, …). File layout: "COACHCK1", a uint32 (LE) header length, the JSON header, zero padding to
 * a multiple of 4, then every tensor's float32 values (LE) in header order.
 */
export interface TrainingCheckpoint {
  meta: Record<string, unknown>;
  groups: Record<string, Record<string, Float32Array>>;
}

const MAGIC = 'COACHCK1';
const FORMAT = 'coach.training-checkpoint/1';

interface TensorEntry {
  group: string;
  name: string;
  length: number;
}

interface Header {
  format: typeof FORMAT;
  meta: Record<string, unknown>;
  tensors: TensorEntry[];
}

function checkEndianness(): void {
  if (os.endianness() !== 'LE') throw new Error('training checkpoints are little-endian; this machine is not');
}

export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  checkEndianness();
  const tensors: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  for (const [group, named] of Object.entries(checkpoint.groups))
    for (const [name, values] of Object.entries(named)) {
      tensors.push({ group, name, length: values.length });
      arrays.push(values);
    }
  const header = new TextEncoder().encode(JSON.stringify({ format: FORMAT, meta: checkpoint.meta, tensors }));
  const dataStart = Math.ceil((MAGIC.length + 4 + header.length) / 4) * 4;
  const total = dataStart + arrays.reduce((sum, values) => sum + values.length * 4, 0);
  const bytes = new Uint8Array(total);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  let offset = dataStart;
  for (const values of arrays) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.length * 4), offset);
    offset += values.length * 4;
  }
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): TrainingCheckpoint {
  checkEndianness();
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC)
    fail('is not a Coach training checkpoint');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > bytes.length) fail('is truncated (header)');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, headerEnd))) as Header;
  } catch {
    return fail('has a damaged header');
  }
  if (header.format !== FORMAT) fail(`has format "${String(header.format)}", expected "${FORMAT}"`);
  let offset = Math.ceil(headerEnd / 4) * 4;
  const groups: TrainingCheckpoint['groups'] = {};
  for (const { group, name, length } of header.tensors) {
    const end = offset + length * 4;
    if (end > bytes.length) fail(`is truncated (tensor "${group}/${name}")`);
    // A copy, aligned (fs.readFile's Buffer may sit at any offset of its pool).
    const copy = new Uint8Array(length * 4);
    copy.set(bytes.subarray(offset, end));
    (groups[group] ??= {})[name] = new Float32Array(copy.buffer);
    offset = end;
  }
  if (offset !== bytes.length) fail('has trailing bytes');
  return { meta: header.meta, groups };
}

/** Writes the checkpoint atomically: a reader sees the previous file or the new one, never a part. */
export async function writeCheckpoint(file: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    await fs.writeFile(temporary, encodeCheckpoint(checkpoint));
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

export async function readCheckpoint(file: string): Promise<TrainingCheckpoint> {
  return decodeCheckpoint(await fs.readFile(file), file);
}
