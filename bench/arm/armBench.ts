// Arm benchmarks: hold latency (contract call → hold frames at the simulated firmware), codec throughput,
// and control-tick jitter at 200 Hz. Run: npm run bench:arm [-- --trials N --jitter-seconds S]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createCoach } from '../../src/main/coach';
import { startHeadlessHost } from '../../src/main/host/headlessHost';
import { createWsBridge, type WebSocketLike } from '../../src/shared/contract/wsBridge';
import type { CoachContract } from '../../src/shared/contract/api';
import { encodeJointCommand, FrameReader, type JointCommand } from '../../src/shared/robot/wire';
import { formatMsSummary } from '../stats';
import { wallClockMs, type CommandBatchArrival } from '../../src/main/robot/runtime/armRuntimeProtocol';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    'jitter-seconds': { type: 'string', default: '10' },
  },
});
const trials = Number(values.trials);
const jitterSeconds = Number(values['jitter-seconds']);

function codecThroughput(): string[] {
  const commands: JointCommand[] = Array.from({ length: 7 }, (_, i) => ({
    motorId: i + 1,
    posRad: 0.1 * i,
    velRadS: 0.5,
    tauNm: 0,
    kp: 20,
    kd: 1,
  }));
  const sets = 100_000;
  let started = performance.now();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < sets; i += 1) for (const command of commands) frames.push(encodeJointCommand(command));
  const encodeS = (performance.now() - started) / 1000;
  const stream = new Uint8Array(frames.length * 17);
  frames.forEach((frame, i) => stream.set(frame, i * 17));
  const reader = new FrameReader();
  started = performance.now();
  let decoded = 0;
  for (let at = 0; at < stream.length; at += 4096) decoded += reader.push(stream.subarray(at, at + 4096)).length;
  const decodeS = (performance.now() - started) / 1000;
  return [
    `codec: encode ${(frames.length / encodeS / 1e6).toFixed(2)} M frames/s (clamp + CRC), ` +
      `decode ${(decoded / decodeS / 1e6).toFixed(2)} M frames/s (resyncing reader + CRC), ${decoded} frames`,
  ];
}

async function holdLatency(transport: 'in-process' | 'pty'): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-'));
  const coach = createCoach({ dataDir, host: 'cli', arm: { autoConnect: false } });
  await coach.arm.connect({ kind: 'sim', transport, feedbackRateHz: 200 });
  while (coach.arm.state().link?.state !== 'up') await new Promise((resolve) => setTimeout(resolve, 20));
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const host = await startHeadlessHost({ server: coach.server, rendererDir, port: 0 });
  const bridge = createWsBridge<CoachContract>({
    url: `ws://127.0.0.1:${host.port}/ws?token=${host.token}`,
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
  while (bridge.connectionState() !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));

  // Stop the control loop so that only hold() writes frames: the first full command set at the firmware is the hold.
  const arm = coach.arm;
  const samples: number[] = [];
  const toRuntime: number[] = [];
  const onWire: number[] = [];
  await arm.setControlLoop(false);
  for (let i = 0; i < trials; i += 1) {
    await arm.release();
    const arrived = arm.sim<CommandBatchArrival>({ kind: 'nextCommandBatch' });
    // Holds arrive at random moments, not right on the heels of the benchmark's own release.
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 3));
    const sentAt = wallClockMs();
    const reply = bridge.call('arm.hold', {});
    const { arrivedAtMs, lastHoldWrittenAtMs } = await arrived;
    samples.push(arrivedAtMs - sentAt);
    toRuntime.push(lastHoldWrittenAtMs - sentAt);
    onWire.push(arrivedAtMs - lastHoldWrittenAtMs);
    await reply;
  }
  bridge.close();
  await host.close();
  await coach.close();
  const label = `hold latency, WebSocket → arm process → ${transport === 'pty' ? 'serialport → socat pty' : 'in-process sim'}`;
  return [
    formatMsSummary(label, samples, 5),
    formatMsSummary('  of which: call → hold frames written by the runtime', toRuntime),
    formatMsSummary('  of which: written → whole set at the firmware', onWire),
  ].join('\n');
}

async function tickJitter(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-'));
  const coach = createCoach({ dataDir, host: 'cli', arm: { autoConnect: false } });
  await coach.arm.connect({ kind: 'sim', transport: 'in-process', feedbackRateHz: 200 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await coach.arm.tickerStats(true);
  await new Promise((resolve) => setTimeout(resolve, jitterSeconds * 1000));
  const stats = await coach.arm.tickerStats(true);
  await coach.close();
  return `${formatMsSummary(`control tick lateness at ${stats.rateHz} Hz (sim + link running)`, stats.latenessMs, 2)}  overruns ${stats.overruns}`;
}

async function main(): Promise<void> {
  console.log(
    `Coach arm benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}`,
  );
  for (const line of codecThroughput()) console.log(line);
  console.log(await holdLatency('in-process'));
  console.log(await holdLatency('pty'));
  console.log(await tickJitter());
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
