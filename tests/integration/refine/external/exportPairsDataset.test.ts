import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreferencePair } from '../../../../src/shared/refine/pairTypes';
import { exportPairsDataset, type PairsExportProgress } from '../../../../src/main/refine/external/exportPairsDataset';
import { PairsDatasetError } from '../../../../src/main/refine/external/externalErrors';
import {
  IMAGE_HEIGHT_PX,
  IMAGE_WIDTH_PX,
  TEST_MODEL,
  chunk,
  fileArrayBuffer,
  observationImage,
  pair,
} from './externalFixtures';

let tmp: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-pairs-export-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  duck?.closeSync();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const PAIRS = [
  pair(3, 'active'),
  pair(7, 'flipped', { executedSide: 'chosen' }),
  pair(9, 'discarded'),
  pair(12, 'active'),
];

async function rejection(promise: Promise<unknown>): Promise<PairsDatasetError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PairsDatasetError);
  return error as PairsDatasetError;
}

describe('exportPairsDataset round trip', () => {
  let out: string;
  let loaded: number[];
  let progress: PairsExportProgress[];
  let rows: Record<string, unknown>[];

  beforeAll(async () => {
    out = path.join(tmp, 'round-trip', 'dataset');
    loaded = [];
    progress = [];
    await exportPairsDataset(
      PAIRS,
      async (p) => {
        loaded.push(p.id);
        return observationImage(p);
      },
      out,
      { model: TEST_MODEL, onProgress: (p) => progress.push(p), now: () => new Date('2026-01-02T03:04:05Z') },
    );
    rows = (await parquetReadObjects({ file: fileArrayBuffer(path.join(out, 'pairs.parquet')) })) as Record<
      string,
      unknown
    >[];
  });

  it('writes one row per kept pair: discarded left out (and never loaded), order kept', () => {
    expect(rows.map((r) => Number(r.pair_id))).toEqual([3, 7, 12]);
    expect(loaded).toEqual([3, 7, 12]);
    expect(fs.readdirSync(path.join(out, 'images')).sort()).toEqual(['12.png', '3.png', '7.png']);
  });

  it('writes active pairs as stored, flattened row-major, with their observation and scores', () => {
    const row = rows[0]!;
    expect(row).toMatchObject({
      episode_id: 103n,
      step_index: 6n,
      camera: 'scene',
      frame_index: 30n,
      instruction: 'Put the grape in the plate 3',
      task: 'put the grape in the plate 3',
      chunk_length: 5n,
      action_dims: 7n,
      source: 'label',
      reward: 'gta',
      flipped: false,
      executed_side: null,
      image: 'images/3.png',
      image_width_px: BigInt(IMAGE_WIDTH_PX),
      image_height_px: BigInt(IMAGE_HEIGHT_PX),
    });
    expect(row.chosen_score).toBeCloseTo(0.3, 12);
    expect(row.rejected_score).toBe(3);
    const chosen = row.chosen as number[];
    expect(chosen).toHaveLength(35);
    // action 2, dim 4 sits at 2·7 + 4
    expect(chosen[2 * 7 + 4]).toBeCloseTo(3 + 0.02 + 0.004, 6);
    chunk(3)
      .flat()
      .forEach((v, i) => expect(chosen[i]).toBeCloseTo(v, 6));
    chunk(-3)
      .flat()
      .forEach((v, i) => expect((row.rejected as number[])[i]).toBeCloseTo(v, 6));
    (row.robot_state as number[]).forEach((v, i) => expect(v).toBeCloseTo(PAIRS[0]!.robotState[i]!, 6));
  });

  it('writes flipped pairs swapped: chosen is the stored rejected, scores too', () => {
    const row = rows[1]!;
    expect(row.flipped).toBe(true);
    expect(row.executed_side).toBe('rejected');
    chunk(-7)
      .flat()
      .forEach((v, i) => expect((row.chosen as number[])[i]).toBeCloseTo(v, 6));
    chunk(7)
      .flat()
      .forEach((v, i) => expect((row.rejected as number[])[i]).toBeCloseTo(v, 6));
    expect(row.chosen_score).toBe(7);
    expect(row.rejected_score).toBeCloseTo(0.7, 12);
  });

  it('writes images that decode at their size with the loaded pixels', async () => {
    for (const p of [PAIRS[0]!, PAIRS[1]!, PAIRS[3]!]) {
      const { data, info } = await sharp(path.join(out, `images/${p.id}.png`))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([IMAGE_WIDTH_PX, IMAGE_HEIGHT_PX, 3]);
      expect(Buffer.compare(data, Buffer.from(observationImage(p).rgb))).toBe(0);
    }
  });

  it('writes dataset.json naming the format, the model, the counts and every column', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    expect(meta).toMatchObject({
      format: 'coach.pairs/1',
      createdAt: '2026-01-02T03:04:05.000Z',
      model: TEST_MODEL,
      files: { pairs: 'pairs.parquet', images: 'images/' },
      counts: { pairs: 3, flipped: 1, discardedLeftOut: 1, bySource: { label: 2, gta: 1 } },
    });
    expect(meta.robotStateNames).toHaveLength(7);
    expect(meta.columns.map((c: { name: string }) => c.name)).toEqual(Object.keys(rows[0]!));
  });

  it('writes parquet an independent reader (DuckDB) types as lists of float', async () => {
    const file = path.join(out, 'pairs.parquet');
    const described = await duck.runAndReadAll(`describe select * from read_parquet('${file}')`);
    const types = Object.fromEntries(
      (described.getRowObjectsJson() as { column_name: string; column_type: string }[]).map((r) => [
        r.column_name,
        r.column_type,
      ]),
    );
    expect(types).toMatchObject({
      pair_id: 'BIGINT',
      chosen: 'FLOAT[]',
      rejected: 'FLOAT[]',
      robot_state: 'FLOAT[]',
      chosen_score: 'DOUBLE',
      flipped: 'BOOLEAN',
      image: 'VARCHAR',
    });
    const count = await duck.runAndReadAll(`select count(*) as n from read_parquet('${file}')`);
    expect(Number((count.getRowObjectsJson()[0] as { n: string }).n)).toBe(3);
  });

  it('reports progress per image, then writing, then done', () => {
    expect(progress.map((p) => `${p.phase}:${p.done}/${p.total}`)).toEqual([
      'images:0/3',
      'images:1/3',
      'images:2/3',
      'images:3/3',
      'writing:3/3',
      'done:3/3',
    ]);
  });

  it('leaves no temporary folder beside the dataset', () => {
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dataset']);
  });
});

