import path from 'node:path';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import { arrayFromData, ONNX_TYPE, readWeights, writeInitializers, type Params } from '../onnx';
import { blockUntilReady, tree } from '../onnx/jax';
import { adamWScalarArrays, initAdamW, type AdamWState } from '../optim/adamW';
import { learningRateAt } from '../optim/learningRateSchedule';
import { loadBcCheckpoint, saveBcCheckpoint, type BcCheckpoint } from './bcCheckpoint';
import { resolveHyperparameters, type BcHyperparameters, type BcTrainingOptions } from './bcOptions';
import { choosePrefixMode, prepareBc, type BcSetup } from './bcSetup';
import { buildTrainStep, EXPERT_KEY, PREFIX_KEY, type StepBatch } from './bcStep';
import { FrozenPrefixContext } from './frozenContext';
import { jaxFeed, jaxFeeds, samplesOfFeeds, type PrefixMode } from './prefixContext';
import { ProgressMeter } from './progressMeter';
import { drawStep, flowMatchingPair } from './stepDraws';
import { checkOutputDir, trainedManifest, writeTrainedPackage } from './trainedPackage';
import { TrainingCancelledError, TrainingError } from './trainingErrors';
import { trainingProgressEmitter } from '../trainingProgressEmitter';

export interface BcTrainingResult {
  outDir: string;
  manifest: ModelManifest;
  /** Updates in the whole run (a resumed run counts those before the checkpoint). */
  steps: number;
  /** The step this invocation started from (0, or the checkpoint's). */
  startStep: number;
  /** Loss of every step this invocation ran. */
  losses: number[];
  finalLoss: number | null;
  smoothedLoss: number | null;
  hyperparameters: BcHyperparameters;
  prefixMode: PrefixMode;
  /** Why the prefix runs per sample (a fixed-batch export), when it does. */
  prefixModeNote: string | null;
  trainedParameters: number;
  /** This invocation, without its first step (which compiles the step function). */
  stepsPerS: number | null;
  samplesPerS: number | null;
  durationS: number;
  checkpointPath: string | null;
}

const DEFAULT_PROGRESS_EVERY = 10;
const DEFAULT_CONTEXT_CACHE_BYTES = 2 * 2 ** 30;
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

function initialParams(setup: BcSetup, checkpoint: BcCheckpoint | null): Params {
  const params: Params = {};
  if (setup.prefix) for (const [name, array] of Object.entries(setup.prefix.params)) params[PREFIX_KEY + name] = array;
  for (const [name, array] of Object.entries(setup.expert.params)) params[EXPERT_KEY + name] = array;
  if (!checkpoint) return params;
  const restore = (group: Record<string, Float32Array>, what: string): Params => {
    const restored: Params = {};
    for (const [key, array] of Object.entries(params)) {
      const values = group[key];
      const count = array.shape.reduce((a, b) => a * b, 1);
      if (!values || values.length !== count)
        throw new TrainingError(
          'training_checkpoint_mismatch',
          `the checkpoint's ${what} "${key}" ${values ? `has ${values.length} values, the graph needs ${count}` : 'is missing'}`,
        );
      restored[key] = arrayFromData(values, array.shape, ONNX_TYPE.float32);
    }
    const extra = Object.keys(group).filter((key) => !(key in params));
    if (extra.length)
      throw new TrainingError(
        'training_checkpoint_mismatch',
        `the checkpoint has ${what} the graphs lack: ${extra.slice(0, 5).join(', ')}`,
      );
    return restored;
  };
  const restored = restore(checkpoint.params, 'param');
  tree.dispose(params);
  return restored;
}

function restoreState(params: Params, checkpoint: BcCheckpoint | null): AdamWState {
  if (!checkpoint) return initAdamW(params);
  const group = (values: Record<string, Float32Array>) =>
    Object.fromEntries(
      Object.entries(params).map(([key, array]) => {
        const data = values[key];
        if (!data)
          throw new TrainingError('training_checkpoint_mismatch', `the checkpoint has no optimizer state for "${key}"`);
        return [key, arrayFromData(data, array.shape, ONNX_TYPE.float32)];
      }),
    );
  return { m: group(checkpoint.m), v: group(checkpoint.v) };
}

function checkResumable(checkpoint: BcCheckpoint, setup: BcSetup, datasetSize: number): void {
  const { base } = checkpoint.meta;
  if (base.prefixSha256 !== setup.prefixSha256 || base.expertSha256 !== setup.expertSha256)
    throw new TrainingError(
      'training_checkpoint_mismatch',
      `the checkpoint was trained from ${base.name} ${base.version}, whose graphs differ from ${setup.base.pkg.dir}'s`,
    );
  if (checkpoint.meta.datasetSize !== datasetSize)
    throw new TrainingError(
      'training_checkpoint_mismatch',
      `the checkpoint's run had ${checkpoint.meta.datasetSize} samples, this dataset has ${datasetSize}`,
    );
}

