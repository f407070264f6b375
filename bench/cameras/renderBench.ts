// Synthetic camera benchmark: time to draw one frame (renderCamera, no encoding) and to produce the
// policy's 224×224 RGB input, for the scene and wrist cameras. Run: npm run bench:cameras [-- --frames N]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateScene } from '../../src/shared/sim/world';
import { loadArmChain } from '../../src/main/robot/urdf/loadUrdf';
import { renderCamera, renderToPng, renderToRgb } from '../../src/main/sim/render/sceneRenderer';
import { percentile, summarize } from '../stats';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '200' } } });
const frames = Number(values.frames);
if (!Number.isInteger(frames) || frames < 1)
  throw new Error(`--frames must be a positive whole number, got "${values.frames}"`);

const chain = loadArmChain(path.join(__dirname, '../..'));
const snapshot = generateScene(7, { instruction: 'put the grape in the plate', distractors: 3 });

function time(label: string, render: (frame: number) => unknown): void {
  for (let i = 0; i < 10; i += 1) render(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < frames; i += 1) {
    const started = performance.now();
    render(i);
    samples.push(performance.now() - started);
  }
  const s = summarize(samples);
  const p95 = percentile(
    [...samples].sort((a, b) => a - b),
    95,
  );
  console.log(
    `${label.padEnd(40)} n=${s.n}  mean ${s.mean.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  max ${s.max.toFixed(2)} ms`,
  );
}

// The arm sways a little from frame to frame so nothing can be cached between frames.
const posed = (frame: number) => ({
  ...snapshot,
  armQRad: snapshot.armQRad.map((q, joint) => q + 0.05 * Math.sin(frame * 0.1 + joint)),
});

console.log(`synthetic cameras, ${frames} frames each (Node ${process.version})`);
for (const camera of ['scene', 'wrist']) {
  time(`${camera} 224×224 draw`, (frame) => renderCamera(posed(frame), chain, camera, 224, 224));
  time(`${camera} 224×224 RGB (policy input)`, (frame) => renderToRgb(posed(frame), chain, camera));
  time(`${camera} 640×480 draw`, (frame) => renderCamera(posed(frame), chain, camera, 640, 480));
  time(`${camera} 640×480 draw + PNG`, (frame) => renderToPng(posed(frame), chain, camera, 640, 480));
}
