import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int, ints, OnnxGraphBuilder } from '../../../../src/main/policy/testPackage/onnxBuilder';
import { writeTestWorldModelPackage } from '../../../../src/main/worldModel/testWorldModel';
import { loadWorldModelPackage } from '../../../../src/main/worldModel/worldModelPackage';
import { WorldModelRuntime, type WmObservation } from '../../../../src/main/worldModel/worldModelRuntime';

const LATENT = 32;
const CHUNK = 5;
const DIMS = 7;
const SCALE = [0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 1];

let root: string;
let runtime: WorldModelRuntime;
/** The encoder reads the instruction and the arm's state too. */
let full: WorldModelRuntime;

/** A deterministic picture: a gradient shifted by `shift`. */
function picture(widthPx: number, heightPx: number, shift: number): Uint8Array {
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  for (let i = 0; i < rgb.length; i += 1) rgb[i] = (i * 7 + shift * 31 + ((i / 3) % widthPx)) % 256;
  return rgb;
}

function observation(
  shift: number,
  widthPx = 64,
  heightPx = 48,
  instruction = 'put the grape in the plate',
): WmObservation {
  return {
    rgb: picture(widthPx, heightPx, shift),
    widthPx,
    heightPx,
    instruction,
    robotState: [0.1 * shift, -0.2, 0.3, 0, 0.5, -0.1, 0.8],
  };
}

/** A physical chunk: actions within the scales (±1 cm, ±0.05 rad, gripper 0…1). */
function chunk(seed: number): Float32Array {
  const values = new Float32Array(CHUNK * DIMS);
  for (let i = 0; i < values.length; i += 1) values[i] = Math.sin(seed * 1.7 + i * 0.9) * SCALE[i % DIMS]!;
  return values;
}

const maxDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-wm-runtime-'));
  await writeTestWorldModelPackage(path.join(root, 'plain'), { latentSize: LATENT, seed: 5 });
  await writeTestWorldModelPackage(path.join(root, 'full'), {
    latentSize: LATENT,
    seed: 6,
    withInstruction: true,
    withRobotState: true,
  });
  runtime = await WorldModelRuntime.load(await loadWorldModelPackage(path.join(root, 'plain')));
  full = await WorldModelRuntime.load(await loadWorldModelPackage(path.join(root, 'full')), { providers: ['cpu'] });
});

