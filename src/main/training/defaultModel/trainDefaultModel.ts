import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EvaluationReport } from '../../../shared/evaluation/evaluationTypes';
import { evaluationRequestSchema } from '../../../shared/evaluation/evaluationTypes';
import { TASK_TEMPLATES } from '../../../shared/sim/world/tasks';
import { evaluatePolicy } from '../../evaluation/evaluatePolicy';
import { loadPackagePolicy } from '../../evaluation/packagePolicy';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { trainBehaviourCloning, type BcTrainingResult } from '../bc';
import type { TrainingProgress } from '../trainingTypes';
import { actionStats } from '../demonstrations/actionStats';
import { demoCacheDir, loadDemoCache, saveDemoCache } from '../demonstrations/demoCache';
import type { DemoConfig } from '../demonstrations/demoConfig';
import type { DemoDataset } from '../demonstrations/demoDataset';
import { JoinedDemoDataset } from '../demonstrations/joinedDemoDataset';
import { relabelledRollouts, type RelabelReport } from '../demonstrations/relabelledRollouts';
import { loadModelPackage } from '../../policy/modelPackage';
import { initializersOf, writeInitializers } from '../onnx';
import { generateDemonstrations } from '../demonstrations/generateDemonstrations';
import { writeDefaultModelPackage } from './buildDefaultModelPackage';
import { DEFAULT_MODEL_NAME } from './defaultManifest';
import type { DefaultModelSpec } from './defaultModelSpec';
import { warmUpLocalization, type WarmupOptions } from './localizationWarmup';

export interface DefaultTrainingPlan {
  appRoot: string;
  spec: DefaultModelSpec;
  demos: DemoConfig;
  /** More scenes, sparsely sampled, joined to `demos` for the localisation warm-up (null: none). */
  sceneDemos: DemoConfig | null;
  /** Behaviour cloning reads the scene demonstrations too (default: the dense demonstrations only). */
  sceneDemosInTraining?: boolean;
  /**
   * Take the warmed-up prefix from this package instead of running the warm-up (a package an earlier run with
   * the same demonstrations and warm-up options wrote: the warm-up is seeded, so its prefix is the same).
   */
  warmedPrefixFrom?: string | null;
  training: {
    steps: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    /** Behaviour cloning trains the expert alone on the warmed-up prefix's cached contexts. */
    freezePrefix: boolean;
  };
  /** Localisation warm-up of the prefix before behaviour cloning (steps 0: none). */
  warmup: WarmupOptions;
  /** DAgger-style rounds after behaviour cloning (null or 0 rounds: none). */
  relabel?: RelabelPlan | null;
  outDir: string;
  version: string;
  /** Demonstrations are cached here by config (null: always generate). */
  cacheRoot: string | null;
  workers: number;
  /** Attempts per template on the held-out seeds after training (0: no evaluation). */
  evalEpisodesPerTemplate: number;
  evalSeedSet: 'heldout' | 'train';
  log: (line: string) => void;
}

/**
 * Each round: the policy so far acts on training scenes nobody demonstrated, the scripted expert labels every
 * state it reached (relabelledRollouts), and behaviour cloning goes on from that policy over the dense
 * demonstrations and every round's relabelled states.
 */
export interface RelabelPlan {
  rounds: number;
  episodesPerTemplate: number;
  /** Round r acts on scenes sceneSeed('train', template, firstSeedIndex + r × 1000 + i). */
  firstSeedIndex: number;
  maxStrokes: number;
  /** Behaviour cloning steps per round, at this peak learning rate. */
  steps: number;
  learningRate: number;
}

export interface DefaultTrainingResult {
  demoSamples: number;
  demoSeconds: number;
  warmupSeconds: number;
  warmupFinalLoss: number | null;
  training: BcTrainingResult;
  /** Per relabelling round: its rollouts and its behaviour cloning. */
  relabelRounds: { report: RelabelReport; training: BcTrainingResult }[];
  evaluation: EvaluationReport | null;
  totalSeconds: number;
}

/** Where demonstrations come from and go: the cache, the threads that draw them, the log. */
export type DemonstrationSource = Pick<DefaultTrainingPlan, 'appRoot' | 'cacheRoot' | 'workers' | 'log'>;

/** A config's demonstrations from the cache, or generated (and cached). */
export async function demonstrations(plan: DemonstrationSource, config: DemoConfig): Promise<DemoDataset> {
  const cacheDir = plan.cacheRoot ? demoCacheDir(plan.cacheRoot, config) : null;
  const cached = cacheDir ? await loadDemoCache(cacheDir, config) : null;
  if (cached) {
    plan.log(`demonstrations: ${cached.size} samples from the cache ${cacheDir}`);
    return cached;
  }
  let lastLogMs = 0;
  const { dataset, report } = await generateDemonstrations(loadArmChain(plan.appRoot), config, {
    workers: plan.workers,
    appRoot: plan.appRoot,
    onEpisode: (done, total, samples) => {
      if (Date.now() - lastLogMs > 15_000 || done === total) {
        lastLogMs = Date.now();
        plan.log(`demonstrations: ${done}/${total} episodes, ${samples} samples`);
      }
    },
  });
  plan.log(
    `demonstrations: ${report.samples} samples from ${report.episodes - report.skippedEpisodes} episodes ` +
      `(${report.skippedEpisodes} unsuccessful left out) in ${report.durationS.toFixed(0)} s`,
  );
  if (cacheDir) await saveDemoCache(cacheDir, config, dataset);
  return dataset;
}

