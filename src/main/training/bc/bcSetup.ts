import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { inspectModelPackage, type ModelPackageInspection } from '../../policy/modelPackage';
import { InstructionTokenizer } from '../../policy/instructionTokenizer';
import { compileGraph, parseOnnxModel, UnsupportedOperatorError, type CompiledGraph } from '../onnx';
import type { BcDataset } from '../trainingTypes';
import { BcBatchBuilder } from './batchBuilder';
import type { BcHyperparameters, PrefixBatching } from './bcOptions';
import { probePrefixBatching } from './prefixBatching';
import type { PrefixMode } from './prefixContext';
import { TrainingError } from './trainingErrors';

/** The base package as the trainer holds it: files, graph bytes, compiled graphs and batch builder. */
export interface BcSetup {
  base: ModelPackageInspection;
  prefixBytes: Uint8Array;
  expertBytes: Uint8Array;
  prefixSha256: string;
  expertSha256: string;
  /** Null when the prefix is frozen. */
  prefix: CompiledGraph | null;
  expert: CompiledGraph;
  builder: BcBatchBuilder;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Parses and compiles one graph; an operator the interpreter lacks is refused naming the file. */
function compile(file: string, bytes: Uint8Array, dir: string): CompiledGraph {
  try {
    return compileGraph(parseOnnxModel(bytes, { externalDataDir: dir }));
  } catch (error) {
    if (error instanceof UnsupportedOperatorError)
      throw new TrainingError(
        'training_unsupported_graph',
        `${file}: ${error.message}; the trainer's ONNX interpreter cannot run this graph (docs/training-interpreter.md lists its operators)`,
        { file, opType: error.opType, node: error.nodeName, nodeIndex: error.nodeIndex },
      );
    throw new TrainingError('training_unsupported_graph', `${file}: ${(error as Error).message}`);
  }
}

/** What loadTrainingPackage needs to know of the run. */
export interface TrainingPackageNeeds {
  /** The batch the expert graph is run at (a graph with a fixed batch axis must match it). */
  expertBatch: number;
  /** The prefix is not compiled (its context comes from onnxruntime). */
  freezePrefix: boolean;
  /** Checks the data against the package before the graphs are compiled (throws TrainingError). */
  checkData: (builder: BcBatchBuilder) => void;
}

/**
 * Reads a model package for training: its files and graph bytes, the batch builder (after `checkData`
 * accepts the data), the expert compiled and, unless frozen, the prefix.
 */
export async function loadTrainingPackage(modelDir: string, needs: TrainingPackageNeeds): Promise<BcSetup> {
  const base = await inspectModelPackage(modelDir);
  const { pkg } = base;
  const { manifest } = pkg;
  const prefixBytes = new Uint8Array(await fs.readFile(pkg.prefixPath));
  const expertBytes = new Uint8Array(await fs.readFile(pkg.expertPath));
  const builder = new BcBatchBuilder(
    manifest,
    new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, manifest.instruction),
  );
  needs.checkData(builder);

  const expert = compile(manifest.expert.file, expertBytes, path.dirname(pkg.expertPath));
  const xT = expert.model.inputs.find((input) => input.name === manifest.expert.noisyActionInput);
  const fixedBatch = xT?.dims?.[0];
  if (typeof fixedBatch === 'number' && fixedBatch !== needs.expertBatch) {
    expert.dispose();
    throw new TrainingError(
      'training_unsupported_graph',
      `${manifest.expert.file}: its input "${xT!.name}" has a fixed batch of ${fixedBatch}; training with batch ${needs.expertBatch} needs a dynamic batch axis (re-export it so), or train with batch ${fixedBatch}`,
    );
  }
  let prefix: CompiledGraph | null = null;
  try {
    if (!needs.freezePrefix) prefix = compile(manifest.prefix.file, prefixBytes, path.dirname(pkg.prefixPath));
  } catch (error) {
    expert.dispose();
    throw error;
  }
  return {
    base,
    prefixBytes,
    expertBytes,
    prefixSha256: sha256(prefixBytes),
    expertSha256: sha256(expertBytes),
    prefix,
    expert,
    builder,
  };
}

export async function prepareBc(modelDir: string, dataset: BcDataset, h: BcHyperparameters): Promise<BcSetup> {
  return loadTrainingPackage(modelDir, {
    expertBatch: h.batchSize,
    freezePrefix: h.freezePrefix,
    checkData: (builder) => {
      if (!(Number.isInteger(dataset.size) && dataset.size >= 1))
        throw new TrainingError(
          'training_invalid_data',
          `the dataset has ${dataset.size} samples; training needs at least one`,
        );
      builder.checkSample(dataset.get(0), 0);
    },
  });
}

/**
 * How the prefix will see a batch: frozen, as the checkpoint says (a resumed run keeps its mode), as the
 * caller forces, or, for 'auto', batched when a probe on two samples shows the graph takes a batch.
 */
export async function choosePrefixMode(
  setup: BcSetup,
  dataset: BcDataset,
  h: BcHyperparameters,
  requested: PrefixBatching,
  fromCheckpoint: PrefixMode | null,
): Promise<{ mode: PrefixMode; reason: string | null }> {
  if (h.freezePrefix) return { mode: 'frozen', reason: null };
  if (fromCheckpoint) return { mode: fromCheckpoint, reason: 'as in the checkpoint' };
  if (requested !== 'auto') return { mode: requested, reason: 'as requested' };
  if (h.batchSize === 1) return { mode: 'batched', reason: null };
  const samples = [dataset.get(0), dataset.get(Math.min(1, dataset.size - 1))];
  samples.forEach((sample, i) => setup.builder.checkSample(sample, i));
  const manifest = setup.base.pkg.manifest;
  const probe = await probePrefixBatching(
    setup.prefix!,
    setup.prefix!.params,
    setup.builder.prefixFeeds(samples),
    manifest.prefix.outputs,
  );
  return probe.batched
    ? { mode: 'batched', reason: null }
    : {
        mode: 'perSample',
        reason: `${manifest.prefix.file} does not take a batch (${probe.reason}); it runs once per sample, which is slower`,
      };
}
