import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportProgress, ExportRequest, ExportResult } from '../../../src/shared/episodes/episodeTypes';
import { EpisodeFileError, EpisodeReader, summarizePayload } from '../../../src/main/episodes/store/episodeReader';
import { exportEpisodes, videoCodecs } from '../../../src/main/episodes/export/exportEpisodes';
import { ExportCancelledError, ExportError, type ExportIo } from '../../../src/main/episodes/export/exportTypes';
import { HEADER_FILE } from '../../../src/main/episodes/store/episodeFormat';
import {
  FIXTURE_CAMERAS,
  fixtureAction,
  fixtureStateRad,
  frameColour,
  hashTree,
  writeFixtureEpisode,
  type FixtureEpisode,
} from '../../helpers/episodeFixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-export-'));
const root = path.join(tmp, 'episodes');
let fixtures: FixtureEpisode[] = [];
let duck: DuckDBConnection;

const request = (
  format: ExportRequest['format'],
  outDir: string,
  extra: Partial<ExportRequest> = {},
): ExportRequest => ({
  format,
  outDir,
  filter: {},
  videoCodec: 'h264',
  robotType: 'galaxea_a1',
  ...extra,
});
const inputs = (list = fixtures) => list.map((f) => ({ summary: f.summary, dir: f.dir }));
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const readJsonLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const outPath = (name: string) => path.join(tmp, 'out', name);

function fileArrayBuffer(file: string): ArrayBuffer {
  const bytes = fs.readFileSync(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function hyparquetRows(file: string): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({ file: fileArrayBuffer(file) })) as Record<string, unknown>[];
}

async function duckRows(file: string): Promise<Record<string, unknown>[]> {
  const reader = await duck.runAndReadAll(`select * from read_parquet('${file}')`);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

async function duckTypes(file: string): Promise<Record<string, string>> {
  const reader = await duck.runAndReadAll(`describe select * from read_parquet('${file}')`);
  const rows = reader.getRowObjectsJson() as { column_name: string; column_type: string }[];
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

interface ProbedVideo {
  codec_name: string;
  width: number;
  height: number;
  pix_fmt: string;
  r_frame_rate: string;
  nb_read_frames: string;
}

function ffprobe(file: string): ProbedVideo {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,pix_fmt,r_frame_rate,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as { streams: ProbedVideo[] }).streams[0]!;
}

/** The centre pixel of every decoded frame of an mp4. */
function decodedCentrePixels(file: string, widthPx: number, heightPx: number): number[][] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const frameBytes = widthPx * heightPx * 3;
  const centre = (Math.floor(heightPx / 2) * widthPx + Math.floor(widthPx / 2)) * 3;
  const pixels: number[][] = [];
  for (let f = 0; f + frameBytes <= raw.length; f += frameBytes) {
    pixels.push([raw[f + centre]!, raw[f + centre + 1]!, raw[f + centre + 2]!]);
  }
  return pixels;
}

/** Independently of the exporter: the frame a row should show (newest at or before the step, else the first). */
function expectedFrame(fixture: FixtureEpisode, camera: string, stepTS: number): number {
  const records = fixture.frames[camera]!;
  let chosen = 0;
  records.forEach((r, k) => {
    if (r.tS <= stepTS) chosen = k;
  });
  return chosen;
}

async function runExport(req: ExportRequest, list = fixtures, extra: { io?: ExportIo; signal?: AbortSignal } = {}) {
  const progress: ExportProgress[] = [];
  const result = await exportEpisodes({
    episodes: inputs(list),
    request: req,
    onProgress: (p) => progress.push(p),
    ...extra,
  });
  return { result, progress };
}

beforeAll(async () => {
  fixtures = [
    await writeFixtureEpisode(root, { id: 1, steps: 12, label: 'good', note: 'clean grasp' }),
    await writeFixtureEpisode(root, {
      id: 2,
      steps: 15,
      instruction: '  Stack the cups ',
      outcome: 'timeout',
      label: 'bad',
      note: 'dropped it, "twice"\nthen stopped',
    }),
    await writeFixtureEpisode(root, { id: 3, steps: 9, tornTails: true }),
  ];
  duck = await (await DuckDBInstance.create(':memory:')).connect();
}, 60_000);