/**
 * coach-tiny from scratch: scripted-expert demonstrations on training seeds → an untrained package with
 * the demonstrations' action statistics → behaviour cloning (flow matching) → the trained package at
 * outDir → an evaluation on held-out seeds. Every step is seeded, so a run repeats.
 */
export async function trainDefaultModel(plan: DefaultTrainingPlan): Promise<DefaultTrainingResult> {
  const started = Date.now();
  const dense = await demonstrations(plan, plan.demos);
  const dataset = new JoinedDemoDataset(
    plan.sceneDemos ? [dense, await demonstrations(plan, plan.sceneDemos)] : [dense],
  );
  const demoSeconds = (Date.now() - started) / 1000;
  const stats = actionStats(dense);
  const baseDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-tiny-base-'));
  try {
    const chain = loadArmChain(plan.appRoot);
    await writeDefaultModelPackage(baseDir, chain, plan.spec, stats, {
      version: `${plan.version}-untrained`,
      description: 'coach-tiny before training (seeded initial weights).',
    });
    const warmupStarted = Date.now();
    let warmupFinalLoss: number | null = null;
    if (plan.warmedPrefixFrom) {
      const from = await loadModelPackage(plan.warmedPrefixFrom);
      const taken = await takeWarmedWeights(path.join(baseDir, 'prefix.onnx'), from.prefixPath);
      plan.log(`localisation warm-up: ${taken} of the prefix of ${from.dir} (not run again)`);
    } else if (plan.warmup.steps > 0) {
      const prefixPath = path.join(baseDir, 'prefix.onnx');
      const warmed = await warmUpLocalization(
        baseDir,
        new Uint8Array(await fs.readFile(prefixPath)),
        chain,
        plan.spec,
        dataset,
        plan.warmup,
        plan.log,
      );
      await fs.writeFile(prefixPath, warmed.prefix);
      const recent = warmed.losses.slice(-50);
      warmupFinalLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
    }
    const warmupSeconds = (Date.now() - warmupStarted) / 1000;
    const { steps, batchSize, learningRate, seed } = plan.training;
    const rounds = plan.relabel?.rounds ?? 0;
    const stageDir = (round: number) => (round === rounds ? plan.outDir : path.join(baseDir, `stage-${round}`));
    const demoParts = plan.sceneDemosInTraining ? dataset.parts : [dense];
    const demoSamples = demoParts.reduce((n, part) => n + part.size, 0);
    const cloned = `behaviour cloning on ${demoSamples} scripted-expert samples from the simulated tabletop (${steps} steps, batch ${batchSize}, learning rate ${learningRate}, seed ${seed})`;
    const training = await cloneBehaviour(plan, {
      modelDir: baseDir,
      dataset: new JoinedDemoDataset(demoParts),
      outDir: stageDir(0),
      steps,
      learningRate,
      description: cloned,
    });
    const relabelRounds: DefaultTrainingResult['relabelRounds'] = [];
    const relabelled: DemoDataset[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const { steps: roundSteps, learningRate: roundRate } = plan.relabel!;
      const { dataset: states, report } = await relabelRound(plan, stageDir(round), round);
      relabelled.push(states);
      const statesCount = relabelled.reduce((n, part) => n + part.size, 0);
      const roundTraining = await cloneBehaviour(plan, {
        modelDir: stageDir(round),
        dataset: new JoinedDemoDataset([...demoParts, ...relabelled]),
        outDir: stageDir(round + 1),
        steps: roundSteps,
        learningRate: roundRate,
        description:
          `${cloned}, then ${round + 1} round(s) on its own states labelled by the scripted expert ` +
          `(${statesCount} samples; ${roundSteps} steps a round, learning rate ${roundRate})`,
      });
      relabelRounds.push({ report, training: roundTraining });
    }
    const evaluation = plan.evalEpisodesPerTemplate > 0 ? await evaluate(plan) : null;
    return {
      demoSamples: dataset.size,
      demoSeconds,
      warmupSeconds,
      warmupFinalLoss,
      training,
      relabelRounds,
      evaluation,
      totalSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    await fs.rm(baseDir, { recursive: true, force: true });
  }
}

/** One behaviour-cloning stage of the run, logged as it goes. */
async function cloneBehaviour(
  plan: DefaultTrainingPlan,
  stage: {
    modelDir: string;
    dataset: JoinedDemoDataset;
    outDir: string;
    steps: number;
    learningRate: number;
    description: string;
  },
): Promise<BcTrainingResult> {
  const { batchSize, seed, freezePrefix } = plan.training;
  let lastLogMs = 0;
  const training = await trainBehaviourCloning({
    modelDir: stage.modelDir,
    dataset: stage.dataset,
    outDir: stage.outDir,
    overwrite: true,
    steps: stage.steps,
    batchSize,
    learningRate: stage.learningRate,
    seed,
    freezePrefix,
    output: {
      name: DEFAULT_MODEL_NAME,
      version: plan.version,
      trained: true,
      description:
        `Coach's default policy: a small image- and instruction-conditioned flow-matching policy trained by ` +
        `${stage.description}. Built by "npm run train:default"; see docs/default-policy.md.`,
    },
    onProgress: (progress: TrainingProgress) => {
      const now = Date.now();
      if (progress.phase !== 'training' || now - lastLogMs > 30_000 || progress.step === progress.totalSteps) {
        lastLogMs = now;
        plan.log(formatProgress(progress));
      }
    },
  });
  plan.log(
    `training: ${training.steps} steps in ${training.durationS.toFixed(0)} s ` +
      `(${training.stepsPerS?.toFixed(2) ?? '–'} steps/s), final loss ${training.finalLoss?.toFixed(4)}, ` +
      `smoothed ${training.smoothedLoss?.toFixed(4)}, ${training.trainedParameters} parameters`,
  );
  return training;
}

/** The policy in `modelDir` acts on this round's training scenes; the scripted expert labels where it went. */
async function relabelRound(
  plan: DefaultTrainingPlan,
  modelDir: string,
  round: number,
): Promise<{ dataset: DemoDataset; report: RelabelReport }> {
  const relabel = plan.relabel!;
  const loaded = await loadPackagePolicy(modelDir);
  try {
    let lastLogMs = 0;
    const result = await relabelledRollouts(
      loadArmChain(plan.appRoot),
      loaded.policy,
      {
        templates: [...TASK_TEMPLATES],
        episodesPerTemplate: relabel.episodesPerTemplate,
        firstSeedIndex: relabel.firstSeedIndex + round * 1000,
        maxStrokes: relabel.maxStrokes,
        noiseSeed: plan.training.seed,
      },
      (done, total, samples) => {
        if (Date.now() - lastLogMs > 15_000 || done === total) {
          lastLogMs = Date.now();
          plan.log(`relabelling round ${round + 1}: ${done}/${total} attempts, ${samples} states`);
        }
      },
    );
    const { report } = result;
    plan.log(
      `relabelling round ${round + 1}: the policy solved ${report.successes}/${report.episodes} training scenes; ` +
        `${report.samples} states labelled by the scripted expert in ${report.durationS.toFixed(0)} s`,
    );
    return result;
  } finally {
    await loaded.release();
  }
}

/**
 * Writes into the prefix at `prefixPath` the weights of `fromPath` that it has (same name, same size): the
 * warmed-up encoders and queries carry over to a prefix whose later layers differ. Returns what it took.
 */
async function takeWarmedWeights(prefixPath: string, fromPath: string): Promise<string> {
  const own = await initializersOf(prefixPath);
  const warmed = Object.entries(await initializersOf(fromPath)).filter(
    ([name, values]) => own[name]?.length === values.length,
  );
  await fs.writeFile(
    prefixPath,
    writeInitializers(new Uint8Array(await fs.readFile(prefixPath)), Object.fromEntries(warmed)),
  );
  return `${warmed.length} of ${Object.keys(own).length} weights`;
}

function formatProgress(p: TrainingProgress): string {
  const parts = [`training: ${p.phase}`, `step ${p.step}/${p.totalSteps}`];
  if (p.smoothedLoss !== null) parts.push(`loss ${p.smoothedLoss.toFixed(4)}`);
  if (p.phase === 'training') parts.push(`lr ${p.learningRate.toExponential(2)}`);
  if (p.stepsPerS !== null) parts.push(`${p.stepsPerS.toFixed(2)} steps/s`);
  if (p.etaS !== null && p.phase === 'training') parts.push(`eta ${(p.etaS / 60).toFixed(1)} min`);
  if (p.message) parts.push(p.message);
  return parts.join(', ');
}

async function evaluate(plan: DefaultTrainingPlan): Promise<EvaluationReport> {
  const loaded = await loadPackagePolicy(plan.outDir);
  try {
    const request = evaluationRequestSchema.parse({
      modelPath: plan.outDir,
      templates: [...TASK_TEMPLATES],
      episodesPerTemplate: plan.evalEpisodesPerTemplate,
      seedSet: plan.evalSeedSet,
    });
    return await evaluatePolicy(loadArmChain(plan.appRoot), loaded.policy, loaded.model, request);
  } finally {
    await loaded.release();
  }
}
