// Episodes benchmark.
// 1. Recording: two 224×224 cameras at 30 fps (ffmpeg file sources) plus the arm's 200 Hz samples,
//    while the runner drives the sim with the test policy: recorded fps, dropped frames, state rate,
//    and the arm's control-tick lateness meanwhile.
// 2. Export: a 20 s manual recording with both cameras, cloned into 100 episodes, exported to
//    LeRobot v2.1, LeRobot v3.0 and JSONL: episodes/min and frames/s encoded.
// Run: npm run bench:episodes [-- --seconds S --episodes N --formats lerobot-v2.1,lerobot-v3,jsonl]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCoach, type Coach } from '../../src/main/coach';
import { exportEpisodes } from '../../src/main/episodes/export/exportEpisodes';
import { selectExportEpisodes } from '../../src/main/episodes/exportSelection';
import { EpisodeReader } from '../../src/main/episodes/store/episodeReader';
import { HEADER_FILE, episodeDir } from '../../src/main/episodes/store/episodeFormat';
import { EXPORT_FORMATS, type ExportFormat } from '../../src/shared/episodes/episodeTypes';
import { formatMsSummary } from '../stats';
import { SIM_START_RAD } from '../../src/main/robot/runtime/armRuntime';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    episodes: { type: 'string', default: '100' },
    formats: { type: 'string', default: EXPORT_FORMATS.join(',') },
  },
});
const recordSeconds = Number(values.seconds);
const exportEpisodeCount = Number(values.episodes);
const formats = values.formats.split(',') as ExportFormat[];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 224×224 30 fps test video (moving pattern), what a file camera replays in a loop. */
function testVideo(dir: string, name: string, pattern: string): string {
  const file = path.join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `${pattern}=size=224x224:rate=30`,
    '-t',
    '10',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    file,
  ]);
  return file;
}

async function waitLive(coach: Coach, names: string[]): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const live = coach.cameras.list().filter((camera) => names.includes(camera.name) && camera.fps > 25);
    if (live.length === names.length) return;
    await sleep(100);
  }
  throw new Error(`cameras ${names.join(', ')} did not reach 25 fps`);
}

/** Drives the arm back to the sim's start pose in small steps (the governor refuses big ones). */
async function moveToStart(coach: Coach): Promise<void> {
  await coach.server.call('settings.update', { recording: { enabled: false } });
  if (coach.arm.state().governor.holdLatched) await coach.arm.release();
  await coach.arm.enable();
  for (let i = 0; i < 200; i += 1) {
    const now = coach.arm.state().joints.map((joint) => joint.posRad);
    const gaps = SIM_START_RAD.map((target, j) => target - now[j]!);
    if (gaps.every((gap) => Math.abs(gap) < 0.01)) break;
    await coach.arm.move(now.map((value, j) => value + Math.max(-0.2, Math.min(0.2, gaps[j]!)))).catch(() => {});
    await sleep(60);
  }
  await coach.server.call('settings.update', { recording: { enabled: true } });
}

async function recordingBench(coach: Coach): Promise<number> {
  console.log(
    `\n1. recording while the runner runs: two 224×224 file cameras at 30 fps + 200 Hz arm samples, ${recordSeconds} s`,
  );
  const ids: number[] = [];
  const busDrops: Record<string, number> = {};
  const busyDrops: Record<string, number> = {};
  coach.episodes.eventsTopic.subscribe((event) => {
    if (event.kind === 'recorded') ids.push(event.ids[0]!);
  });
  await coach.arm.tickerStats(true);
  const until = Date.now() + recordSeconds * 1000;
  let seed = 1;
  // The untrained policy's attempts end on their own (refused near the table): run them back to back,
  // driving the arm back to its start pose in between (not recorded: recording is off meanwhile).
  while (Date.now() < until) {
    await moveToStart(coach);
    coach.runner.start('put the grape in the plate', {
      seed: seed++,
      timeoutS: Math.max(1, (until - Date.now()) / 1000),
      maxStrokes: 10_000,
    });
    await coach.runner.finished();
    await coach.episodes.recorder.settled();
    for (const [camera, drops] of Object.entries(coach.episodes.recorder.lastBusDrops))
      busyDrops[camera] = (busyDrops[camera] ?? 0) + drops;
    for (const [camera, drops] of Object.entries(coach.episodes.recorder.lastDrops))
      busDrops[camera] = (busDrops[camera] ?? 0) + drops;
  }
  const ticks = await coach.arm.tickerStats(true);
  await coach.episodes.recorder.settled();
  let totalDrops = 0;
  let longest = ids[0]!;
  for (const id of ids) {
    const episode = coach.episodes.get(id);
    const reader = await EpisodeReader.open(episodeDir(coach.episodes.root, id), id);
    const state = await reader.state();
    const stateHz = state.length > 1 ? state.length / (state.at(-1)!.tS - state[0]!.tS) : 0;
    const perCamera: string[] = [];
    for (const camera of reader.cameraNames) {
      const index = await reader.frameIndex(camera);
      const spanS = index.at(-1)!.tS - index[0]!.tS;
      const seqGaps = index.slice(1).reduce((gaps, frame, i) => gaps + (frame.seq - index[i]!.seq - 1), 0);
      totalDrops += seqGaps;
      perCamera.push(`${camera} ${index.length} frames ${(index.length / spanS).toFixed(1)} fps, ${seqGaps} skipped`);
    }
    if (episode.durationS > coach.episodes.get(longest).durationS) longest = id;
    console.log(
      `  episode ${id}: ${episode.durationS.toFixed(1)} s, ${episode.outcome}, ${episode.steps} steps, state ${stateHz.toFixed(0)} Hz; ${perCamera.join('; ')}`,
    );
  }
  console.log(
    `  frames the recorder did not keep, all episodes: ${JSON.stringify(busDrops)} (of which the recorder was busy: ${JSON.stringify(busyDrops)})`,
  );
  console.log(
    `  frames the recorder skipped (source seq gaps, all episodes): ${totalDrops} (budget 0: ${totalDrops === 0 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  ${formatMsSummary('arm control tick lateness at 200 Hz while recording', ticks.latenessMs, 2)}  overruns ${ticks.overruns}`,
  );
  return longest;
}

