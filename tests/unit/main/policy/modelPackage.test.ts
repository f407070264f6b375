import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as onnx from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectModelPackage, loadModelPackage } from '../../../../src/main/policy/modelPackage';
import { ModelPackageError } from '../../../../src/main/policy/modelPackageTypes';
import { buildTestModelPackage } from '../../../../src/main/policy/testPackage/buildTestModelPackage';
import { OnnxGraphBuilder } from '../../../../src/main/policy/testPackage/onnxBuilder';

const COMMITTED = path.resolve(__dirname, '../../../../resources/models/coach-test');

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coach-model-'));

/** A copy of the committed test package to break one thing in. */
function copyPackage(): string {
  const dir = path.join(tempDir(), 'pkg');
  fs.cpSync(COMMITTED, dir, { recursive: true });
  return dir;
}

/** Changes to a JSON file by dotted path ("cameras.0.input"); undefined deletes the field. */
function editJson(file: string, changes: Record<string, unknown>): void {
  const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [dotted, value] of Object.entries(changes)) {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    let target = json as Record<string, unknown>;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

/** Loads `dir` and returns the ModelPackageError it must be refused with. */
async function refusal(dir: string): Promise<ModelPackageError> {
  const error = await loadModelPackage(dir).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelPackageError);
  return error as ModelPackageError;
}

/** Copies the package, applies `changes` to its manifest and returns the refusal's message. */
async function manifestRefusal(changes: Record<string, unknown>): Promise<string> {
  const dir = copyPackage();
  editJson(path.join(dir, 'manifest.json'), changes);
  return (await refusal(dir)).message;
}

/** A tiny expert whose inputs are what `inputs` says; velocity = x_t. */
async function writeExpert(dir: string, inputs: (g: OnnxGraphBuilder) => void): Promise<void> {
  const g = new OnnxGraphBuilder('broken_expert', 1);
  g.input('x_t', 'float32', ['batch', 5, 7]);
  inputs(g);
  g.output('x_t', 'velocity', 'float32', ['batch', 5, 7]);
  fs.writeFileSync(path.join(dir, 'expert.onnx'), await g.toBytes());
}

