import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { modelManifestSchema, type ModelManifest } from '../../../../src/shared/policy/modelManifest';
import { loadModelPackage } from '../../../../src/main/policy/modelPackage';
import { readOnnxSkeleton } from '../../../../src/main/policy/onnxWire';
import {
  DEFAULT_TEST_PACKAGE,
  buildTestModelPackage,
  buildTestModelPackageFiles,
  type TestModelPackageOptions,
} from '../../../../src/main/policy/testPackage/buildTestModelPackage';
import { parseBuildTestModelArgs, runBuildTestModel } from '../../../../src/main/policy/testPackage/buildTestModelCli';
import { testVocabulary } from '../../../../src/main/policy/testPackage/testTokenizer';
import { VELOCITY_OUTPUT_GAIN } from '../../../../src/main/policy/testPackage/layers';
import { captureOutput } from '../../../helpers/captureOutput';

const COMMITTED = path.resolve(__dirname, '../../../../resources/models/coach-test');
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coach-testpkg-'));

afterEach(() => vi.restoreAllMocks());

/** Token ids as the runtime feeds them: [1, 16] int64 with a 0/1 mask. */
function tokens(ids: number[]): { ids: ort.Tensor; mask: ort.Tensor } {
  const padded = new BigInt64Array(16);
  const mask = new BigInt64Array(16);
  ids.forEach((id, i) => {
    padded[i] = BigInt(id);
    mask[i] = 1n;
  });
  return { ids: new ort.Tensor('int64', padded, [1, 16]), mask: new ort.Tensor('int64', mask, [1, 16]) };
}

/** A deterministic normalised picture, [1, 3, 224, 224]. */
function image(phase: number): ort.Tensor {
  const data = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.001 + phase));
  return new ort.Tensor('float32', data, [1, 3, 224, 224]);
}

/** Repeats a batch-1 tensor along axis 0, as the host does for K candidate chunks. */
function repeat(tensor: ort.Tensor, k: number): ort.Tensor {
  const data = tensor.data as Float32Array | Uint8Array;
  const out = new (data.constructor as new (n: number) => Float32Array | Uint8Array)(data.length * k);
  for (let i = 0; i < k; i += 1) out.set(data, i * data.length);
  return new ort.Tensor(tensor.type as 'float32', out as Float32Array, [k, ...tensor.dims.slice(1)]);
}

describe('the committed test package', () => {
  it('is exactly what the generator builds (rebuild it with "npm run model:test-package")', async () => {
    const dir = tempDir();
    const written = await buildTestModelPackage(dir);
    expect(fs.readdirSync(COMMITTED).sort()).toEqual(written.map((file) => path.basename(file)).sort());
    for (const file of written) {
      const name = path.basename(file);
      expect(Buffer.compare(fs.readFileSync(file), fs.readFileSync(path.join(COMMITTED, name))), name).toBe(0);
    }
  });

  it('stays small and untrained', () => {
    const total = fs
      .readdirSync(COMMITTED)
      .reduce((sum, file) => sum + fs.statSync(path.join(COMMITTED, file)).size, 0);
    expect(total).toBeLessThan(1.2e6);
    const manifest = modelManifestSchema.parse(
      JSON.parse(fs.readFileSync(path.join(COMMITTED, 'manifest.json'), 'utf8')),
    );
    expect(manifest.trained).toBe(false);
    expect(manifest.name).toBe('coach-test');
  });

  it('the same options give the same bytes; another seed other weights', async () => {
    const options: TestModelPackageOptions = {
      ...DEFAULT_TEST_PACKAGE,
      variant: 'kv',
      hiddenSize: 32,
      expertLayers: 1,
    };
    const a = await buildTestModelPackageFiles(options);
    const b = await buildTestModelPackageFiles(options);
    const c = await buildTestModelPackageFiles({ ...options, seed: 2 });
    for (const [name, bytes] of a) expect(Buffer.compare(bytes, b.get(name)!), name).toBe(0);
    expect(Buffer.compare(a.get('expert.onnx')!, c.get('expert.onnx')!)).not.toBe(0);
    expect(Buffer.compare(a.get('tokenizer.json')!, c.get('tokenizer.json')!)).toBe(0);
  });
});

