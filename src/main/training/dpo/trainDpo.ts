import path from 'node:path';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import type { HostFeed } from '../bc/batchBuilder';
import { FrozenPrefixContext } from '../bc/frozenContext';
import { EXPERT_KEY, PREFIX_KEY } from '../bc/bcStep';
import { jaxFeed, jaxFeeds, samplesOfFeeds, type PrefixMode } from '../bc/prefixContext';
import { ProgressMeter } from '../bc/progressMeter';
import { flowMatchingPair } from '../bc/stepDraws';
import { checkOutputDir, trainedManifest, writeTrainedPackage } from '../bc/trainedPackage';
import { TrainingCancelledError, TrainingError } from '../bc/trainingErrors';
import { ONNX_TYPE, readWeights, writeInitializers, type Params } from '../onnx';
import { blockUntilReady, tree } from '../onnx/jax';
import { adamWScalarArrays, initAdamW } from '../optim/adamW';
import { learningRateAt } from '../optim/learningRateSchedule';
import { drawDpoStep, PairOrder } from './dpoDraws';
import type { DpoBatch } from './dpoLoss';
import { DpoMeter, stepMetrics, type DpoCurves, type DpoStepMetrics } from './dpoMetrics';
import { resolveDpoHyperparameters, type DpoHyperparameters, type DpoTrainingOptions } from './dpoOptions';
import { choosePairPrefixMode, loadDpoPackage, readPairs } from './dpoSetup';
import { buildDpoStep } from './dpoStep';
import { trainingProgressEmitter } from '../trainingProgressEmitter';

export interface DpoTrainingResult {
  outDir: string;
  manifest: ModelManifest;
  /** Updates run: hyperparameters.steps, or fewer when an early-stop rule fired. */
  steps: number;
  /** Why the run stopped before hyperparameters.steps, or null. */
  stoppedEarly: string | null;
  pairs: number;
  /** Per step: loss, implicit accuracy, mean margin, the policy's errors on chosen and rejected chunks. */
  curves: DpoCurves;
  /** Means over the last window of steps (the early-stop window, else 50). */
  final: DpoStepMetrics;
  hyperparameters: DpoHyperparameters;
  /** 'frozen' (the default), or how the trained prefix met a batch. */
  prefixMode: PrefixMode;
  trainedParameters: number;
  /** Training steps a second, without the first step (which compiles the step function). */
  stepsPerS: number | null;
  /** Pairs a second through the training steps (stepsPerS × batch). */
  pairsPerS: number | null;
  /** Reading the pairs and computing their prefix contexts. */
  preparingS: number;
  /** onnxruntime runs of the frozen prefix: one per observation (pairs sharing one, by observationKey, share it). */
  prefixRuns: number;
  /** The whole call. */
  durationS: number;
}

const DEFAULT_PROGRESS_EVERY = 10;
const DEFAULT_CONTEXT_CACHE_BYTES = 2 * 2 ** 30;
const DEFAULT_WINDOW = 50;
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A [B, …] feed stacked on itself, [2B, …]: the context of the chosen rows, then of the rejected rows. */
function twice(feed: HostFeed): HostFeed {
  const Constructor = feed.data.constructor as new (length: number) => HostFeed['data'];
  const data = new Constructor(2 * feed.data.length);
  data.set(feed.data);
  data.set(feed.data, feed.data.length);
  return { data, dims: [2 * feed.dims[0]!, ...feed.dims.slice(1)], onnxType: feed.onnxType };
}

const figure = (value: number) => Number(value.toPrecision(3));

/** A graph's params under the trainer's keys ("expert/…", "prefix/…"), and back. */
const keyed = (params: Params, key: string): Params =>
  Object.fromEntries(Object.entries(params).map(([name, array]) => [key + name, array]));
const unkeyed = <T>(values: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([name]) => name.startsWith(key))
      .map(([name, value]) => [name.slice(key.length), value]),
  );

/** TrainingProgress.metrics of a DPO step: the step's figures and their windowed means ("smoothed…"). */
function progressMetrics(step: DpoStepMetrics, window: Omit<DpoStepMetrics, 'loss'>): Record<string, number> {
  return {
    accuracy: step.accuracy,
    margin: step.margin,
    chosenError: step.chosenError,
    rejectedError: step.rejectedError,
    smoothedAccuracy: window.accuracy,
    smoothedMargin: window.margin,
    smoothedChosenError: window.chosenError,
    smoothedRejectedError: window.rejectedError,
  };
}

