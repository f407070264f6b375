import { TASK_TEMPLATES, type TaskTemplate } from '../../../shared/sim/world/tasks';
import { MAX_DISTRACTORS } from '../../../shared/sim/world/sceneGenerator';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../../shared/sim/world/tabletopWorld';
import { assertTrainingSeed, sceneSeed } from '../../../shared/evaluation/seedSets';

/** What a set of scripted-expert demonstrations is made of; the same config always gives the same data. */
export interface DemoConfig {
  templates: TaskTemplate[];
  episodesPerTemplate: number;
  /**
   * Demonstrations use training seeds sceneSeed('train', template, firstSeedIndex + i). Indices below it
   * are left for validating on training scenes nobody demonstrated (coach eval --seed-set train).
   */
  firstSeedIndex: number;
  /** Of every `noisyEvery` episodes, all but the first execute noisy actions (the labels stay clean). */
  noisyEvery: number;
  /** Std of the execution noise on translations (m); rotations get 5× it in rad, as the expert's own. */
  noiseStd: number;
  camera: { widthPx: number; heightPx: number };
  /** Also draw the wrist camera at this size, with its keypoint labels (absent: the scene camera only). */
  wristCamera?: { widthPx: number; heightPx: number };
  chunkLength: number;
  /** A sample at every this-many steps. */
  sampleEvery: number;
  gripperSpeedMmS: number;
  maxSteps: number;
  dtS: number;
  /**
   * World-model transitions: at each chunk boundary, the probability that the arm executes a random chunk
   * instead of the expert's actions (default 0: demonstrations).
   */
  randomChunkProbability?: number;
  /** What a sample's actions are: the expert's clean labels (default) or the actions executed (world models). */
  actionsOf?: 'labels' | 'executed';
  /** Keep the samples of episodes the expert did not finish (world models learn from every transition). */
  keepFailures?: boolean;
}

export const DEFAULT_DEMO_CONFIG: DemoConfig = {
  templates: [...TASK_TEMPLATES],
  episodesPerTemplate: 150,
  firstSeedIndex: 1000,
  noisyEvery: 2,
  noiseStd: 0.004,
  camera: { widthPx: 160, heightPx: 120 },
  wristCamera: { widthPx: 96, heightPx: 72 },
  chunkLength: 5,
  sampleEvery: 1,
  gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S,
  maxSteps: 300,
  dtS: 0.1,
};

/**
 * Many more scenes, sparsely sampled (a sample every 25th step, about four an episode): 6,000 layouts
 * against the dense set's 450, so the localisation warm-up sees enough different scenes to generalise: with
 * the dense set alone the prefix found the named object 3.5 px off (median) on its own scenes but 7.3 px off
 * on held-out ones, where a pixel is 8–10 mm on the table; with these too, 2.9 px on held-out ones. Seeds
 * follow the dense set's (indices 2000 …).
 */
export const SCENE_DEMO_CONFIG: DemoConfig = {
  ...DEFAULT_DEMO_CONFIG,
  episodesPerTemplate: 2000,
  firstSeedIndex: 2000,
  sampleEvery: 25,
};

const { wristCamera: _wrist, ...sceneCameraOnly } = DEFAULT_DEMO_CONFIG;
/** The default demonstrations without the wrist camera (the world model; packages that take the scene camera only). */
export const SCENE_CAMERA_ONLY: DemoConfig = sceneCameraOnly;

/**
 * Transitions for the world model (npm run train:wm): the scripted expert on other training scenes
 * (indices 6000 …), a random chunk instead of the expert's at 30 % of chunk boundaries, every step drawn,
 * the executed actions as the samples' actions, failures kept.
 */
export const WM_TRANSITION_CONFIG: DemoConfig = {
  ...SCENE_CAMERA_ONLY,
  episodesPerTemplate: 100,
  firstSeedIndex: 6000,
  maxSteps: 200,
  randomChunkProbability: 0.3,
  actionsOf: 'executed',
  keepFailures: true,
};

/** One demonstration episode to run. */
export interface DemoEpisodePlan {
  template: TaskTemplate;
  seed: number;
  distractors: number;
  noiseStd: number;
  /** See DemoConfig.randomChunkProbability (default 0). */
  randomChunkProbability?: number;
}

/**
 * The episodes of a config, templates interleaved: distractor counts cycle 0…3 and noise follows
 * `noisyEvery`. Every seed is a training seed (checked).
 */
export function planDemoEpisodes(config: DemoConfig): DemoEpisodePlan[] {
  const plans: DemoEpisodePlan[] = [];
  for (let i = 0; i < config.episodesPerTemplate; i += 1) {
    for (const template of config.templates) {
      const seed = sceneSeed('train', template, config.firstSeedIndex + i);
      assertTrainingSeed(seed);
      plans.push({
        template,
        seed,
        distractors: i % (MAX_DISTRACTORS + 1),
        noiseStd: i % config.noisyEvery === 0 ? 0 : config.noiseStd,
        randomChunkProbability: config.randomChunkProbability ?? 0,
      });
    }
  }
  return plans;
}