describe('a test package with more cameras', () => {
  it('takes each as its own prefix input, whose picture changes the context; only the embedding variant', async () => {
    const dir = tempDir();
    const wrist = { name: 'wrist', widthPx: 96, heightPx: 72 };
    await buildTestModelPackage(dir, { ...DEFAULT_TEST_PACKAGE, name: 'two-cameras', moreCameras: [wrist] });
    const pkg = await loadModelPackage(dir);
    expect(pkg.manifest.cameras.map(({ name, input, widthPx, heightPx }) => [name, input, widthPx, heightPx])).toEqual([
      ['scene', 'image', 224, 224],
      ['wrist', 'wrist_image', 96, 72],
    ]);
    const prefix = await ort.InferenceSession.create(pkg.prefixPath);
    const { ids, mask } = tokens([2, 7, 17]);
    const context = async (level: number) => {
      const picture = new ort.Tensor('float32', new Float32Array(3 * 72 * 96).fill(level), [1, 3, 72, 96]);
      const out = await prefix.run({ image: image(0), wrist_image: picture, input_ids: ids, attention_mask: mask });
      return Array.from(out.context!.data as Float32Array);
    };
    expect(await context(0.5)).not.toEqual(await context(-0.5));
    await expect(
      buildTestModelPackageFiles({ ...DEFAULT_TEST_PACKAGE, variant: 'kv', moreCameras: [wrist] }),
    ).rejects.toThrow(/only the embedding variant/);
  });
});

describe('the test tokenizer', () => {
  let tokenizer: Tokenizer;
  beforeAll(() => {
    const json = JSON.parse(fs.readFileSync(path.join(COMMITTED, 'tokenizer.json'), 'utf8'));
    const config = JSON.parse(fs.readFileSync(path.join(COMMITTED, 'tokenizer_config.json'), 'utf8'));
    tokenizer = new Tokenizer(json, config);
  });

  it('holds [PAD], [UNK] and the words of the sim’s instructions', () => {
    const vocabulary = testVocabulary();
    expect(vocabulary.slice(0, 3)).toEqual(['[PAD]', '[UNK]', 'put']);
    for (const word of ['grape', 'plate', 'eggplant', 'orange', 'soda', 'bottle', 'cube', 'bowl', 'near', 'up'])
      expect(vocabulary, word).toContain(word);
    expect(new Set(vocabulary).size).toBe(vocabulary.length);
  });

  it('encodes instructions to known ids, lower-casing them and marking unknown words', () => {
    expect(tokenizer.encode('put the grape in the plate').ids).toEqual([2, 7, 17, 8, 7, 18]);
    expect(tokenizer.encode('Put the Soda Bottle on the PLATE').ids).toEqual([2, 7, 21, 22, 11, 7, 18]);
    expect(tokenizer.encode('move the cube near the bowl.').ids).toEqual([6, 7, 23, 13, 7, 24, 1]);
    expect(tokenizer.encode('pick up the banana').ids).toEqual([4, 5, 7, 1]);
    expect(tokenizer.decode([2, 7, 17])).toBe('put the grape');
  });
});

