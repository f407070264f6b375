import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoachError } from '../../../../src/shared/contract/errors';
import { SeededRandom } from '../../../../src/shared/sim/world/random';
import { buildTestWorldModelFiles, writeTestWorldModelPackage } from '../../../../src/main/worldModel/testWorldModel';
import {
  inspectWorldModelPackage,
  loadWorldModelPackage,
  WorldModelPackageError,
} from '../../../../src/main/worldModel/worldModelPackage';
import { maxAbsDiff, randomFloats, runInterpreter, runOrt, type Feed } from '../training/onnx/helpers';

let root: string;
/** A built package of each kind, copied before anything is broken in it. */
let plain: string;
let full: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-wm-package-'));
  plain = path.join(root, 'plain');
  full = path.join(root, 'full');
  await writeTestWorldModelPackage(plain, { latentSize: 32, seed: 3 });
  await writeTestWorldModelPackage(full, { latentSize: 24, seed: 4, withInstruction: true, withRobotState: true });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let copies = 0;
function copyOf(source: string): string {
  copies += 1;
  const dir = path.join(root, `copy-${copies}`);
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}

/** Changes to manifest.json by dotted path ("predictor.latentsOutput"); undefined deletes the field. */
function editManifest(dir: string, changes: Record<string, unknown>): void {
  const file = path.join(dir, 'manifest.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [dotted, value] of Object.entries(changes)) {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    let target = json;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

async function refusal(dir: string): Promise<WorldModelPackageError> {
  const error = await loadWorldModelPackage(dir).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WorldModelPackageError);
  expect(error).toBeInstanceOf(CoachError);
  expect((error as WorldModelPackageError).code).toBe('world_model_invalid');
  return error as WorldModelPackageError;
}

async function manifestRefusal(source: string, changes: Record<string, unknown>): Promise<WorldModelPackageError> {
  const dir = copyOf(source);
  editManifest(dir, changes);
  return refusal(dir);
}

describe('loadWorldModelPackage: good packages', () => {
  it('loads the test package: manifest, graph paths, no tokenizer, weights counted', async () => {
    const pkg = await loadWorldModelPackage(plain);
    expect(pkg.dir).toBe(plain);
    expect(pkg.encoderPath).toBe(path.join(plain, 'encoder.onnx'));
    expect(pkg.predictorPath).toBe(path.join(plain, 'predictor.onnx'));
    expect(pkg.tokenizerJson).toBeNull();
    expect(pkg.tokenizerConfig).toBeNull();
    expect(pkg.manifest).toMatchObject({
      format: 'coach.world-model/1',
      trained: false,
      camera: { name: 'scene', input: 'image', widthPx: 64, heightPx: 48, layout: 'NCHW' },
      latent: { size: 32 },
      action: { space: 'ee_delta', chunkLength: 5, dims: 7, scale: [0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 1] },
      energy: { metric: 'l1', reduction: 'sum' },
    });
    expect(pkg.manifest.instruction).toBeUndefined();
    // image_proj 144×64+64, latent_proj 64×32+32, step (32+7)×32+32.
    expect(pkg.parameterCount).toBe(144 * 64 + 64 + 64 * 32 + 32 + 39 * 32 + 32);
  });

  it('loads a package whose encoder reads the instruction and the arm state, with its tokenizer', async () => {
    const inspection = await inspectWorldModelPackage(full);
    const { pkg } = inspection;
    expect(pkg.manifest.instruction).toMatchObject({
      idsInput: 'input_ids',
      maskInput: 'attention_mask',
      maxTokens: 16,
    });
    expect(pkg.manifest.encoder.robotStateInput).toBe('robot_state');
    expect(pkg.tokenizerJson).toHaveProperty('model');
    expect(pkg.tokenizerConfig).toHaveProperty('pad_token', '[PAD]');
    expect(inspection.encoder.inputs.map((input) => input.name)).toEqual([
      'image',
      'input_ids',
      'attention_mask',
      'robot_state',
    ]);
    expect(inspection.predictor.outputs).toEqual([{ name: 'latents', elemType: 'float32', dims: ['batch', 5, 24] }]);
    expect(inspection.files.map((file) => file.file)).toEqual([
      'manifest.json',
      'encoder.onnx',
      'predictor.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
  });

  it('builds the same bytes from the same options', async () => {
    const again = path.join(root, 'again');
    await writeTestWorldModelPackage(again, { latentSize: 32, seed: 3 });
    for (const file of ['manifest.json', 'encoder.onnx', 'predictor.onnx'])
      expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(plain, file)))).toBe(true);
  });
});

describe('the test world model', () => {
  it("runs in the in-app trainer's interpreter (docs/training-interpreter.md) as in onnxruntime", async () => {
    const files = await buildTestWorldModelFiles({ latentSize: 16, withInstruction: true, withRobotState: true });
    const random = new SeededRandom(2);
    const tokens = (value: (i: number) => number): Feed => ({
      type: 'int64',
      dims: [2, 16],
      data: Array.from({ length: 32 }, (_, i) => (i % 16 < 5 ? value(i) : 0)),
    });
    const feeds: Record<string, Record<string, Feed>> = {
      'encoder.onnx': {
        image: randomFloats(random, [2, 3, 48, 64]),
        input_ids: tokens((i) => 2 + (i % 7)),
        attention_mask: tokens(() => 1),
        robot_state: randomFloats(random, [2, 7]),
      },
      'predictor.onnx': { latent: randomFloats(random, [2, 16]), actions: randomFloats(random, [2, 5, 7]) },
    };
    for (const [file, inputs] of Object.entries(feeds)) {
      const bytes = files.get(file)!;
      const [reference, interpreted] = [await runOrt(bytes, inputs), runInterpreter(bytes, inputs)];
      for (const [name, output] of Object.entries(reference)) {
        expect(interpreted[name]!.dims).toEqual(output.dims);
        expect(maxAbsDiff(interpreted[name]!.data, output.data)).toBeLessThan(1e-4);
      }
    }
  });
});