afterAll(async () => {
  await runtime?.release();
  await full?.release();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('WorldModelRuntime.encode', () => {
  it('says which provider runs it', () => {
    expect(['cpu', 'cuda']).toContain(runtime.provider);
    expect(full.provider).toBe('cpu');
  });

  it('gives latent.size finite floats per observation', async () => {
    const [latent] = await runtime.encode([observation(1)]);
    expect(latent).toBeInstanceOf(Float32Array);
    expect(latent!.length).toBe(LATENT);
    expect(latent!.every(Number.isFinite)).toBe(true);
    expect(await runtime.encode([])).toEqual([]);
  });

  it('batched equals one by one, pictures of other sizes resized first', async () => {
    const observations = [observation(1), observation(2, 128, 96), observation(3, 50, 40)];
    const batched = await runtime.encode(observations);
    expect(batched).toHaveLength(3);
    for (const [i, item] of observations.entries()) {
      const [alone] = await runtime.encode([item]);
      expect(maxDifference(batched[i]!, alone!)).toBeLessThan(1e-5);
    }
    expect(maxDifference(batched[0]!, batched[1]!)).toBeGreaterThan(1e-3);
  });

  it('reads the instruction and the arm state when the encoder takes them', async () => {
    const [base, sameAgain, otherText, otherState] = await full.encode([
      observation(1),
      observation(1),
      observation(1, 64, 48, 'pick up the banana'),
      { ...observation(1), robotState: [0, 0, 0, 0, 0, 0, 0] },
    ]);
    expect(maxDifference(base!, sameAgain!)).toBe(0);
    expect(maxDifference(base!, otherText!)).toBeGreaterThan(1e-4);
    expect(maxDifference(base!, otherState!)).toBeGreaterThan(1e-4);
    const batched = await full.encode([observation(2, 64, 48, 'move the cup'), observation(3)]);
    const [alone] = await full.encode([observation(2, 64, 48, 'move the cup')]);
    expect(maxDifference(batched[0]!, alone!)).toBeLessThan(1e-5);
  });

  it('refuses a picture or an arm state of the wrong size, saying what it needs', async () => {
    const short = { ...observation(1), rgb: new Uint8Array(100) };
    await expect(runtime.encode([observation(0), short])).rejects.toThrow(
      'observation 1: an RGB picture of 64×48 needs 9216 bytes (width × height × 3), got 100',
    );
    await expect(full.encode([{ ...observation(1), robotState: [1, 2, 3] }])).rejects.toThrow(
      "observation 0: this world model needs the arm's state (7 finite numbers: six joints and the gripper), got [1, 2, 3]",
    );
    // The plain encoder does not read the state: any is fine.
    await expect(runtime.encode([{ ...observation(1), robotState: [] }])).resolves.toHaveLength(1);
  });
});

describe('WorldModelRuntime with graphs exported for a batch of 1', () => {
  it('runs them one item at a time', async () => {
    const dir = path.join(root, 'static-batch');
    fs.cpSync(path.join(root, 'plain'), dir, { recursive: true });
    const g = new OnnxGraphBuilder('static_batch_encoder', 9);
    const image = g.input('image', 'float32', [1, 3, 48, 64]);
    const pooled = g.op('AveragePool', [image], { kernel_shape: ints([8, 8]), strides: ints([8, 8]) });
    const flat = g.op('Flatten', [pooled], { axis: int(1) });
    g.output(g.op('MatMul', [flat, g.weight('proj', [144, LATENT], 0.1)]), 'latent', 'float32', [1, LATENT]);
    fs.writeFileSync(path.join(dir, 'encoder.onnx'), await g.toBytes());
    const single = await WorldModelRuntime.load(await loadWorldModelPackage(dir), { providers: ['cpu'] });
    try {
      const observations = [observation(1), observation(2), observation(3)];
      const latents = await single.encode(observations);
      expect(latents).toHaveLength(3);
      for (const [i, item] of observations.entries())
        expect(maxDifference(latents[i]!, (await single.encode([item]))[0]!)).toBe(0);
      expect(await single.rollout(latents[0]!, [chunk(1), chunk(2)])).toHaveLength(2);
    } finally {
      await single.release();
    }
  });
});

describe('WorldModelRuntime.rollout', () => {
  it('returns chunkLength latents per chunk; the same chunk twice gives the same latents', async () => {
    const [latent] = await runtime.encode([observation(1)]);
    const rollouts = await runtime.rollout(latent!, [chunk(1), chunk(2), chunk(1)]);
    expect(rollouts).toHaveLength(3);
    for (const steps of rollouts) {
      expect(steps).toHaveLength(CHUNK);
      for (const step of steps) expect(step.length).toBe(LATENT);
    }
    for (let step = 0; step < CHUNK; step += 1) expect(maxDifference(rollouts[0]![step]!, rollouts[2]![step]!)).toBe(0);
    expect(maxDifference(rollouts[0]![CHUNK - 1]!, rollouts[1]![CHUNK - 1]!)).toBeGreaterThan(1e-4);
    const finals = await runtime.finalLatents(latent!, [chunk(1), chunk(2)]);
    expect(maxDifference(finals[0]!, rollouts[0]![CHUNK - 1]!)).toBeLessThan(1e-6);
    expect(maxDifference(finals[1]!, rollouts[1]![CHUNK - 1]!)).toBeLessThan(1e-6);
  });

  it('the zero chunk and a moving chunk end in different latents', async () => {
    const [latent] = await runtime.encode([observation(4)]);
    const [still, moving] = await runtime.finalLatents(latent!, [new Float32Array(CHUNK * DIMS), chunk(3)]);
    expect(maxDifference(still!, moving!)).toBeGreaterThan(1e-3);
  });

  it('divides the physical chunk by action.scale before the predictor', async () => {
    const [latent] = await runtime.encode([observation(5)]);
    const physical = chunk(7);
    const scaled = physical.map((value, i) => value / SCALE[i % DIMS]!);
    const session = await ort.InferenceSession.create(path.join(root, 'plain', 'predictor.onnx'));
    try {
      const out = await session.run({
        latent: new ort.Tensor('float32', latent!, [1, LATENT]),
        actions: new ort.Tensor('float32', scaled, [1, CHUNK, DIMS]),
      });
      const direct = out.latents!.data as Float32Array;
      const [steps] = await runtime.rollout(latent!, [physical]);
      steps!.forEach((step, k) =>
        expect(maxDifference(step, direct.subarray(k * LATENT, (k + 1) * LATENT))).toBeLessThan(1e-6),
      );
    } finally {
      await session.release();
    }
  });

  it('refuses a chunk or a latent of the wrong size, saying what it needs', async () => {
    const [latent] = await runtime.encode([observation(1)]);
    await expect(runtime.rollout(latent!, [chunk(1), new Float32Array(30)])).rejects.toThrow(
      'chunk 1 has 30 values; this world model takes chunks of 5 actions × 7 dims = 35',
    );
    await expect(runtime.rollout(new Float32Array(10), [chunk(1)])).rejects.toThrow(
      "the latent has 10 values; this world model's latent has 32",
    );
    expect(() => runtime.energy(latent!, new Float32Array(31))).toThrow(
      "the goal latent has 31 values; this world model's latent has 32",
    );
  });
});

describe('WorldModelRuntime.energy', () => {
  const weights = Array.from({ length: LATENT }, (_, i) => (i % 4) * 0.5);

  async function runtimeWithEnergy(energy: Record<string, unknown>): Promise<WorldModelRuntime> {
    const dir = path.join(root, `energy-${String(energy.metric)}-${String(energy.reduction ?? 'sum')}`);
    fs.cpSync(path.join(root, 'plain'), dir, { recursive: true });
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...manifest, energy }));
    return WorldModelRuntime.load(await loadWorldModelPackage(dir), { providers: ['cpu'] });
  }

  it('l1 without weights, l1 and l2 with weights, summed or averaged, match a hand computation', async () => {
    const [a, b] = await runtime.encode([observation(1), observation(2)]);
    let l1 = 0;
    let weightedL1 = 0;
    let weightedSquares = 0;
    for (let i = 0; i < LATENT; i += 1) {
      const difference = a![i]! - b![i]!;
      l1 += Math.abs(difference);
      weightedL1 += weights[i]! * Math.abs(difference);
      weightedSquares += weights[i]! * difference * difference;
    }
    expect(runtime.manifest.energy).toEqual({ metric: 'l1', reduction: 'sum' });
    expect(runtime.energy(a!, b!)).toBeCloseTo(l1, 9);
    expect(runtime.energy(a!, a!)).toBe(0);

    const totalWeight = weights.reduce((sum, w) => sum + w, 0);
    const runtimes = {
      l1: await runtimeWithEnergy({ metric: 'l1', weights }),
      l2: await runtimeWithEnergy({ metric: 'l2', weights }),
      l1Mean: await runtimeWithEnergy({ metric: 'l1', weights, reduction: 'mean' }),
      l2Mean: await runtimeWithEnergy({ metric: 'l2', weights, reduction: 'mean' }),
    };
    try {
      expect(runtimes.l1.energy(a!, b!)).toBeCloseTo(weightedL1, 9);
      expect(runtimes.l2.energy(a!, b!)).toBeCloseTo(Math.sqrt(weightedSquares), 9);
      expect(runtimes.l2.energy(b!, a!)).toBeCloseTo(Math.sqrt(weightedSquares), 9);
      expect(runtimes.l1Mean.energy(a!, b!)).toBeCloseTo(weightedL1 / totalWeight, 9);
      expect(runtimes.l2Mean.energy(a!, b!)).toBeCloseTo(Math.sqrt(weightedSquares / totalWeight), 9);
    } finally {
      for (const item of Object.values(runtimes)) await item.release();
    }
  });

  it('energies: each chunk scored against the goal from the current latent', async () => {
    const [now, goal] = await runtime.encode([observation(1), observation(6)]);
    const chunks = [chunk(1), chunk(2), new Float32Array(CHUNK * DIMS)];
    const finals = await runtime.finalLatents(now!, chunks);
    const energies = await runtime.energies(now!, goal!, chunks);
    expect(energies).toEqual(finals.map((predicted) => runtime.energy(predicted, goal!)));
    expect(new Set(energies).size).toBe(3);
  });
});