/** A 20 s manual session with both cameras and the base joint swaying. */
async function recordTemplate(coach: Coach): Promise<number> {
  await coach.arm.enable();
  const base = coach.arm.state().joints[0]!.posRad;
  const episode = coach.episodes.startManual('move the soda bottle near the bowl');
  let phase = 0;
  const sway = setInterval(() => {
    phase += 0.05;
    void coach.arm.move([base + 0.15 * Math.sin(phase), null, null, null, null, null, null]).catch(() => {});
  }, 50);
  await sleep(20_000);
  clearInterval(sway);
  await coach.episodes.stopManual();
  return episode.id;
}

/** Copies one recorded episode into `count` catalog entries (new ids, same payload). */
function cloneEpisodes(coach: Coach, templateId: number, count: number): number[] {
  const template = coach.episodes.get(templateId);
  const source = episodeDir(coach.episodes.root, templateId);
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = coach.episodes.catalog.insert({
      kind: template.kind,
      instruction: template.instruction,
      startedAtMs: template.startedAtMs + (i + 1) * 60_000,
      cameras: template.cameras,
      modelName: template.modelName,
      modelVersion: template.modelVersion,
      link: template.link,
      seed: template.seed,
    });
    const target = episodeDir(coach.episodes.root, id);
    fs.cpSync(source, target, { recursive: true });
    const headerFile = path.join(target, HEADER_FILE);
    fs.writeFileSync(headerFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(headerFile, 'utf8')), id }, null, 2));
    coach.episodes.catalog.finish(id, {
      status: 'complete',
      outcome: template.outcome ?? 'manual',
      reason: template.reason,
      durationS: template.durationS,
      strokes: template.strokes,
      steps: template.steps,
      frames: template.frames,
    });
    ids.push(id);
  }
  return ids;
}

async function exportBench(coach: Coach): Promise<void> {
  console.log(`\n2. export: a 20 s manual recording (two 224×224 cameras) cloned into ${exportEpisodeCount} episodes`);
  const templateId = await recordTemplate(coach);
  const template = coach.episodes.get(templateId);
  console.log(
    `  template episode ${templateId}: ${template.durationS.toFixed(1)} s, ${template.steps} steps, ${template.frames} frames`,
  );
  const ids = cloneEpisodes(coach, templateId, exportEpisodeCount);
  const { episodes } = selectExportEpisodes(coach.episodes.catalog, coach.episodes.root, { ids });
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-export-'));
  for (const format of formats) {
    const outDir = path.join(outRoot, format);
    const startedMs = performance.now();
    const result = await exportEpisodes({
      episodes,
      request: { format, outDir, filter: { ids }, videoCodec: 'h264', robotType: 'galaxea_a1' },
    });
    const seconds = (performance.now() - startedMs) / 1000;
    const encoded =
      result.videos > 0
        ? `, ${((result.frames * template.cameras.length) / seconds).toFixed(0)} video frames/s encoded`
        : '';
    console.log(
      `  ${format.padEnd(13)} ${result.episodes} episodes, ${result.frames} rows, ${result.videos} videos, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s: ` +
        `${((result.episodes / seconds) * 60).toFixed(0)} episodes/min${encoded}`,
    );
  }
  fs.rmSync(outRoot, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-episodes-'));
  const videos = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-videos-'));
  const coach = createCoach({ dataDir, host: 'cli' });
  await coach.ready;
  const cams = ['cam-a', 'cam-b'];
  coach.cameras.add('cam-a', {
    kind: 'file',
    path: testVideo(videos, 'a', 'testsrc2'),
    loop: true,
    widthPx: 224,
    heightPx: 224,
  });
  coach.cameras.add('cam-b', {
    kind: 'file',
    path: testVideo(videos, 'b', 'smptebars'),
    loop: true,
    widthPx: 224,
    heightPx: 224,
  });
  await coach.server.call('settings.update', { recording: { cameras: cams, fps: 30 } });
  await waitLive(coach, cams);
  console.log(
    `Coach episodes benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}`,
  );
  if (!values.formats || formats.length) await recordingBench(coach);
  if (exportEpisodeCount > 0) await exportBench(coach);
  await coach.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(videos, { recursive: true, force: true });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