describe('loadWorldModelPackage: refusals name the file and the problem', () => {
  it('no such folder', async () => {
    const error = await refusal(path.join(root, 'nowhere'));
    expect(error.message).toMatch(/nowhere: no such folder; a world-model package is a folder holding manifest\.json/);
  });

  it('a missing encoder file', async () => {
    const dir = copyOf(plain);
    fs.rmSync(path.join(dir, 'encoder.onnx'));
    const error = await refusal(dir);
    expect(error.file).toBe('encoder.onnx');
    expect(error.message).toBe(`encoder.onnx: not found in ${dir} (manifest.json encoder.file names it)`);
  });

  it('a manifest that is not JSON', async () => {
    const dir = copyOf(plain);
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ "format": "coach.world-model/1", ');
    expect((await refusal(dir)).message).toMatch(/^manifest\.json: is not valid JSON: /);
  });

  it('a policy package manifest', async () => {
    const error = await manifestRefusal(plain, { format: 'coach.model-package/1' });
    expect(error.message).toMatch(/^manifest\.json: is a policy package's manifest/);
  });

  it('schema violations, every one of them', async () => {
    const weights = await manifestRefusal(plain, { 'energy.weights': [1, 2, 3] });
    expect(weights.file).toBe('manifest.json');
    expect(weights.message).toBe('manifest.json: energy.weights has 3 values but the latent has 32');
    const zero = await manifestRefusal(plain, { 'energy.weights': new Array<number>(32).fill(0) });
    expect(zero.message).toBe('manifest.json: energy.weights needs at least one weight above 0');
    const several = await manifestRefusal(plain, { name: undefined, 'energy.metric': 'cosine' });
    expect(several.message).toBe('manifest.json: name is missing; energy.metric must be "l1" or "l2"');
    const scale = await manifestRefusal(plain, { 'action.scale': [1, 1, 1, 1, 1, 1, 0] });
    expect(scale.message).toMatch(/^manifest\.json: action\.scale\[6\]/);
  });

  it('two fields feeding the same graph input', async () => {
    const error = await manifestRefusal(plain, { 'predictor.actionsInput': 'latent' });
    expect(error.message).toBe(
      'manifest.json: predictor.actionsInput names input "latent", which predictor.latentInput names too',
    );
  });

  it('a predictor output the graph does not have', async () => {
    const error = await manifestRefusal(plain, { 'predictor.latentsOutput': 'next_latents' });
    expect(error.file).toBe('predictor.onnx');
    expect(error.message).toMatch(
      /^predictor\.onnx: has no output "next_latents" \(manifest\.json predictor\.latentsOutput\); its outputs are "latents"/,
    );
  });

  it('a latent size that contradicts the graphs', async () => {
    const error = await manifestRefusal(plain, { 'latent.size': 16 });
    expect(error.message).toMatch(
      /^encoder\.onnx: "latent" is \[batch, 32\], but encoder\.latentOutput \(latent\.size 16\) needs float32 \[B, 16\]/,
    );
  });

  it('a chunk length that contradicts the predictor', async () => {
    const error = await manifestRefusal(plain, { 'action.chunkLength': 8 });
    expect(error.message).toMatch(
      /^predictor\.onnx: "actions" is \[batch, 5, 7\], but predictor\.actionsInput \(latent\.size 32, action\.chunkLength 8, action\.dims 7\) needs float32 \[B, 8, 7\]/,
    );
  });

  it('an encoder without the camera input, or with a size the camera does not have', async () => {
    const missing = await manifestRefusal(plain, { 'camera.input': 'pixel_values' });
    expect(missing.message).toMatch(
      /^encoder\.onnx: has no input "pixel_values" \(manifest\.json camera\.input\); its inputs are "image"/,
    );
    const size = await manifestRefusal(plain, { 'camera.widthPx': 256 });
    expect(size.message).toMatch(
      /^encoder\.onnx: "image" is \[batch, 3, 48, 64\], but camera "scene" \(NCHW, 256×48\) needs float32 \[B, 3, 48, 256\]/,
    );
  });

  it('an encoder input the manifest does not feed', async () => {
    const error = await manifestRefusal(full, { 'encoder.robotStateInput': undefined });
    expect(error.message).toMatch(/^encoder\.onnx: input "robot_state" is fed by nothing in manifest\.json/);
  });

  it('an instruction without its tokenizer', async () => {
    const dir = copyOf(full);
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    const error = await refusal(dir);
    expect(error.message).toBe(`tokenizer.json: not found in ${dir} (manifest.json instruction.tokenizer names it)`);
  });

  it('a tokenizer.json that is not a tokenizer', async () => {
    const dir = copyOf(full);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"version": "1.0"}');
    expect((await refusal(dir)).message).toMatch(/^tokenizer\.json: has no "model"/);
  });

  it('a truncated graph', async () => {
    const dir = copyOf(plain);
    const file = path.join(dir, 'predictor.onnx');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    expect((await refusal(dir)).message).toMatch(/^predictor\.onnx: is not a valid ONNX model/);
  });

  it('a graph file outside the package folder', async () => {
    const error = await manifestRefusal(plain, { 'encoder.file': '../plain/encoder.onnx' });
    expect(error.message).toBe(
      'manifest.json: encoder.file "../plain/encoder.onnx" must name a file inside the package folder',
    );
  });
});