/**
 * Refines a model package with Diffusion-DPO on its flow-matching expert (src/main/training/dpo/index.ts):
 * the prefix is frozen by default (each pair's context computed once by onnxruntime and cached), the
 * expert trains against a frozen reference copy of its starting weights, and the refined weights are
 * written into a copy of the package at `outDir`. Progress goes to `onProgress`; `signal` cancels between steps
 * (TrainingCancelledError, nothing written).
 */
export async function trainDpo(options: DpoTrainingOptions): Promise<DpoTrainingResult> {
  const started = performance.now();
  const { pairs, signal } = options;
  const outDir = path.resolve(options.outDir);
  const progress = trainingProgressEmitter(options);
  const emit = progress.emit;
  emit({});

  const cleanup: (() => void | Promise<void>)[] = [];
  let step = 0;
  try {
    const h = resolveDpoHyperparameters(options, pairs.size);
    progress.setTotalSteps(h.steps);
    await checkOutputDir(outDir, options.overwrite ?? false);
    const setup = await loadDpoPackage(options.modelDir, pairs, h.batchSize, h.freezePrefix);
    cleanup.push(
      () => setup.expert.dispose(),
      () => setup.prefix?.dispose(),
    );
    const manifest = setup.base.pkg.manifest;
    const frozen = await FrozenPrefixContext.create(
      setup.base.pkg.prefixPath,
      manifest,
      setup.builder,
      options.contextCacheBytes ?? DEFAULT_CONTEXT_CACHE_BYTES,
      { what: 'pair', ...(pairs.observationKey ? { keyOf: (index) => pairs.observationKey!(index) } : {}) },
    );
    cleanup.push(() => frozen.release());
    const chunks = await readPairs(
      pairs,
      setup,
      frozen,
      (done) => {
        if (done % 100 === 0 || done === pairs.size)
          emit({ message: `reading pair ${done} of ${pairs.size} and its prefix context` });
      },
      signal,
    );
    const prefixChoice: { mode: PrefixMode; reason: string | null } = setup.prefix
      ? await choosePairPrefixMode(setup, pairs, h.batchSize)
      : { mode: 'frozen', reason: null };
    const prefixMode = prefixChoice.mode;
    const preparingS = (performance.now() - started) / 1000;

    let params: Params = keyed(setup.expert.params, EXPERT_KEY);
    const reference: Params = tree.ref(params);
    if (setup.prefix) params = { ...params, ...keyed(setup.prefix.params, PREFIX_KEY) };
    let state = initAdamW(params);
    cleanup.push(() => tree.dispose([params, state, reference]));
    const decayed = new Set(
      Object.entries(params)
        .filter(([, p]) => p.shape.length >= 2)
        .map(([key]) => key),
    );
    const trainedParameters = Object.values(params).reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
    const graphs = { manifest, expert: setup.expert, prefix: setup.prefix };
    const trainStep = buildDpoStep(graphs, {
      beta: h.beta,
      chosenFlowWeight: h.chosenFlowWeight,
      adamW: h.adamW,
      maxGradNorm: h.maxGradNorm,
      decayed,
    });
    cleanup.push(() => trainStep.dispose());

    const schedule = {
      peakLearningRate: h.learningRate,
      warmupSteps: h.warmupSteps,
      totalSteps: h.steps,
      minLearningRate: h.minLearningRate,
    };
    const order = new PairOrder(h.seed, pairs.size);
    const meter = new DpoMeter(h.earlyStop?.windowSteps ?? DEFAULT_WINDOW, h.earlyStop);
    const rate = new ProgressMeter(h.steps);
    const every = Math.max(1, options.progressEverySteps ?? DEFAULT_PROGRESS_EVERY);
    const { chunkLength, dims } = manifest.action;
    const rows = 2 * h.batchSize;
    let firstStepEndMs: number | null = null;
    let stoppedEarly: string | null = null;
    let learningRate = learningRateAt(schedule, 0);
    const windowMetrics = () => ({
      accuracy: meter.windowMean('accuracy')!,
      margin: meter.windowMean('margin')!,
      chosenError: meter.windowMean('chosenError')!,
      rejectedError: meter.windowMean('rejectedError')!,
    });

    emit({ phase: 'training', step: 0, learningRate, message: prefixChoice.reason });
    for (step = 0; step < h.steps; step += 1) {
      await yieldToEvents();
      if (signal?.aborted) throw new TrainingCancelledError(step);
      const draws = drawDpoStep(h.seed, step, order, h.batchSize, setup.builder.valuesPerSample, h.noise);
      const pair = flowMatchingPair(chunks.batchActions(draws.indices), draws);
      const context = await frozen.contexts(pairs, draws.indices);
      const actionDims = [rows, chunkLength, dims];
      const batch: DpoBatch = {
        context: jaxFeeds(Object.fromEntries(Object.entries(context).map(([name, feed]) => [name, twice(feed)]))),
        noisyActions: jaxFeed({ data: pair.noisyActions, dims: actionDims, onnxType: ONNX_TYPE.float32 }),
        times: jaxFeed({ data: draws.times, dims: [rows], onnxType: ONNX_TYPE.float32 }),
        targetVelocity: jaxFeed({ data: pair.targetVelocity, dims: actionDims, onnxType: ONNX_TYPE.float32 }),
      };
      if (prefixMode !== 'frozen') {
        const feeds = setup.builder.prefixFeeds(draws.indices.map((index) => pairs.get(index)));
        batch.prefix = prefixMode === 'batched' ? jaxFeeds(feeds) : samplesOfFeeds(feeds, h.batchSize).map(jaxFeeds);
      }

      learningRate = learningRateAt(schedule, step);
      const result = trainStep.run(params, reference, state, batch, adamWScalarArrays(h.adamW, step, learningRate));
      params = await blockUntilReady(result.params);
      state = await blockUntilReady(result.state);
      result.gradNorm.dispose();
      const loss = result.loss.item();
      const metrics = stepMetrics(
        loss,
        await result.aux.margin.data(),
        await result.aux.chosenError.data(),
        await result.aux.rejectedError.data(),
      );
      if (!Number.isFinite(loss) || !Number.isFinite(metrics.margin))
        throw new TrainingError(
          'training_diverged',
          `the DPO loss became ${loss} at step ${step} (mean margin ${metrics.margin}); lower the learning rate or β`,
          { step },
        );
      meter.record(metrics);
      rate.record(loss);
      firstStepEndMs ??= performance.now();
      const done = step + 1;
      stoppedEarly = meter.stopReason(done > h.warmupSteps);
      if (done % every === 0 || done === h.steps || stoppedEarly)
        emit({
          step: done,
          loss,
          smoothedLoss: meter.windowMean('loss'),
          learningRate,
          stepsPerS: rate.stepsPerS,
          etaS: stoppedEarly ? 0 : rate.etaS(done),
          metrics: progressMetrics(metrics, windowMetrics()),
        });
      if (stoppedEarly) break;
    }
    const trainingEndMs = performance.now();
    const ran = meter.steps;
    if (signal?.aborted) throw new TrainingCancelledError(ran);

    emit({ phase: 'writing', message: `writing ${outDir}` });
    const final: DpoStepMetrics = { loss: meter.windowMean('loss')!, ...windowMetrics() };
    const summary =
      `Refined by DPO (Diffusion-DPO on the flow-matching expert, prefix ${setup.prefix ? 'trained too' : 'frozen'}): ${pairs.size} preference pairs, ` +
      `${ran} steps${stoppedEarly ? ` (stopped early: ${stoppedEarly})` : ''}, batch ${h.batchSize} pairs, β ${h.beta}, ` +
      `${h.noise} noise${h.chosenFlowWeight > 0 ? `, chosen-chunk flow weight ${h.chosenFlowWeight}` : ''}, peak learning rate ${h.learningRate}, seed ${h.seed}; over the last ${meter.windowSteps} steps ` +
      `implicit accuracy ${figure(final.accuracy)}, mean margin ${figure(final.margin)}.`;
    const outManifest = trainedManifest(manifest, options.output ?? {}, summary, '+dpo', manifest.trained);
    const weights = await readWeights(params);
    await writeTrainedPackage(
      setup.base,
      outDir,
      {
        prefix: setup.prefix ? writeInitializers(setup.prefixBytes, unkeyed(weights, PREFIX_KEY)) : setup.prefixBytes,
        expert: writeInitializers(setup.expertBytes, unkeyed(weights, EXPERT_KEY)),
      },
      outManifest,
      options.overwrite ?? false,
    );
    const stepsPerS = firstStepEndMs !== null && ran > 1 ? ((ran - 1) * 1000) / (trainingEndMs - firstStepEndMs) : null;
    emit({ phase: 'done', step: ran, message: null, etaS: 0 });
    return {
      outDir,
      manifest: outManifest,
      steps: ran,
      stoppedEarly,
      pairs: pairs.size,
      curves: meter.curves,
      final,
      hyperparameters: h,
      prefixMode,
      trainedParameters,
      stepsPerS,
      pairsPerS: stepsPerS === null ? null : stepsPerS * h.batchSize,
      preparingS,
      prefixRuns: frozen.runs,
      durationS: (performance.now() - started) / 1000,
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
