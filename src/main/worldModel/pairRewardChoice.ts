import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import { PAIR_REWARDS, type PairRewardName, type PairSource } from '../../shared/refine/pairTypes';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { combinedReward, GTA_WEIGHT_WITH_WM, gtaReward, type ActionReward } from '../refine/pairs/rewards';
import { GoalFrames, type GoalChoice } from './goalFrames';
import { loadWorldModelPackage } from './worldModelPackage';
import { WorldModelRuntime } from './worldModelRuntime';
import { worldModelReward } from './wmReward';

export { PAIR_REWARDS, type PairRewardName };

/** The world-model package Coach ships, used when none is chosen. */
export const DEFAULT_WORLD_MODEL_DIR = 'resources/world-models/coach-wm';

export function defaultWorldModelPath(appRoot: string): string {
  return path.join(appRoot, DEFAULT_WORLD_MODEL_DIR);
}

export interface PairRewardRequest {
  reward: PairRewardName;
  /** The world-model package (default: the shipped coach-wm). */
  worldModelPath?: string;
  /** GTA's weight next to the energy (default 0.1). */
  gtaWeight?: number;
  /** The operator's goal frame (default: per attempt, see GoalFrames). */
  goal?: GoalChoice;
}

export interface OpenPairReward {
  reward: { reward: ActionReward; source: Exclude<PairSource, 'label'> };
  goals?: GoalFrames;
  /** The world model in use, when one is. */
  worldModel: { name: string; version: string; path: string; provider: string } | null;
  release(): Promise<void>;
}

/** Opens the reward a pair build asks for (loading the world model when it needs one). */
export async function openPairReward(
  request: PairRewardRequest,
  episodes: { root: string; catalog: EpisodeCatalog },
  appRoot: string,
): Promise<OpenPairReward> {
  if (request.reward === 'gta')
    return { reward: { reward: gtaReward, source: 'gta' }, worldModel: null, release: () => Promise.resolve() };
  if (!(PAIR_REWARDS as readonly string[]).includes(request.reward))
    throw new CoachError(
      'invalid_arguments',
      `the reward must be one of ${PAIR_REWARDS.join(', ')}, got "${request.reward}"`,
    );
  const modelPath = path.resolve(request.worldModelPath ?? defaultWorldModelPath(appRoot));
  const pkg = await loadWorldModelPackage(modelPath);
  const runtime = await WorldModelRuntime.load(pkg);
  const wm = worldModelReward(runtime);
  const reward = request.reward === 'wm' ? wm : combinedReward(wm, gtaReward, request.gtaWeight ?? GTA_WEIGHT_WITH_WM);
  const { camera } = pkg.manifest;
  return {
    reward: { reward, source: 'wm' },
    goals: new GoalFrames(
      episodes.root,
      episodes.catalog,
      { widthPx: camera.widthPx, heightPx: camera.heightPx, camera: camera.name },
      request.goal ?? null,
    ),
    worldModel: { name: pkg.manifest.name, version: pkg.manifest.version, path: pkg.dir, provider: runtime.provider },
    release: () => runtime.release(),
  };
}
