import fs from 'node:fs/promises';
import type { KinematicChain } from '../../../shared/robot/kinematics';
import path from 'node:path';
import { formatJson } from '../../policy/testPackage/formatJson';
import { buildTestTokenizer, buildTestTokenizerConfig, testVocabulary } from '../../policy/testPackage/testTokenizer';
import type { ActionStats } from '../demonstrations/actionStats';
import { buildDefaultExpert } from './defaultExpert';
import { buildDefaultManifest } from './defaultManifest';
import type { DefaultModelSpec } from './defaultModelSpec';
import { buildDefaultPrefix } from './defaultPrefix';

/**
 * The files of an untrained coach-tiny package (seeded initial weights): what trainBehaviourCloning
 * starts from. The tokenizer is the test package's word list over the sim's vocabulary; `chain` is the
 * arm whose forward kinematics the prefix computes.
 */
export async function buildDefaultModelFiles(
  chain: KinematicChain,
  spec: DefaultModelSpec,
  stats: ActionStats,
  meta: { version: string; description: string },
): Promise<Map<string, Uint8Array>> {
  const text = (value: unknown) => new TextEncoder().encode(formatJson(value));
  const manifest = buildDefaultManifest(spec, stats, { ...meta, trained: false });
  return new Map([
    ['manifest.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`)],
    ['tokenizer.json', text(buildTestTokenizer())],
    ['tokenizer_config.json', text(buildTestTokenizerConfig(spec.maxTokens))],
    ['prefix.onnx', await buildDefaultPrefix(spec, testVocabulary().length, chain)],
    ['expert.onnx', await buildDefaultExpert(spec)],
  ]);
}

/** Writes an untrained coach-tiny package into `dir` (created if needed). */
export async function writeDefaultModelPackage(
  dir: string,
  chain: KinematicChain,
  spec: DefaultModelSpec,
  stats: ActionStats,
  meta: { version: string; description: string },
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, bytes] of await buildDefaultModelFiles(chain, spec, stats, meta))
    await fs.writeFile(path.join(dir, name), bytes);
}
