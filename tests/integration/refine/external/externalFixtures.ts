import fs from 'node:fs';
import path from 'node:path';
import type { PreferencePair, PairStatus } from '../../../../src/shared/refine/pairTypes';
import type { DatasetModel } from '../../../../src/main/refine/external/pairRows';
import type { ObservationImage } from '../../../../src/main/refine/external/exportPairsDataset';

export const TEST_PACKAGE_DIR = path.resolve('resources/models/coach-test');
export const FAKE_TRAINER = path.resolve('tests/fixtures/externalTrainer/fakeDpoTrainer.mjs');
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'];

export const TEST_MODEL: DatasetModel = {
  name: 'coach-test',
  version: '1.0.0',
  actionSpace: 'ee_delta',
  actionNames: ACTION_NAMES,
  chunkLength: 5,
  dims: 7,
};

/** A 5 × 7 chunk whose every value says where it is: base + action/100 + dim/1000. */
export function chunk(base: number, chunkLength = 5, dims = 7): number[][] {
  return Array.from({ length: chunkLength }, (_, i) =>
    Array.from({ length: dims }, (_, d) => base + i / 100 + d / 1000),
  );
}

export function pair(id: number, status: PairStatus, overrides: Partial<PreferencePair> = {}): PreferencePair {
  return {
    id,
    episodeId: 100 + id,
    stepIndex: id * 2,
    camera: 'scene',
    frameIndex: id * 10,
    robotState: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, id / 100],
    instruction: `Put the grape in the plate ${id}`,
    task: `put the grape in the plate ${id}`,
    modelName: 'coach-test',
    modelVersion: '1.0.0',
    actionSpace: 'ee_delta',
    actionNames: ACTION_NAMES,
    chosen: chunk(id),
    rejected: chunk(-id),
    source: id % 2 === 0 ? 'gta' : 'label',
    scores: { reward: 'gta', chosen: id / 10, rejected: id },
    status,
    createdAtMs: 1_700_000_000_000 + id,
    ...overrides,
  };
}

export const IMAGE_WIDTH_PX = 32;
export const IMAGE_HEIGHT_PX = 24;

/** The picture a pair's observation gets: red = pair id, green = x · 4, blue = y · 8. */
export function observationImage(p: PreferencePair): ObservationImage {
  const rgb = new Uint8Array(IMAGE_WIDTH_PX * IMAGE_HEIGHT_PX * 3);
  for (let y = 0; y < IMAGE_HEIGHT_PX; y++)
    for (let x = 0; x < IMAGE_WIDTH_PX; x++) {
      const o = (y * IMAGE_WIDTH_PX + x) * 3;
      rgb[o] = p.id;
      rgb[o + 1] = x * 4;
      rgb[o + 2] = y * 8;
    }
  return { rgb, widthPx: IMAGE_WIDTH_PX, heightPx: IMAGE_HEIGHT_PX };
}

export function fileArrayBuffer(file: string): ArrayBuffer {
  const bytes = fs.readFileSync(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Whether a process still runs (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    if (fs.existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
