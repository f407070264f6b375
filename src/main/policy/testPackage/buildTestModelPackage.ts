import fs from 'node:fs/promises';
import path from 'node:path';
import { formatJson } from './formatJson';
import { TEST_SHAPE } from './layers';
import { buildEmbeddingExpert, buildKvExpert } from './testExpert';
import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import { buildTestManifest, type TestVariant } from './testManifest';
import { buildEmbeddingPrefix, buildKvPrefix } from './testPrefix';
import { buildTestTokenizer, buildTestTokenizerConfig, testVocabulary } from './testTokenizer';

export interface TestModelPackageOptions {
  /** 'embedding': the prefix yields one context vector; 'kv': per-layer K/V and a pad mask, as NORA-1.5's. */
  variant: TestVariant;
  /** Width of the expert. */
  hiddenSize: number;
  /** Expert blocks (and, for 'kv', prefix layers: one K/V pair per expert layer). */
  expertLayers: number;
  /** Seeds every weight: the same options give the same bytes. */
  seed: number;
  /** manifest.json's name. */
  name: string;
  /** Cameras besides the 224 × 224 scene camera ('embedding' variant only), each feeding the input "<name>_image". */
  moreCameras?: readonly PolicyCameraSize[];
}

/** What resources/models/coach-test/ is built with. */
export const DEFAULT_TEST_PACKAGE: TestModelPackageOptions = {
  variant: 'embedding',
  hiddenSize: 128,
  expertLayers: 2,
  seed: 1,
  name: 'coach-test',
};

/** The package's files by name, in the order they are written. */
export async function buildTestModelPackageFiles(
  options: TestModelPackageOptions = DEFAULT_TEST_PACKAGE,
): Promise<Map<string, Uint8Array>> {
  const { variant, hiddenSize, expertLayers, seed, moreCameras = [] } = options;
  if (!(Number.isInteger(hiddenSize) && hiddenSize >= 8 && hiddenSize <= 8192))
    throw new RangeError(`hidden size must be a whole number from 8 to 8192, got ${hiddenSize}`);
  if (!(Number.isInteger(expertLayers) && expertLayers >= 1 && expertLayers <= 256))
    throw new RangeError(`expert layers must be a whole number from 1 to 256, got ${expertLayers}`);
  if (variant === 'kv' && moreCameras.length)
    throw new RangeError('only the embedding variant takes more cameras than the scene camera');
  const vocabSize = testVocabulary().length;
  const prefix =
    variant === 'kv'
      ? await buildKvPrefix({ vocabSize, layers: expertLayers, seed })
      : await buildEmbeddingPrefix({ vocabSize, layers: expertLayers, seed, moreCameras });
  const expertSpec = { hiddenSize, layers: expertLayers, seed };
  const expert = variant === 'kv' ? await buildKvExpert(expertSpec) : await buildEmbeddingExpert(expertSpec);
  const text = (value: unknown) => new TextEncoder().encode(formatJson(value));
  return new Map([
    ['manifest.json', text(buildTestManifest(options))],
    ['tokenizer.json', text(buildTestTokenizer())],
    ['tokenizer_config.json', text(buildTestTokenizerConfig(TEST_SHAPE.maxTokens))],
    ['prefix.onnx', prefix],
    ['expert.onnx', expert],
  ]);
}

/** Writes a test package into `dir` (created if needed); returns the paths written. */
export async function buildTestModelPackage(
  dir: string,
  options: TestModelPackageOptions = DEFAULT_TEST_PACKAGE,
): Promise<string[]> {
  const files = await buildTestModelPackageFiles(options);
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const target = path.join(dir, name);
    await fs.writeFile(target, bytes);
    written.push(target);
  }
  return written;
}