describe('loadModelPackage: a good package', () => {
  it('loads the committed test package with its manifest, files and weights', async () => {
    const pkg = await loadModelPackage(COMMITTED);
    expect(pkg.dir).toBe(COMMITTED);
    expect(pkg.manifest).toMatchObject({
      name: 'coach-test',
      trained: false,
      action: { space: 'ee_delta', chunkLength: 5, dims: 7, gripper: { dim: 6, closedValue: 0, openValue: 1 } },
      flow: { steps: 10 },
      control: { rateHz: 10 },
    });
    expect(pkg.manifest.action.names).toEqual(['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper']);
    expect(pkg.manifest.action.normalization.q99.slice(0, 6)).toEqual([0.01, 0.01, 0.01, 0.05, 0.05, 0.05]);
    expect(pkg.manifest.action.normalization.mask).toEqual([true, true, true, true, true, true, false]);
    expect(pkg.prefixPath).toBe(path.join(COMMITTED, 'prefix.onnx'));
    expect(pkg.expertPath).toBe(path.join(COMMITTED, 'expert.onnx'));
    expect(pkg.tokenizerPath).toBe(path.join(COMMITTED, 'tokenizer.json'));
    expect((pkg.tokenizerJson.model as { type: string }).type).toBe('WordLevel');
    expect(pkg.tokenizerConfig).toMatchObject({ unk_token: '[UNK]', pad_token: '[PAD]' });
    // image_proj 2352×64+64, token_embedding 25×64, context_proj 128×64+64; the expert's MLP at width 128.
    expect(pkg.parameterCount).toBe(248_675);
  });

  it('reads the graphs’ interfaces and counts the weights of each', async () => {
    const { prefix, expert, files } = await inspectModelPackage(COMMITTED);
    expect(prefix.inputs.map((input) => [input.name, input.elemType, input.dims])).toEqual([
      ['image', 'float32', [1, 3, 224, 224]],
      ['input_ids', 'int64', [1, 16]],
      ['attention_mask', 'int64', [1, 16]],
    ]);
    expect(prefix.outputs).toEqual([{ name: 'context', elemType: 'float32', dims: [1, 64] }]);
    expect(expert.inputs.map((input) => input.dims)).toEqual([['batch', 5, 7], ['batch'], ['batch', 64]]);
    expect(prefix.parameterCount + expert.parameterCount).toBe(248_675);
    expect(prefix.opsetVersion).toBe(20);
    const sizes = Object.fromEntries(files.map((file) => [file.file, file.bytes]));
    expect(sizes['prefix.onnx']).toBe(fs.statSync(path.join(COMMITTED, 'prefix.onnx')).size);
    expect(Object.keys(sizes)).toEqual([
      'manifest.json',
      'prefix.onnx',
      'expert.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
  });

  it('loads a NORA-shaped package whose context is per-layer K/V and a pad mask', async () => {
    const dir = tempDir();
    await buildTestModelPackage(dir, { variant: 'kv', hiddenSize: 32, expertLayers: 3, seed: 5, name: 'kv' });
    const { pkg, expert } = await inspectModelPackage(dir);
    expect(Object.keys(pkg.manifest.expert.context)).toHaveLength(7);
    expect(expert.inputs.find((input) => input.name === 'past_value_2')?.dims).toEqual(['batch', 4, 212, 16]);
    expect(expert.inputs.find((input) => input.name === 'pad_mask')?.elemType).toBe('bool');
  });

  it('tokenizer_config.json is optional', async () => {
    const dir = copyPackage();
    fs.rmSync(path.join(dir, 'tokenizer_config.json'));
    const pkg = await loadModelPackage(dir);
    expect(pkg.tokenizerConfig).toBeNull();
  });
});

describe('loadModelPackage: weights in an external data file', () => {
  let dir: string;
  beforeAll(async () => {
    // Move the expert's largest weight out to expert.onnx.data, as exporters do for graphs over 2 GB.
    dir = copyPackage();
    const file = path.join(dir, 'expert.onnx');
    const model = fromBinary(onnx.ModelProtoSchema, fs.readFileSync(file));
    const tensor = model.graph!.initializer.reduce((a, b) => (b.rawData.length > a.rawData.length ? b : a));
    fs.writeFileSync(path.join(dir, 'expert.onnx.data'), tensor.rawData);
    tensor.externalData = [
      create(onnx.StringStringEntryProtoSchema, { key: 'location', value: 'expert.onnx.data' }),
      create(onnx.StringStringEntryProtoSchema, { key: 'offset', value: '0' }),
      create(onnx.StringStringEntryProtoSchema, { key: 'length', value: String(tensor.rawData.length) }),
    ];
    tensor.dataLocation = onnx.TensorProto_DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    fs.writeFileSync(file, toBinary(onnx.ModelProtoSchema, model));
  });

  it('validates the graph, counts the external weights from their dims, and onnxruntime runs it', async () => {
    const { pkg, expert, files } = await inspectModelPackage(dir);
    expect(pkg.parameterCount).toBe(248_675);
    expect(expert.externalDataFiles).toEqual(['expert.onnx.data']);
    expect(files.map((item) => item.file)).toContain('expert.onnx.data');
    const session = await ort.InferenceSession.create(pkg.expertPath);
    const out = await session.run({
      x_t: new ort.Tensor('float32', new Float32Array(35).fill(0.3), [1, 5, 7]),
      t: new ort.Tensor('float32', new Float32Array([0.5]), [1]),
      context: new ort.Tensor('float32', new Float32Array(64).fill(0.1), [1, 64]),
    });
    expect(out.velocity!.dims).toEqual([1, 5, 7]);
    await session.release();
  });

  it('refuses it when the data file is missing or too short', async () => {
    const broken = path.join(tempDir(), 'pkg');
    fs.cpSync(dir, broken, { recursive: true });
    fs.truncateSync(path.join(broken, 'expert.onnx.data'), 100);
    expect((await refusal(broken)).message).toMatch(
      /^expert\.onnx: its weights file "expert\.onnx\.data" has 100 bytes but the graph reads up to byte \d+ \(truncated\?\)$/,
    );
    fs.rmSync(path.join(broken, 'expert.onnx.data'));
    expect((await refusal(broken)).message).toBe(
      `expert.onnx: its weights are stored in "expert.onnx.data", which is not in ${broken}`,
    );
  });
});

describe('loadModelPackage: missing things', () => {
  it('refuses a folder that does not exist, or a file', async () => {
    const missing = path.join(tempDir(), 'nope');
    const error = await refusal(missing);
    expect(error.code).toBe('model_package_invalid');
    expect(error.file).toBe(missing);
    expect(error.message).toBe(
      `${missing}: no such folder; a model package is a folder holding manifest.json, prefix.onnx, expert.onnx and tokenizer.json`,
    );
    expect((await refusal(path.join(COMMITTED, 'manifest.json'))).message).toMatch(
      /manifest\.json: is a file, not a folder/,
    );
  });

  it.each(['manifest.json', 'prefix.onnx', 'expert.onnx', 'tokenizer.json'])(
    'refuses a package without %s',
    async (file) => {
      const dir = copyPackage();
      fs.rmSync(path.join(dir, file));
      const error = await refusal(dir);
      expect(error.file).toBe(file);
      expect(error.message).toMatch(new RegExp(`^${file.replace('.', '\\.')}: not found in ${dir}`));
    },
  );

  it('names the manifest field that names a missing file', async () => {
    const message = await manifestRefusal({ 'expert.file': 'expert-v2.onnx' });
    expect(message).toMatch(/^expert-v2\.onnx: not found in .* \(manifest\.json expert\.file names it\)$/);
  });

  it('refuses a manifest that names a file outside the package folder', async () => {
    const message = await manifestRefusal({ 'prefix.file': '../prefix.onnx' });
    expect(message).toBe('manifest.json: prefix.file "../prefix.onnx" must name a file inside the package folder');
  });
});

describe('loadModelPackage: a broken manifest', () => {
  it('refuses one that is not JSON', async () => {
    const dir = copyPackage();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ "format": "coach.model-package/1", ');
    expect((await refusal(dir)).message).toMatch(/^manifest\.json: is not valid JSON: /);
  });

  it('names the JSON path of each schema problem', async () => {
    expect(await manifestRefusal({ 'action.normalization.q01': [-0.01, -0.01, -0.01, -0.05, -0.05, -0.05] })).toBe(
      'manifest.json: action.normalization.q01 has 6 values but the action has 7 dims',
    );
    expect(await manifestRefusal({ 'action.space': undefined })).toBe('manifest.json: action.space is missing');
    expect(await manifestRefusal({ 'action.space': 'cartesian' })).toBe(
      'manifest.json: action.space must be "ee_delta" or "joint_delta" or "joint_abs"',
    );
    expect(await manifestRefusal({ 'cameras.0.widthPx': '224' })).toBe(
      'manifest.json: cameras[0].widthPx must be a number',
    );
    expect(await manifestRefusal({ 'flow.stepz': 10 })).toBe('manifest.json: flow has unknown field "stepz"');
    expect(await manifestRefusal({ format: 'coach.model-package/2' })).toBe(
      'manifest.json: format must be "coach.model-package/1"',
    );
  });

  it('lists every problem at once', async () => {
    const message = await manifestRefusal({ 'action.names': ['x'], 'expert.context': { context: 'embedding' } });
    expect(message).toContain('action.names has 1 values but the action has 7 dims');
    expect(message).toContain(
      'expert.context.context names prefix output "embedding", which prefix.outputs does not list',
    );
  });
});

describe('loadModelPackage: broken graphs', () => {
  it('refuses a truncated ONNX file', async () => {
    const dir = copyPackage();
    const file = path.join(dir, 'prefix.onnx');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const error = await refusal(dir);
    expect(error.file).toBe('prefix.onnx');
    expect(error.message).toMatch(/^prefix\.onnx: is not a valid ONNX model \(\d+ bytes; corrupt or truncated\?\): /);
  });

  it('refuses a file that is not ONNX, or a model without a graph', async () => {
    const dir = copyPackage();
    fs.writeFileSync(path.join(dir, 'expert.onnx'), '{"this is": "json"}');
    expect((await refusal(dir)).message).toMatch(/^expert\.onnx: (is not a valid ONNX model|holds no ONNX graph)/);
    const noGraph = create(onnx.ModelProtoSchema, { irVersion: 9n, opsetImport: [{ domain: '', version: 20n }] });
    fs.writeFileSync(path.join(dir, 'expert.onnx'), toBinary(onnx.ModelProtoSchema, noGraph));
    expect((await refusal(dir)).message).toBe(
      'expert.onnx: holds no ONNX graph (no nodes or no outputs): is it really an ONNX model?',
    );
  });

  it('names a tensor the graph lacks and lists the ones it has', async () => {
    expect(await manifestRefusal({ 'cameras.0.input': 'pixel_values' })).toBe(
      'prefix.onnx: has no input "pixel_values" (manifest.json cameras[0].input); its inputs are "image", "input_ids", "attention_mask"',
    );
    expect(await manifestRefusal({ 'expert.velocityOutput': 'v' })).toBe(
      'expert.onnx: has no output "v" (manifest.json expert.velocityOutput); its outputs are "velocity"',
    );
    expect(
      await manifestRefusal({
        'prefix.outputs': ['prefix_embedding'],
        'expert.context': { context: 'prefix_embedding' },
      }),
    ).toBe(
      'prefix.onnx: has no output "prefix_embedding" (manifest.json prefix.outputs[0]); its outputs are "context"',
    );
    expect(await manifestRefusal({ 'expert.context': { ctx: 'context' } })).toMatch(
      /^expert\.onnx: has no input "ctx" \(manifest\.json expert\.context key "ctx"\); its inputs are "x_t", "t", "context"$/,
    );
  });

  it('refuses static dims and element types that contradict the manifest', async () => {
    expect(await manifestRefusal({ 'cameras.0.widthPx': 256 })).toBe(
      'prefix.onnx: "image" is [1, 3, 224, 224], but camera "scene" (NCHW, 256×224) needs float32 [1, 3, 224, 256]',
    );
    expect(await manifestRefusal({ 'cameras.0.layout': 'NHWC' })).toBe(
      'prefix.onnx: "image" is [1, 3, 224, 224], but camera "scene" (NHWC, 224×224) needs float32 [1, 224, 224, 3]',
    );
    expect(await manifestRefusal({ 'cameras.0.dtype': 'uint8' })).toBe(
      'prefix.onnx: "image" is float32, but camera "scene" (NCHW, 224×224) needs uint8 [1, 3, 224, 224]',
    );
    expect(await manifestRefusal({ 'instruction.maxTokens': 32 })).toBe(
      'prefix.onnx: "input_ids" is [1, 16], but instruction.idsInput (maxTokens 32) needs int64 [1, 32]',
    );
    expect(await manifestRefusal({ 'action.chunkLength': 8 })).toBe(
      'expert.onnx: "x_t" is [batch, 5, 7], but expert.noisyActionInput (B, chunkLength 8, dims 7) needs float32 [B, 8, 7]',
    );
  });

  it('refuses a flow time that is not [B], and context that does not fit the prefix output', async () => {
    const dir = copyPackage();
    await writeExpert(dir, (g) => {
      g.input('t', 'float32', ['batch', 1]);
      g.input('context', 'float32', ['batch', 64]);
    });
    expect((await refusal(dir)).message).toBe(
      'expert.onnx: "t" is [batch, 1], but expert.timeInput (one flow time per chunk) needs float32 [B]',
    );
    await writeExpert(dir, (g) => {
      g.input('t', 'float32', ['batch']);
      g.input('context', 'float32', ['batch', 96]);
    });
    expect((await refusal(dir)).message).toBe(
      'expert.onnx: expert input "context" (float32 [batch, 96]) does not fit prefix output "context" (float32 [1, 64]): axis 1 differs',
    );
  });

  it('refuses an expert input the manifest does not map, and a prefix input nothing feeds', async () => {
    const dir = copyPackage();
    await writeExpert(dir, (g) => {
      g.input('t', 'float32', ['batch']);
      g.input('context', 'float32', ['batch', 64]);
      g.input('past_key_0', 'float32', ['batch', 4, 212, 16]);
    });
    expect((await refusal(dir)).message).toBe(
      'expert.onnx: input "past_key_0" is not mapped in manifest.json expert.context; every expert input must be x_t ' +
        '(expert.noisyActionInput), t (expert.timeInput) or a context input mapped to a prefix output',
    );
    expect(await manifestRefusal({ 'instruction.maskInput': undefined })).toBe(
      'prefix.onnx: input "attention_mask" is fed by nothing in manifest.json (cameras[].input, instruction.idsInput, instruction.maskInput, prefix.robotStateInput)',
    );
  });
});

describe('loadModelPackage: a broken tokenizer', () => {
  it('refuses a tokenizer.json that is not JSON or has no model', async () => {
    const dir = copyPackage();
    const file = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(file, 'version: 1.0');
    expect((await refusal(dir)).message).toMatch(/^tokenizer\.json: is not valid JSON: /);
    fs.writeFileSync(file, JSON.stringify({ version: '1.0', vocab: { a: 0 } }));
    expect((await refusal(dir)).message).toBe(
      'tokenizer.json: has no "model": it is not a Hugging Face tokenizer.json (write one with tokenizer.save_pretrained())',
    );
  });

  it('refuses a tokenizer_config.json that is present but not JSON', async () => {
    const dir = copyPackage();
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), '{');
    expect((await refusal(dir)).message).toMatch(/^tokenizer_config\.json: is not valid JSON/);
  });
});
