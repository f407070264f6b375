// Camera streaming benchmark: three 640×480 cameras at 30 fps from the simulated bench to a display
// client (its own process) through the headless host. Prints delivered fps and display latency per
// camera, the main process's CPU, and the arm's 200 Hz tick lateness while the streams run.
// Run: npm run bench:streams [-- --seconds S]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCoach } from '../../src/main/coach';
import { startHeadlessHost } from '../../src/main/host/headlessHost';
import { formatMsSummary } from '../stats';
import { describePriority } from '../../src/main/system/processPriority';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, moving: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);
const root = path.join(__dirname, '../..');

async function main(): Promise<void> {
  const coach = createCoach({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-')), host: 'cli' });
  await coach.ready;
  coach.cameras.add('scene-b', { kind: 'sim', view: 'scene' });
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const host = await startHeadlessHost({ server: coach.server, rendererDir, port: 0 });
  const cameras = ['scene', 'wrist', 'scene-b'];
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // --moving: the base joint sways ±0.15 rad so every frame differs and every view is drawn anew.
  let sway: NodeJS.Timeout | null = null;
  if (values.moving) {
    await coach.arm.enable();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const base = coach.arm.state().joints[0]!.posRad;
    let phase = 0;
    sway = setInterval(() => {
      phase += 0.1;
      void coach.arm.move([base + 0.15 * Math.sin(phase), null, null, null, null, null, null]).catch(() => {});
    }, 50);
  }

  const client = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('tsx/cjs'),
      path.join(__dirname, 'streamClient.ts'),
      `ws://127.0.0.1:${host.port}/ws?token=${host.token}`,
      cameras.join(','),
      String(seconds),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  client.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Measure over the client's window (it warms up for 2 s first).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await coach.arm.tickerStats(true);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((resolve) => client.once('exit', resolve));
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  const ticks = await coach.arm.tickerStats(true);
  if (sway) clearInterval(sway);

  const report = JSON.parse(output) as Record<string, { fps: number; p50: number; p95: number; kib: number }>;
  console.log(
    `camera streams, arm ${values.moving ? 'moving (every frame drawn anew)' : 'still (unchanged views reused)'} — ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}, ${seconds} s`,
  );
  for (const [camera, r] of Object.entries(report)) {
    const fpsVerdict = r.fps >= 29 ? 'met' : 'MISSED';
    const latencyVerdict = r.p95 <= 50 ? 'met' : 'MISSED';
    console.log(
      `${camera.padEnd(8)} delivered ${(r.fps ?? 0).toFixed(1)} fps (budget ≥ 29: ${fpsVerdict})  display latency p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms (budget ≤ 50: ${latencyVerdict})  ${r.kib.toFixed(0)} KiB/frame`,
    );
  }
  console.log(
    `main process CPU ${((100 * (cpu.user + cpu.system)) / 1000 / wallMs).toFixed(0)} % of one core (all its threads: host, frame bus, and the drawing worker)`,
  );
  for (const [camera, samples] of coach.cameras.simRenderTimesMs()) {
    console.log(formatMsSummary(`drawn anew + JPEG in the worker, ${camera}`, samples));
  }
  console.log(
    `${formatMsSummary('arm control tick lateness at 200 Hz while streaming', ticks.latenessMs, 2)}  overruns ${ticks.overruns}`,
  );
  const priority = await coach.arm.priority;
  console.log(`arm control process scheduling: ${priority ? describePriority(priority) : 'in this process'}`);
  await host.close();
  await coach.close();
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