/**
 * Behaviour cloning of a model package with the flow-matching objective (src/main/training/bc/index.ts): prefix and
 * expert run on the ONNX interpreter, the whole step (loss, gradients, clipping, AdamW) is jitted, and the
 * trained weights are written back into a copy of the package at `outDir`. Progress goes to
 * `onProgress`; `signal` cancels between steps (TrainingCancelledError, nothing written); a checkpoint
 * lets an interrupted run continue to the same weights (`resumeFrom`).
 */
export async function trainBehaviourCloning(options: BcTrainingOptions): Promise<BcTrainingResult> {
  const started = performance.now();
  const { dataset, signal } = options;
  const outDir = path.resolve(options.outDir);
  const progress = trainingProgressEmitter(options);
  const emit = progress.emit;
  emit({});

  const cleanup: (() => void | Promise<void>)[] = [];
  let step = 0;
  try {
    const checkpoint = options.resumeFrom ? await loadBcCheckpoint(options.resumeFrom) : null;
    const h = resolveHyperparameters(options, checkpoint?.meta.hyperparameters);
    progress.setTotalSteps(h.steps);
    await checkOutputDir(outDir, options.overwrite ?? false);
    const setup = await prepareBc(options.modelDir, dataset, h);
    cleanup.push(
      () => setup.expert.dispose(),
      () => setup.prefix?.dispose(),
    );
    if (checkpoint) checkResumable(checkpoint, setup, dataset.size);
    const manifest = setup.base.pkg.manifest;
    const { builder } = setup;

    const chosen = await choosePrefixMode(
      setup,
      dataset,
      h,
      options.prefixBatching ?? 'auto',
      checkpoint?.meta.prefixMode ?? null,
    );
    let params = initialParams(setup, checkpoint);
    let state = restoreState(params, checkpoint);
    cleanup.push(() => tree.dispose([params, state]));
    const decayed = new Set(
      Object.entries(params)
        .filter(([, p]) => p.shape.length >= 2)
        .map(([key]) => key),
    );
    const trainedParameters = Object.values(params).reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
    const frozen =
      chosen.mode === 'frozen'
        ? await FrozenPrefixContext.create(
            setup.base.pkg.prefixPath,
            manifest,
            builder,
            options.contextCacheBytes ?? DEFAULT_CONTEXT_CACHE_BYTES,
          )
        : null;
    if (frozen) cleanup.push(() => frozen.release());
    const trainStep = buildTrainStep(
      { manifest, prefix: setup.prefix, expert: setup.expert, mode: chosen.mode },
      { adamW: h.adamW, maxGradNorm: h.maxGradNorm, decayed },
    );
    cleanup.push(() => trainStep.dispose());

    const schedule = {
      peakLearningRate: h.learningRate,
      warmupSteps: h.warmupSteps,
      totalSteps: h.steps,
      minLearningRate: h.minLearningRate,
    };
    const meter = new ProgressMeter(h.steps, checkpoint?.meta.recentLosses);
    const startStep = checkpoint?.meta.step ?? 0;
    const losses: number[] = [];
    const every = Math.max(1, options.progressEverySteps ?? DEFAULT_PROGRESS_EVERY);
    const checkpointEvery = options.checkpoint ? Math.max(1, options.checkpoint.everySteps) : 0;
    let firstStepEndMs: number | null = null;
    let lastLearningRate = learningRateAt(schedule, startStep);

    const saveCheckpoint = async (stepsDone: number) => {
      const read = (group: Params) => readWeights(group);
      await saveBcCheckpoint(options.checkpoint!.path, {
        meta: {
          kind: 'behaviour-cloning',
          step: stepsDone,
          hyperparameters: h,
          rng: { seed: h.seed, scheme: 'drawStep(seed, step)' },
          prefixMode: chosen.mode,
          base: {
            name: manifest.name,
            version: manifest.version,
            prefixSha256: setup.prefixSha256,
            expertSha256: setup.expertSha256,
          },
          datasetSize: dataset.size,
          recentLosses: meter.recentLosses,
          createdAt: new Date().toISOString(),
        },
        params: await read(params),
        m: await read(state.m),
        v: await read(state.v),
      });
    };

    emit({
      phase: 'training',
      step: startStep,
      learningRate: lastLearningRate,
      smoothedLoss: meter.smoothedLoss,
      message: chosen.reason,
    });
    for (step = startStep; step < h.steps; step += 1) {
      await yieldToEvents();
      if (signal?.aborted) throw new TrainingCancelledError(step);
      const draws = drawStep(h.seed, step, dataset.size, h.batchSize, builder.valuesPerSample);
      const samples = draws.indices.map((index) => {
        const sample = dataset.get(index);
        builder.checkSample(sample, index);
        return sample;
      });
      const pair = flowMatchingPair(builder.normalizedActions(samples), draws);
      const actionDims = [h.batchSize, manifest.action.chunkLength, manifest.action.dims];
      const batch: StepBatch = {
        noisyActions: jaxFeed({ data: pair.noisyActions, dims: actionDims, onnxType: ONNX_TYPE.float32 }),
        times: jaxFeed({ data: draws.times, dims: [h.batchSize], onnxType: ONNX_TYPE.float32 }),
        targetVelocity: jaxFeed({ data: pair.targetVelocity, dims: actionDims, onnxType: ONNX_TYPE.float32 }),
      };
      if (frozen) batch.context = jaxFeeds(await frozen.contexts(dataset, draws.indices));
      else if (chosen.mode === 'batched') batch.prefix = jaxFeeds(builder.prefixFeeds(samples));
      else batch.prefixSamples = samplesOfFeeds(builder.prefixFeeds(samples), h.batchSize).map(jaxFeeds);

      lastLearningRate = learningRateAt(schedule, step);
      const { loss, gradNorm, ...next } = trainStep.run(
        params,
        state,
        batch,
        adamWScalarArrays(h.adamW, step, lastLearningRate),
      );
      params = await blockUntilReady(next.params);
      state = await blockUntilReady(next.state);
      gradNorm.dispose();
      const lossValue = loss.item();
      if (!Number.isFinite(lossValue))
        throw new TrainingError(
          'training_invalid_data',
          `the loss became ${lossValue} at step ${step}; lower the learning rate`,
        );
      losses.push(lossValue);
      meter.record(lossValue);
      firstStepEndMs ??= performance.now();
      const done = step + 1;
      if (done % every === 0 || done === h.steps)
        emit({
          step: done,
          loss: lossValue,
          smoothedLoss: meter.smoothedLoss,
          learningRate: lastLearningRate,
          stepsPerS: meter.stepsPerS,
          etaS: meter.etaS(done),
        });
      if (checkpointEvery && done % checkpointEvery === 0 && done < h.steps) await saveCheckpoint(done);
    }
    const trainingEndMs = performance.now();
    if (signal?.aborted) throw new TrainingCancelledError(step);
    if (options.checkpoint) await saveCheckpoint(h.steps);

    emit({ phase: 'writing', step: h.steps, message: `writing ${outDir}` });
    const weights = await readWeights(params);
    const graphWeights = (key: string) =>
      Object.fromEntries(
        Object.entries(weights)
          .filter(([name]) => name.startsWith(key))
          .map(([name, values]) => [name.slice(key.length), values]),
      );
    const summary = `Behaviour cloning (flow matching): ${h.steps} steps, batch ${h.batchSize}, peak learning rate ${h.learningRate}, seed ${h.seed}, ${dataset.size} samples${h.freezePrefix ? ', prefix frozen' : ''}.`;
    const outManifest = trainedManifest(manifest, options.output ?? {}, summary);
    await writeTrainedPackage(
      setup.base,
      outDir,
      {
        prefix: setup.prefix ? writeInitializers(setup.prefixBytes, graphWeights(PREFIX_KEY)) : setup.prefixBytes,
        expert: writeInitializers(setup.expertBytes, graphWeights(EXPERT_KEY)),
      },
      outManifest,
      options.overwrite ?? false,
    );
    const ran = losses.length;
    const stepsPerS = firstStepEndMs !== null && ran > 1 ? ((ran - 1) * 1000) / (trainingEndMs - firstStepEndMs) : null;
    emit({ phase: 'done', message: null, etaS: 0 });
    return {
      outDir,
      manifest: outManifest,
      steps: h.steps,
      startStep,
      losses,
      finalLoss: losses.at(-1) ?? null,
      smoothedLoss: meter.smoothedLoss,
      hyperparameters: h,
      prefixMode: chosen.mode,
      prefixModeNote: chosen.mode === 'perSample' ? chosen.reason : null,
      trainedParameters,
      stepsPerS,
      samplesPerS: stepsPerS === null ? null : stepsPerS * h.batchSize,
      durationS: (performance.now() - started) / 1000,
      checkpointPath: options.checkpoint?.path ?? null,
    };
  } catch (error) {
    if (error instanceof TrainingCancelledError) emit({ phase: 'cancelled', step, message: error.message, etaS: null });
    else emit({ phase: 'failed', message: (error as Error).message, etaS: null });
    throw error;
  } finally {
    // A failed step may have consumed some arrays already: release what is left, quietly.
    for (const release of cleanup.reverse())
      await Promise.resolve()
        .then(release)
        .catch(() => undefined);
  }
}
