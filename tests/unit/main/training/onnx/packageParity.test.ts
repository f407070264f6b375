import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { TEST_SHAPE } from '../../../../../src/main/policy/testPackage/layers';
import { buildTestModelPackageFiles } from '../../../../../src/main/policy/testPackage/buildTestModelPackage';
import { KV_PREFIX_SEQ } from '../../../../../src/main/policy/testPackage/testPrefix';
import { testVocabulary } from '../../../../../src/main/policy/testPackage/testTokenizer';
import { parityError, randomFloats, type Feed } from './helpers';

const COMMITTED = path.resolve(__dirname, '../../../../../resources/models/coach-test');
const TOLERANCE = 1e-4;
const BATCH = 3;
const VOCAB = testVocabulary().length;

const report = (name: string | undefined, error: number) =>
  console.info(`parity ${name}: max abs error ${error.toExponential(2)}`);

function prefixFeeds(random: SeededRandom, vocab: number): Record<string, Feed> {
  const { imageSize, maxTokens } = TEST_SHAPE;
  const real = 5;
  return {
    image: randomFloats(random, [1, 3, imageSize, imageSize]),
    input_ids: {
      type: 'int64',
      dims: [1, maxTokens],
      data: Array.from({ length: maxTokens }, (_, i) => (i < real ? random.int(1, vocab - 1) : 0)),
    },
    attention_mask: {
      type: 'int64',
      dims: [1, maxTokens],
      data: Array.from({ length: maxTokens }, (_, i) => (i < real ? 1 : 0)),
    },
  };
}

function expertFeeds(random: SeededRandom): Record<string, Feed> {
  const { chunk, dims } = TEST_SHAPE;
  return {
    x_t: randomFloats(random, [BATCH, chunk, dims]),
    t: { type: 'float32', dims: [BATCH], data: Float32Array.from({ length: BATCH }, () => random.next()) },
  };
}

describe('whole-package parity with onnxruntime', () => {
  describe('the committed coach-test package (embedding variant)', () => {
    it('prefix', async () => {
      const bytes = await fs.readFile(path.join(COMMITTED, 'prefix.onnx'));
      const error = await parityError(bytes, prefixFeeds(new SeededRandom(1), VOCAB));
      report(expect.getState().currentTestName, error);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
    });

    it('expert', async () => {
      const bytes = await fs.readFile(path.join(COMMITTED, 'expert.onnx'));
      const random = new SeededRandom(2);
      const feeds = { ...expertFeeds(random), context: randomFloats(random, [BATCH, TEST_SHAPE.prefixWidth]) };
      const error = await parityError(bytes, feeds);
      report(expect.getState().currentTestName, error);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  describe('a kv-variant package (hidden 64, 2 layers)', () => {
    let files: Map<string, Uint8Array>;
    beforeAll(async () => {
      files = await buildTestModelPackageFiles({
        variant: 'kv',
        hiddenSize: 64,
        expertLayers: 2,
        seed: 3,
        name: 'kv-test',
      });
    });

    it('prefix', async () => {
      const error = await parityError(files.get('prefix.onnx')!, prefixFeeds(new SeededRandom(4), VOCAB));
      report(expect.getState().currentTestName, error);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
    });

    it('expert', async () => {
      const random = new SeededRandom(5);
      const { heads, headDim } = TEST_SHAPE;
      const feeds: Record<string, Feed> = expertFeeds(random);
      for (let layer = 0; layer < 2; layer += 1) {
        feeds[`past_key_${layer}`] = randomFloats(random, [BATCH, heads, KV_PREFIX_SEQ, headDim]);
        feeds[`past_value_${layer}`] = randomFloats(random, [BATCH, heads, KV_PREFIX_SEQ, headDim]);
      }
      feeds.pad_mask = {
        type: 'bool',
        dims: [BATCH, KV_PREFIX_SEQ],
        data: Array.from({ length: BATCH * KV_PREFIX_SEQ }, (_, i) =>
          i % KV_PREFIX_SEQ < KV_PREFIX_SEQ - 1 - (i % 7) ? 1 : 0,
        ),
      };
      const error = await parityError(files.get('expert.onnx')!, feeds);
      report(expect.getState().currentTestName, error);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