describe.each(['embedding', 'kv'] as const)('the %s variant in onnxruntime', (variant) => {
  let manifest: ModelManifest;
  let prefix: ort.InferenceSession;
  let expert: ort.InferenceSession;
  let context: Record<string, ort.Tensor>;

  beforeAll(async () => {
    const dir = tempDir();
    await buildTestModelPackage(dir, { variant, hiddenSize: 48, expertLayers: 2, seed: 3, name: `test-${variant}` });
    const pkg = await loadModelPackage(dir);
    manifest = pkg.manifest;
    prefix = await ort.InferenceSession.create(pkg.prefixPath);
    expert = await ort.InferenceSession.create(pkg.expertPath);
    const { ids, mask } = tokens([2, 7, 17, 8, 7, 18]);
    context = await prefix.run({ image: image(0), input_ids: ids, attention_mask: mask });
  });

  it('the prefix yields the outputs the manifest lists, with batch 1', () => {
    expect(Object.keys(context).sort()).toEqual([...manifest.prefix.outputs].sort());
    if (variant === 'embedding') {
      expect(context.context!.dims).toEqual([1, 64]);
    } else {
      expect(manifest.prefix.outputs).toHaveLength(5);
      expect(context.past_key_1!.dims).toEqual([1, 4, 212, 16]);
      expect(context.past_value_0!.dims).toEqual([1, 4, 212, 16]);
      expect(context.pad_mask!.type).toBe('bool');
      const padMask = Array.from(context.pad_mask!.data as Uint8Array);
      expect(padMask.slice(0, 202).every((value) => value === 1)).toBe(true);
      expect(padMask.slice(202).every((value) => value === 0)).toBe(true);
    }
  });

  it('the policy sees the image and the instruction but not the padding', async () => {
    // One chunk's velocity through prefix and expert: padding ids must not matter (they are masked).
    const velocity = async (phase: number, ids: number[], padWith = 0) => {
      const feed = tokens(ids);
      if (padWith) (feed.ids.data as BigInt64Array).fill(BigInt(padWith), ids.length);
      const out = await prefix.run({ image: image(phase), input_ids: feed.ids, attention_mask: feed.mask });
      const feeds: Record<string, ort.Tensor> = {};
      for (const [input, output] of Object.entries(manifest.expert.context)) feeds[input] = out[output]!;
      feeds.x_t = new ort.Tensor('float32', new Float32Array(35).fill(0.2), [1, 5, 7]);
      feeds.t = new ort.Tensor('float32', new Float32Array([0.7]), [1]);
      return Array.from((await expert.run(feeds)).velocity!.data as Float32Array);
    };
    const base = await velocity(0, [2, 7, 17, 8, 7, 18]);
    expect(await velocity(1, [2, 7, 17, 8, 7, 18])).not.toEqual(base);
    expect(await velocity(0, [2, 7, 19, 8, 7, 18])).not.toEqual(base);
    const padded = await velocity(0, [2, 7, 17, 8, 7, 18], 5);
    padded.forEach((value, i) => expect(value).toBeCloseTo(base[i]!, 4));
  });

  it("the expert returns a finite velocity of the output gain's order for a batch of 5 chunks, each its own", async () => {
    const k = 5;
    const feeds: Record<string, ort.Tensor> = {};
    for (const [input, output] of Object.entries(manifest.expert.context)) feeds[input] = repeat(context[output]!, k);
    const xT = new Float32Array(k * 35).map((_, i) => Math.sin(i * 1.3));
    feeds.x_t = new ort.Tensor('float32', xT, [k, 5, 7]);
    feeds.t = new ort.Tensor('float32', new Float32Array([1, 0.8, 0.5, 0.2, 0.1]), [k]);
    const out = await expert.run(feeds);
    const velocity = out.velocity!;
    expect(velocity.dims).toEqual([5, 5, 7]);
    const values = Array.from(velocity.data as Float32Array);
    expect(values.every(Number.isFinite)).toBe(true);
    const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(rms).toBeGreaterThan(0.2 * VELOCITY_OUTPUT_GAIN);
    expect(rms).toBeLessThan(5 * VELOCITY_OUTPUT_GAIN);
    // Chunk 0 alone (B = 1) gives the same velocity as inside the batch.
    const single: Record<string, ort.Tensor> = {};
    for (const [input, output] of Object.entries(manifest.expert.context)) single[input] = context[output]!;
    single.x_t = new ort.Tensor('float32', xT.slice(0, 35), [1, 5, 7]);
    single.t = new ort.Tensor('float32', new Float32Array([1]), [1]);
    const alone = Array.from((await expert.run(single)).velocity!.data as Float32Array);
    alone.forEach((value, i) => expect(value).toBeCloseTo(values[i]!, 4));
    // Another flow time gives another velocity.
    expect(values.slice(35, 70)).not.toEqual(values.slice(0, 35));
  });
});

describe('npm run model:test-package', () => {
  it('reads its flags, with the committed package as the default', () => {
    expect(parseBuildTestModelArgs([])).toEqual({
      out: path.join('resources', 'models', 'coach-test'),
      options: DEFAULT_TEST_PACKAGE,
    });
    expect(parseBuildTestModelArgs(['--out', '/tmp/x', '--variant', 'kv', '--hidden', '384', '--layers', '8'])).toEqual(
      { out: '/tmp/x', options: { ...DEFAULT_TEST_PACKAGE, variant: 'kv', hiddenSize: 384, expertLayers: 8 } },
    );
    expect(() => parseBuildTestModelArgs(['--variant', 'big'])).toThrow(/--variant must be/);
    expect(() => parseBuildTestModelArgs(['--hidden', '1.5'])).toThrow(/--hidden must be a whole number/);
  });

  it('writes a package Coach loads into --out', async () => {
    const out = path.join(tempDir(), 'pkg');
    const io = captureOutput();
    expect(await runBuildTestModel(['--out', out, '--variant', 'kv', '--hidden', '16', '--layers', '1'])).toBe(0);
    expect(io.out()).toContain('wrote kv test package (hidden 16, 1 layers)');
    const pkg = await loadModelPackage(out);
    expect(pkg.manifest.prefix.outputs).toEqual(['past_key_0', 'past_value_0', 'pad_mask']);
    expect(await runBuildTestModel(['--variant', 'huge'])).toBe(2);
    expect(io.err()).toContain('--variant must be "embedding" or "kv"');
  });

  it('--variant kv --hidden 384 --layers 8 gives the ~10 M-parameter benchmark package', async () => {
    const files = await buildTestModelPackageFiles({
      ...DEFAULT_TEST_PACKAGE,
      variant: 'kv',
      hiddenSize: 384,
      expertLayers: 8,
    });
    const count = (name: string) =>
      readOnnxSkeleton(files.get(name)!).graph!.initializers.reduce((sum, tensor) => sum + tensor.elements, 0);
    const total = count('prefix.onnx') + count('expert.onnx');
    expect(total).toBe(10_523_975);
  });
});