describe('exportPairsDataset refusals and cancel', () => {
  const fresh = (name: string) => {
    const parent = path.join(tmp, name);
    fs.mkdirSync(parent, { recursive: true });
    return { parent, out: path.join(parent, 'dataset') };
  };
  const load = async (p: PreferencePair) => observationImage(p);

  it('cancel between images leaves nothing behind', async () => {
    const { parent, out } = fresh('cancel');
    const controller = new AbortController();
    let calls = 0;
    const error = await rejection(
      exportPairsDataset(
        PAIRS,
        async (p) => {
          if (++calls === 2) controller.abort();
          return observationImage(p);
        },
        out,
        { model: TEST_MODEL, signal: controller.signal },
      ),
    );
    expect(error.code).toBe('pairs_dataset_cancelled');
    expect(calls).toBe(2);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('a failing observation names the pair and leaves nothing behind', async () => {
    const { parent, out } = fresh('loader-fails');
    const error = await rejection(
      exportPairsDataset(
        PAIRS,
        async (p) => {
          if (p.id === 7) throw new Error('frame 70 is missing');
          return observationImage(p);
        },
        out,
        { model: TEST_MODEL },
      ),
    );
    expect(error.message).toMatch(
      /pair 7: its observation \(episode 107, camera scene, frame 70\).*frame 70 is missing/,
    );
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('refuses an image whose bytes do not match its size', async () => {
    const { parent, out } = fresh('bad-image');
    const error = await rejection(
      exportPairsDataset(PAIRS, async (p) => ({ ...observationImage(p), heightPx: IMAGE_HEIGHT_PX + 1 }), out, {
        model: TEST_MODEL,
      }),
    );
    expect(error.message).toMatch(/pair 3: its image holds 2304 bytes, but 32×25 RGB needs 2400/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('refuses pairs of another action space: chunk shape or action names', async () => {
    const { parent, out } = fresh('other-space');
    const shape = await rejection(
      exportPairsDataset([pair(1, 'active'), pair(2, 'active', { rejected: chunk(0, 8, 7) })], load, out, {
        model: TEST_MODEL,
      }),
    );
    expect(shape.code).toBe('pairs_dataset_invalid');
    expect(shape.message).toMatch(/pair 2: its rejected chunk is \[8\]\[7\|7\|7\|7\|7\|7\|7\|7\].*takes \[5\]\[7\]/);
    const names = await rejection(
      exportPairsDataset(
        [pair(4, 'active', { actionNames: ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'gripper'] })],
        load,
        out,
        {
          model: TEST_MODEL,
        },
      ),
    );
    expect(names.message).toMatch(/pair 4 was built for the actions \[j1, .*acts in \[dx, dy/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('refuses an empty selection and one with only discarded pairs', async () => {
    const { out } = fresh('empty');
    expect((await rejection(exportPairsDataset([], load, out, { model: TEST_MODEL }))).message).toMatch(
      /no preference pairs/,
    );
    expect(
      (await rejection(exportPairsDataset([pair(1, 'discarded')], load, out, { model: TEST_MODEL }))).message,
    ).toMatch(/all 1 pairs are discarded/);
  });

  it('refuses a folder that is not empty and leaves it as it was', async () => {
    const { out } = fresh('not-empty');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const error = await rejection(exportPairsDataset(PAIRS, load, out, { model: TEST_MODEL }));
    expect(error.message).toMatch(/is not empty \(1 entries\)/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });

  it('writes into an existing empty folder', async () => {
    const { out } = fresh('empty-folder');
    fs.mkdirSync(out);
    await exportPairsDataset(PAIRS, load, out, { model: TEST_MODEL });
    expect(fs.readdirSync(out).sort()).toEqual(['dataset.json', 'images', 'pairs.parquet']);
  });
});