afterAll(() => {
  duck?.closeSync();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('EpisodeReader', () => {
  it('reads header, steps, state and frames, ignoring torn tails', async () => {
    const fixture = fixtures[2]!;
    const reader = await EpisodeReader.open(fixture.dir);
    expect(reader.header).toEqual(fixture.header);
    const steps = await reader.steps();
    expect(steps).toEqual(fixture.steps); // the torn '{"i": 999…' line is ignored
    const state = await reader.state();
    const stateBytes = fs.statSync(path.join(fixture.dir, 'state.bin')).size;
    expect(state.length).toBe(Math.floor(stateBytes / (29 * 8)));
    expect(stateBytes % (29 * 8)).toBe(40); // a short last record is present on disk…
    expect(state[1]!.tS).toBeCloseTo(1 / 200, 12); // …and ignored; records decode in order
    expect(state[0]!.posRad).toHaveLength(7);
    expect(state[0]!.setpointRad[6]).toBeCloseTo(0.28, 12);
    const index = await reader.frameIndex('scene');
    expect(index).toEqual(fixture.frames.scene);
    const jpeg = await reader.frameJpeg('scene', index[0]!);
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(await reader.missingFrames('scene')).toEqual([]);
  });

  it('reports frames whose file is missing, and names them on read', async () => {
    const fixture = await writeFixtureEpisode(path.join(tmp, 'reader-missing'), { id: 7, steps: 4 });
    const gone = fixture.frames.wrist![2]!;
    fs.rmSync(path.join(fixture.dir, 'cameras', 'wrist', gone.file));
    const reader = await EpisodeReader.open(fixture.dir);
    expect(await reader.missingFrames('wrist')).toEqual([gone]);
    expect(await reader.missingFrames('scene')).toEqual([]);
    await expect(reader.frameJpeg('wrist', gone)).rejects.toThrow(
      /episode 7: .*wrist.*000002\.jpg: the frame file is missing/,
    );
  });

  it('gives clear errors for a missing or corrupt episode.json', async () => {
    const dir = path.join(tmp, 'reader-bad', '000042');
    fs.mkdirSync(dir, { recursive: true });
    const missing = await EpisodeReader.open(dir).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EpisodeFileError);
    expect((missing as Error).message).toMatch(/episode 42: .*episode\.json: the file is missing/);
    fs.writeFileSync(path.join(dir, HEADER_FILE), '{"format": "coach.episode/1", "id": 4');
    await expect(EpisodeReader.open(dir)).rejects.toThrow(/episode 42: .*episode\.json: is not valid JSON/);
    fs.writeFileSync(path.join(dir, HEADER_FILE), '{"format": "other/2"}');
    await expect(EpisodeReader.open(dir)).rejects.toThrow(/has format "other\/2", expected "coach\.episode\/1"/);
  });

  it('summarizes a payload for crash recovery', async () => {
    const fixture = fixtures[2]!;
    const summary = await summarizePayload(fixture.dir);
    expect(summary.steps).toBe(9);
    expect(summary.strokes).toBe(2);
    expect(summary.framesByCamera).toEqual({
      scene: fixture.frames.scene!.length,
      wrist: fixture.frames.wrist!.length,
    });
    const lastFrameS = fixture.frames.scene!.at(-1)!.tS;
    const lastStateS = (Math.ceil(fixture.header.end!.durationS * 200) - 1) / 200;
    expect(summary.durationS).toBeCloseTo(Math.max(fixture.steps.at(-1)!.tS, lastFrameS, lastStateS), 9);
  });
});

describe('LeRobot v2.1 export', () => {
  let result: ExportResult;
  let progress: ExportProgress[];
  const out = outPath('v21');
  let sourceHash: string;

  beforeAll(async () => {
    sourceHash = hashTree(root);
    ({ result, progress } = await runExport(request('lerobot-v2.1', out)));
  }, 120_000);

  it('writes every file and leaves the source untouched', () => {
    expect(hashTree(root)).toBe(sourceHash);
    expect(result.episodes).toBe(3);
    expect(result.frames).toBe(36);
    expect(result.videos).toBe(6);
    expect(result.skipped).toEqual([]);
    for (const file of [
      'meta/info.json',
      'meta/episodes.jsonl',
      'meta/tasks.jsonl',
      'meta/episodes_stats.jsonl',
      'meta/stats.json',
      'data/chunk-000/episode_000000.parquet',
      'data/chunk-000/episode_000002.parquet',
      'videos/chunk-000/observation.images.scene/episode_000000.mp4',
      'videos/chunk-000/observation.images.wrist/episode_000002.mp4',
    ]) {
      expect(result.files).toContain(file);
      expect(fs.existsSync(path.join(out, file))).toBe(true);
    }
    const onDisk = result.files.reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
    expect(result.bytes).toBe(onDisk);
    expect(progress.at(-1)!.phase).toBe('done');
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['preparing', 'writing', 'encoding', 'finishing']),
    );
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('writes info.json with every required field and feature', () => {
    const info = readJson(path.join(out, 'meta/info.json'));
    expect(info).toMatchObject({
      codebase_version: 'v2.1',
      robot_type: 'galaxea_a1',
      total_episodes: 3,
      total_frames: 36,
      total_tasks: 2,
      total_videos: 6,
      total_chunks: 1,
      chunks_size: 1000,
      fps: 10,
      splits: { train: '0:3' },
      data_path: 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet',
      video_path: 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4',
    });
    const features = info.features as Record<string, Record<string, unknown>>;
    expect(features['observation.state']).toEqual({
      dtype: 'float32',
      shape: [7],
      names: expect.arrayContaining(['gripper_mm']) as unknown,
    });
    expect(features.action).toEqual({ dtype: 'float32', shape: [7], names: fixtures[0]!.header.action.names });
    for (const name of ['frame_index', 'episode_index', 'index', 'task_index']) {
      expect(features[name]).toEqual({ dtype: 'int64', shape: [1], names: null });
    }
    expect(features.timestamp).toEqual({ dtype: 'float32', shape: [1], names: null });
    for (const camera of FIXTURE_CAMERAS) {
      expect(features[`observation.images.${camera.name}`]).toEqual({
        dtype: 'video',
        shape: [camera.heightPx, camera.widthPx, 3],
        names: ['height', 'width', 'channels'],
        info: {
          'video.height': camera.heightPx,
          'video.width': camera.widthPx,
          'video.codec': 'h264',
          'video.pix_fmt': 'yuv420p',
          'video.is_depth_map': false,
          'video.fps': 10,
          'video.channels': 3,
          has_audio: false,
        },
      });
    }
  });

  it('writes episodes, tasks and stats metadata', () => {
    const episodes = readJsonLines(path.join(out, 'meta/episodes.jsonl'));
    expect(episodes).toHaveLength(3);
    expect(episodes[1]).toMatchObject({
      episode_index: 1,
      tasks: ['Stack the cups'],
      length: 15,
      coach_episode_id: 2,
      outcome: 'timeout',
      label: 'bad',
      note: 'dropped it, "twice"\nthen stopped',
      excluded: false,
      strokes: 3,
      model_version: '1.0.0',
      marks: [],
    });
    expect(typeof episodes[1]!.duration_s).toBe('number');
    expect(readJsonLines(path.join(out, 'meta/tasks.jsonl'))).toEqual([
      { task_index: 0, task: 'put the grape in the plate' },
      { task_index: 1, task: 'Stack the cups' },
    ]);
    const episodeStats = readJsonLines(path.join(out, 'meta/episodes_stats.jsonl'));
    expect(episodeStats.map((s) => s.episode_index)).toEqual([0, 1, 2]);
    const stats0 = episodeStats[0]!.stats as Record<string, Record<string, unknown>>;
    const states = fixtures[0]!.steps.map((s) => s.stateRad);
    expect(stats0['observation.state']!.min).toHaveLength(7);
    expect((stats0['observation.state']!.max as number[])[6]).toBeCloseTo(states.at(-1)![6]! * 30, 5);
    expect(stats0['observation.state']!.count).toEqual([12]);
    expect(stats0.frame_index).toMatchObject({ min: [0], max: [11], count: [12] });
    expect(stats0.index!.max).toEqual([11]);
    const image = stats0['observation.images.scene']!;
    expect(image.mean).toHaveLength(3);
    expect((image.mean as number[][][])[0]![0]).toHaveLength(1);
    for (const v of (image.max as number[][][]).flat(2)) expect(v).toBeLessThanOrEqual(1);
    const stats = readJson(path.join(out, 'meta/stats.json')) as Record<string, Record<string, number[]>>;
    for (const key of [
      'action',
      'observation.state',
      'timestamp',
      'frame_index',
      'episode_index',
      'index',
      'task_index',
    ]) {
      expect(Object.keys(stats[key]!).sort()).toEqual(['count', 'max', 'mean', 'min', 'std']);
    }
    expect(stats.index).toMatchObject({ min: [0], max: [35], count: [36] });
    expect(stats.index!.mean![0]).toBeCloseTo(17.5, 9);
    expect(stats.episode_index!.max).toEqual([2]);
  });

  it('writes parquet that hyparquet and DuckDB read back with the right types and values', async () => {
    let index = 0;
    for (const [episodeIndex, fixture] of fixtures.entries()) {
      const file = path.join(out, `data/chunk-000/episode_${String(episodeIndex).padStart(6, '0')}.parquet`);
      const viaHyparquet = await hyparquetRows(file);
      const viaDuck = await duckRows(file);
      expect(viaHyparquet).toHaveLength(fixture.steps.length);
      expect(viaDuck).toHaveLength(fixture.steps.length);
      expect(await duckTypes(file)).toEqual({
        action: 'FLOAT[]',
        'observation.state': 'FLOAT[]',
        timestamp: 'FLOAT',
        frame_index: 'BIGINT',
        episode_index: 'BIGINT',
        index: 'BIGINT',
        task_index: 'BIGINT',
      });
      fixture.steps.forEach((step, k) => {
        const row = viaHyparquet[k]!;
        const expectedState = fixtureStateRad(fixture.header.id, k);
        const state = row['observation.state'] as number[];
        expect(state).toHaveLength(7);
        for (let j = 0; j < 6; j++) expect(state[j]).toBeCloseTo(expectedState[j]!, 5);
        expect(state[6]).toBeCloseTo(expectedState[6]! * 30, 4); // gripper: motor rad × 30 mm/rad
        const action = row.action as number[];
        fixtureAction(fixture.header.id, k, 7).forEach((v, j) => expect(action[j]).toBeCloseTo(v, 5));
        expect(row.timestamp).toBeCloseTo(k / 10, 6);
        expect(row.frame_index).toBe(BigInt(k));
        expect(row.episode_index).toBe(BigInt(episodeIndex));
        expect(row.index).toBe(BigInt(index + k));
        expect(row.task_index).toBe(BigInt(episodeIndex === 1 ? 1 : 0));
        expect(viaDuck[k]!.index).toBe(String(index + k));
        expect((viaDuck[k]!['observation.state'] as number[])[6]).toBeCloseTo(expectedState[6]! * 30, 4);
      });
      index += fixture.steps.length;
      const meta = parquetMetadata(fileArrayBuffer(file));
      expect(meta.key_value_metadata?.some((kv) => kv.key === 'huggingface')).toBe(true);
    }
  });

  it('encodes one mp4 per camera and episode: a frame per row at the dataset fps, showing the right frame', () => {
    for (const [episodeIndex, fixture] of fixtures.entries()) {
      for (const camera of FIXTURE_CAMERAS) {
        const file = path.join(
          out,
          `videos/chunk-000/observation.images.${camera.name}/episode_${String(episodeIndex).padStart(6, '0')}.mp4`,
        );
        const probe = ffprobe(file);
        expect(probe).toMatchObject({
          codec_name: 'h264',
          width: camera.widthPx,
          height: camera.heightPx,
          pix_fmt: 'yuv420p',
          r_frame_rate: '10/1',
          nb_read_frames: String(fixture.steps.length),
        });
      }
    }
    const fixture = fixtures[0]!;
    const pixels = decodedCentrePixels(
      path.join(out, 'videos/chunk-000/observation.images.scene/episode_000000.mp4'),
      96,
      72,
    );
    expect(pixels).toHaveLength(fixture.steps.length);
    fixture.steps.forEach((step, k) => {
      const { r, g, b } = frameColour(fixture.header.id, 'scene', expectedFrame(fixture, 'scene', step.tS));
      const [pr, pg, pb] = pixels[k]!;
      expect(Math.max(Math.abs(pr! - r), Math.abs(pg! - g), Math.abs(pb! - b))).toBeLessThanOrEqual(20);
    });
  });
});

describe('LeRobot v3.0 export', () => {
  let result: ExportResult;
  const out = outPath('v3');

  beforeAll(async () => {
    ({ result } = await runExport(request('lerobot-v3', out)));
  }, 120_000);

  it('writes info.json in the v3 layout', () => {
    expect(result.videos).toBe(2);
    const info = readJson(path.join(out, 'meta/info.json'));
    expect(info).toMatchObject({
      codebase_version: 'v3.0',
      robot_type: 'galaxea_a1',
      total_episodes: 3,
      total_frames: 36,
      total_tasks: 2,
      chunks_size: 1000,
      data_files_size_in_mb: expect.any(Number) as unknown,
      video_files_size_in_mb: expect.any(Number) as unknown,
      fps: 10,
      splits: { train: '0:3' },
      data_path: 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet',
      video_path: 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4',
    });
    const features = info.features as Record<string, Record<string, unknown>>;
    expect(features['observation.state']).toMatchObject({ dtype: 'float32', shape: [7], fps: 10 });
    expect(features.index).toMatchObject({ dtype: 'int64', shape: [1], fps: 10 });
    expect(features['observation.images.wrist']).toMatchObject({ dtype: 'video', shape: [64, 80, 3] });
  });

  it('writes all rows in one data file, read back by hyparquet and DuckDB', async () => {
    const file = path.join(out, 'data/chunk-000/file-000.parquet');
    const viaHyparquet = await hyparquetRows(file);
    const viaDuck = await duckRows(file);
    expect(viaHyparquet).toHaveLength(36);
    expect(viaDuck).toHaveLength(36);
    expect(viaHyparquet.map((r) => Number(r.index))).toEqual(Array.from({ length: 36 }, (_, k) => k));
    expect(viaDuck.map((r) => Number(r.episode_index))).toEqual([
      ...Array<number>(12).fill(0),
      ...Array<number>(15).fill(1),
      ...Array<number>(9).fill(2),
    ]);
    expect((await duckTypes(file))['observation.state']).toBe('FLOAT[]');
  });

  it('writes tasks and episodes metadata whose offsets and timestamps agree with the data and videos', async () => {
    const tasks = await duckRows(path.join(out, 'meta/tasks.parquet'));
    expect(tasks).toEqual([
      { task_index: '0', task: 'put the grape in the plate' },
      { task_index: '1', task: 'Stack the cups' },
    ]);
    const file = path.join(out, 'meta/episodes/chunk-000/file-000.parquet');
    const episodes = await hyparquetRows(file);
    expect(await duckRows(file)).toHaveLength(3);
    const lengths = [12, 15, 9];
    let from = 0;
    episodes.forEach((e, i) => {
      expect(e.episode_index).toBe(BigInt(i));
      expect(e.length).toBe(BigInt(lengths[i]!));
      expect(e['data/chunk_index']).toBe(0n);
      expect(e['data/file_index']).toBe(0n);
      expect(e.dataset_from_index).toBe(BigInt(from));
      expect(e.dataset_to_index).toBe(BigInt(from + lengths[i]!));
      for (const camera of ['scene', 'wrist']) {
        const key = `videos/observation.images.${camera}`;
        expect(e[`${key}/chunk_index`]).toBe(0n);
        expect(e[`${key}/file_index`]).toBe(0n);
        expect(e[`${key}/from_timestamp`]).toBeCloseTo(from / 10, 9);
        expect(e[`${key}/to_timestamp`]).toBeCloseTo((from + lengths[i]!) / 10, 9);
      }
      expect(e.coach_episode_id).toBe(BigInt(fixtures[i]!.header.id));
      expect(e['stats/observation.state/count']).toEqual([BigInt(lengths[i]!)]);
      expect(e['stats/index/min']).toEqual([from]);
      expect(e['stats/action/q50']).toHaveLength(7);
      expect((e['stats/observation.images.scene/mean'] as number[][][]).flat(2)).toHaveLength(3);
      from += lengths[i]!;
    });
    expect(episodes[1]!.tasks).toEqual(['Stack the cups']);
    expect(episodes[1]!.label).toBe('bad');
    expect(episodes[0]!.outcome).toBe('success');
    expect(episodes[2]!.label).toBeNull();
    const data = await hyparquetRows(path.join(out, 'data/chunk-000/file-000.parquet'));
    for (const e of episodes) {
      const rows = data.slice(Number(e.dataset_from_index), Number(e.dataset_to_index));
      expect(rows.every((r) => r.episode_index === e.episode_index)).toBe(true);
    }
  });

  it('concatenates each camera into one mp4 whose frames and duration cover every row', () => {
    for (const camera of FIXTURE_CAMERAS) {
      const file = path.join(out, `videos/observation.images.${camera.name}/chunk-000/file-000.mp4`);
      expect(ffprobe(file)).toMatchObject({
        codec_name: 'h264',
        width: camera.widthPx,
        height: camera.heightPx,
        r_frame_rate: '10/1',
        nb_read_frames: '36',
      });
    }
    const pixels = decodedCentrePixels(
      path.join(out, 'videos/observation.images.wrist/chunk-000/file-000.mp4'),
      80,
      64,
    );
    const second = fixtures[1]!;
    second.steps.forEach((step, k) => {
      const { r, g, b } = frameColour(second.header.id, 'wrist', expectedFrame(second, 'wrist', step.tS));
      const [pr, pg, pb] = pixels[12 + k]!;
      expect(Math.max(Math.abs(pr! - r), Math.abs(pg! - g), Math.abs(pb! - b))).toBeLessThanOrEqual(20);
    });
  });

  it('writes stats.json with quantiles', () => {
    const stats = readJson(path.join(out, 'meta/stats.json')) as Record<string, Record<string, unknown>>;
    for (const key of ['action', 'observation.state', 'index', 'observation.images.scene']) {
      expect(Object.keys(stats[key]!).sort()).toEqual(
        ['count', 'max', 'mean', 'min', 'q01', 'q10', 'q50', 'q90', 'q99', 'std'].sort(),
      );
    }
    expect(stats.index!.q50).toEqual([17.5]);
    expect(stats.index!.count).toEqual([36]);
  });
});

describe('jsonl export', () => {
  it('writes one line per step and a properly quoted episodes.csv', async () => {
    const out = outPath('jsonl');
    const { result } = await runExport(request('jsonl', out));
    expect(result.files.sort()).toEqual(['episodes.csv', 'steps.jsonl']);
    const lines = readJsonLines(path.join(out, 'steps.jsonl'));
    expect(lines).toHaveLength(36);
    expect(lines[12]).toMatchObject({
      episode_id: 2,
      task: 'Stack the cups',
      i: 0,
      t_s: fixtures[1]!.steps[0]!.tS,
      stroke: 0,
      action: fixtures[1]!.steps[0]!.action,
      state_rad: fixtures[1]!.steps[0]!.stateRad,
    });
    const csv = fs.readFileSync(path.join(out, 'episodes.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'id,task,outcome,label,strokes,duration_s,model_version,started_at,note,excluded',
    );
    expect(csv).toContain(',"dropped it, ""twice""\nthen stopped",false\r\n');
    expect(csv).toContain(`1,put the grape in the plate,success,good,3,`);
    expect(csv).toContain(new Date(fixtures[0]!.summary.startedAtMs).toISOString());
  });
});

describe('AV1', () => {
  it('encodes AV1 when ffmpeg has an encoder, and refuses AV1 in words when it has none', async () => {
    const codecs = await videoCodecs();
    expect(codecs.ffmpeg).toBe(true);
    expect(codecs.h264).toBe(true);
    const out = outPath('av1');
    if (!codecs.av1) {
      await expect(
        runExport(request('lerobot-v2.1', out, { videoCodec: 'av1' }), fixtures.slice(0, 1)),
      ).rejects.toThrow(/has no AV1 encoder .*export with H\.264/);
      expect(fs.existsSync(out)).toBe(false);
      return;
    }
    const { result } = await runExport(request('lerobot-v2.1', out, { videoCodec: 'av1' }), fixtures.slice(0, 1));
    expect(result.videos).toBe(2);
    const probe = ffprobe(path.join(out, 'videos/chunk-000/observation.images.scene/episode_000000.mp4'));
    expect(probe).toMatchObject({ codec_name: 'av1', nb_read_frames: '12', r_frame_rate: '10/1', pix_fmt: 'yuv420p' });
    expect(
      (readJson(path.join(out, 'meta/info.json')).features as Record<string, { info?: object }>)[
        'observation.images.scene'
      ]!.info,
    ).toMatchObject({ 'video.codec': 'av1' });
  }, 60_000);

  it('reports a missing ffmpeg as such', async () => {
    const codecs = await videoCodecs('/nonexistent/ffmpeg');
    expect(codecs).toMatchObject({ ffmpeg: false, h264: false, av1: false });
    const out = outPath('no-ffmpeg');
    await expect(
      exportEpisodes({ episodes: inputs(), request: request('lerobot-v3', out), ffmpegPath: '/nonexistent/ffmpeg' }),
    ).rejects.toThrow(/cannot run ffmpeg \(\/nonexistent\/ffmpeg\)/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('bad inputs', () => {
  it('refuses an output folder that is not empty', async () => {
    const out = outPath('not-empty');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const err = await runExport(request('jsonl', out)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as Error).message).toMatch(/export folder .*not-empty is not empty .*choose an empty or new folder/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });

  it('refuses an output path under a file', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(runExport(request('jsonl', path.join(file, 'out')))).rejects.toThrow(/is a file, not a folder/);
  });

  it('refuses a read-only output folder', async () => {
    let out: string;
    let io: ExportIo | undefined;
    if (process.getuid?.() === 0) {
      // chmod does not stop root; /sys refuses new entries even to root in a container.
      out = '/sys/coach-export-test';
      try {
        fs.mkdirSync(out);
        fs.rmdirSync(out);
        // /sys is writable here: the writes fail as a read-only folder fails them for other users.
        out = outPath('read-only');
        io = {
          writeFile: () =>
            Promise.reject(Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' })),
        };
      } catch {
        /* read-only, as wanted */
      }
    } else {
      const parent = outPath('read-only');
      fs.mkdirSync(parent, { recursive: true });
      fs.chmodSync(parent, 0o555);
      out = path.join(parent, 'out');
    }
    const err = await runExport(request('jsonl', out), fixtures, io ? { io } : {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as Error).message).toMatch(/cannot write .*coach-export-test|cannot write .*read-only/);
    expect((err as Error).message).toMatch(/read-only/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('removes its partial output and says the disk is full when a write fails with ENOSPC', async () => {
    const before = hashTree(root);
    let writes = 0;
    const io: ExportIo = {
      writeFile: async (file, data) => {
        if (++writes > 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        await fs.promises.writeFile(file, data);
      },
    };
    const out = outPath('disk-full');
    const { progressEvents, err } = await (async () => {
      const progressEvents: ExportProgress[] = [];
      const err = await exportEpisodes({
        episodes: inputs(),
        request: request('lerobot-v2.1', out),
        onProgress: (p) => progressEvents.push(p),
        io,
      }).catch((e: unknown) => e);
      return { progressEvents, err };
    })();
    expect(writes).toBe(3);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as Error).message).toMatch(
      /the disk is full while writing .*disk-full.*episode_000002\.parquet: free space or choose another folder/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(progressEvents.at(-1)).toMatchObject({ phase: 'failed', message: (err as Error).message });
    expect(hashTree(root)).toBe(before);

    // An existing empty folder is kept, emptied.
    fs.mkdirSync(out, { recursive: true });
    writes = 0;
    await expect(exportEpisodes({ episodes: inputs(), request: request('lerobot-v3', out), io })).rejects.toThrow(
      /the disk is full/,
    );
    expect(fs.readdirSync(out)).toEqual([]);
    expect(hashTree(root)).toBe(before);
  }, 60_000);

  it('skips an episode with a missing frame file, naming the camera and file', async () => {
    const extraRoot = path.join(tmp, 'missing-frame');
    const broken = await writeFixtureEpisode(extraRoot, { id: 9, steps: 6 });
    const gone = broken.frames.wrist![3]!.file;
    fs.rmSync(path.join(broken.dir, 'cameras', 'wrist', gone));
    const empty = await writeFixtureEpisode(extraRoot, { id: 10, steps: 0 });
    const out = outPath('missing-frame');
    const { result } = await runExport(request('lerobot-v2.1', out), [fixtures[0]!, broken, empty]);
    expect(result.episodes).toBe(1);
    expect(result.skipped).toHaveLength(2);
    expect(result.skipped[0]!.id).toBe(9);
    expect(result.skipped[0]!.reason).toMatch(/camera wrist: frame file .*000009.*wrist.*000003\.jpg is missing/);
    expect(result.skipped[1]).toEqual({ id: 10, reason: expect.stringMatching(/no executed steps/) as unknown });
    expect(readJson(path.join(out, 'meta/info.json')).total_episodes).toBe(1);

    const none = outPath('nothing-left');
    await expect(runExport(request('lerobot-v3', none), [broken, empty])).rejects.toThrow(
      /nothing to export: every episode was skipped \(episode 9: camera wrist: .*; episode 10: .*no executed steps/,
    );
    expect(fs.existsSync(none)).toBe(false);
  });

  it('refuses episodes that do not share fps, action size and cameras, naming them', async () => {
    const odd = await writeFixtureEpisode(path.join(tmp, 'odd'), { id: 11, steps: 5, controlRateHz: 5 });
    const out = outPath('mixed');
    await expect(runExport(request('lerobot-v2.1', out), [fixtures[0]!, odd])).rejects.toThrow(
      /episode 1 has 10 Hz, 7 action dims, cameras \[scene, wrist\], but episodes 11 differ/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('cancels mid-export: stops ffmpeg, removes the partial output, reports cancelled', async () => {
    const out = outPath('cancel');
    const abort = new AbortController();
    const progressEvents: ExportProgress[] = [];
    const err = await exportEpisodes({
      episodes: inputs(),
      request: request('lerobot-v3', out),
      signal: abort.signal,
      onProgress: (p) => {
        progressEvents.push(p);
        if (p.phase === 'encoding') setTimeout(() => abort.abort(), 5);
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportCancelledError);
    expect(progressEvents.some((p) => p.phase === 'encoding')).toBe(true);
    expect(progressEvents.at(-1)!.phase).toBe('cancelled');
    expect(fs.existsSync(out)).toBe(false);
    const children = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    expect(children).not.toMatch(/ffmpeg/);
    // Nothing is left writing into the removed folder afterwards.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(out)).toBe(false);
  });
});
