import path from 'node:path';
import type { GoalProgress } from '../../shared/policy/policyTypes';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { taskOf } from '../episodes/catalog/catalogRows';
import type { RawImage } from '../policy/imagePreprocess';
import { frameRgb } from '../refine/pairs/frameRgb';
import type { GoalFrame } from '../refine/pairs/rewards';
import { GoalFrames } from './goalFrames';
import { loadWorldModelPackage } from './worldModelPackage';
import { WorldModelRuntime, type WmObservation } from './worldModelRuntime';

/** What the runner hands over at each chunk: the policy's pictures and state, and the chunk it is about to run. */
export interface ProgressObservation {
  /** By camera name, the policy camera first (the world model reads its camera's, else the first). */
  images: Record<string, RawImage>;
  instruction: string;
  robotState: number[];
  /** The chunk's physical actions, [chunk × dims] flat, in the policy's action space. */
  chunk: Float32Array;
  actionSpace: string;
}

/**
 * A picture as the world model's encoder takes it: RGB bytes; a JPEG from a real camera decoded straight to the
 * world model's camera size (frameRgb, the policies' pipeline).
 */
async function wmObservation(
  image: RawImage,
  size: { widthPx: number; heightPx: number },
  instruction: string,
  robotState: number[],
): Promise<WmObservation> {
  if (image.format === 'rgb24')
    return { rgb: image.data, widthPx: image.widthPx, heightPx: image.heightPx, instruction, robotState };
  const rgb = await frameRgb(image.data, size.widthPx, size.heightPx);
  return { rgb, widthPx: size.widthPx, heightPx: size.heightPx, instruction, robotState };
}

/** 1 − energy / the attempt's first energy, kept within 0 … 1 (past the start it reads 0, at the goal 1). */
export function progressFraction(energy: number, startEnergy: number): number {
  if (!(startEnergy > 0)) return energy <= 0 ? 1 : 0;
  return Math.min(1, Math.max(0, 1 - energy / startEnergy));
}

/** One attempt's tracking: the goal's latent and the first observation's energy. */
export class GoalProgressTracker {
  private startEnergy: number | null = null;

  constructor(
    private readonly runtime: WorldModelRuntime,
    private readonly goal: GoalFrame,
    private readonly goalLatent: Float32Array,
    private readonly label: string,
  ) {}

  /** The energy of this observation against the goal, and the predictor's after the chunk when it can run it. */
  async observe(observation: ProgressObservation): Promise<GoalProgress> {
    const { camera } = this.runtime.manifest;
    const image = observation.images[camera.name] ?? Object.values(observation.images)[0];
    if (!image) throw new Error('the observation has no picture');
    const [latent] = await this.runtime.encode([
      await wmObservation(image, camera, observation.instruction, observation.robotState),
    ]);
    const energy = this.runtime.energy(latent!, this.goalLatent);
    this.startEnergy ??= energy;
    const { action } = this.runtime.manifest;
    const predicts =
      observation.actionSpace === action.space && observation.chunk.length === action.chunkLength * action.dims;
    const predictedEnergy = predicts
      ? this.runtime.energy((await this.runtime.finalLatents(latent!, [observation.chunk]))[0]!, this.goalLatent)
      : null;
    return {
      state: 'on',
      fraction: progressFraction(energy, this.startEnergy),
      predictedFraction: predictedEnergy === null ? null : progressFraction(predictedEnergy, this.startEnergy),
      energy,
      goal: { ...this.goal.ref },
      worldModel: this.label,
    };
  }
}

/**
 * The world model's progress toward the goal while an attempt runs (the run panel's bar): the energy of each
 * observation against the goal frame of the latest successful attempt of the same task (GoalFrames), as a
 * fraction of the way from where the attempt started. The world model is the one refinement uses
 * (settings' refine.worldModelPath, else the shipped coach-wm), loaded on the first attempt and kept.
 */
export class GoalProgressService {
  private loaded: { path: string; runtime: Promise<WorldModelRuntime> } | null = null;

  constructor(
    private readonly episodes: { root: string; catalog: EpisodeCatalog },
    private readonly worldModelPath: () => string,
  ) {}

  /** A tracker for an attempt at `instruction`, or why there is none (in the operator's words). */
  async start(instruction: string): Promise<GoalProgressTracker | string> {
    let runtime: WorldModelRuntime;
    try {
      runtime = await this.runtime();
    } catch (error) {
      return `the world model did not load: ${(error as Error).message}`;
    }
    const { camera, name, version } = runtime.manifest;
    const goals = new GoalFrames(this.episodes.root, this.episodes.catalog, {
      widthPx: camera.widthPx,
      heightPx: camera.heightPx,
      camera: camera.name,
    });
    let goal: GoalFrame | null;
    try {
      goal = await goals.forTask(taskOf(instruction));
    } catch (error) {
      return `its goal frame could not be read: ${(error as Error).message}`;
    }
    if (!goal) return `no successful attempt of "${taskOf(instruction)}" yet to take a goal frame from`;
    const [goalLatent] = await runtime.encode([{ ...goal, instruction }]);
    return new GoalProgressTracker(runtime, goal, goalLatent!, `${name} ${version}`);
  }

  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) await (await loaded.runtime.catch(() => null))?.release();
  }

  private async runtime(): Promise<WorldModelRuntime> {
    const wanted = path.resolve(this.worldModelPath());
    if (this.loaded?.path !== wanted) {
      const previous = this.loaded;
      const runtime = loadWorldModelPackage(wanted).then((pkg) => WorldModelRuntime.load(pkg));
      this.loaded = { path: wanted, runtime };
      runtime.catch(() => {
        if (this.loaded?.runtime === runtime) this.loaded = null;
      });
      if (previous) void previous.runtime.then((old) => old.release()).catch(() => undefined);
    }
    return this.loaded!.runtime;
  }
}
