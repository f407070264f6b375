import { CoachError } from '../../../shared/contract/errors';
import type { PreferencePair } from '../../../shared/refine/pairTypes';
import path from 'node:path';
import { cameraDir, episodeDir, frameFileName } from '../../episodes/store/episodeFormat';
import { EpisodeReader } from '../../episodes/store/episodeReader';
import { moreCameraFrames, type CameraFrame } from './cameraFrames';

/** The policy camera's frame a pair stores, as a file in the episodes folder `root`. */
export function pairFrameFile(root: string, pair: Pick<PreferencePair, 'episodeId' | 'camera' | 'frameIndex'>): string {
  return path.join(cameraDir(root, pair.episodeId, pair.camera), frameFileName(pair.frameIndex));
}

/** By pair id, each of the model's other cameras' frame at the pair's observation, by camera name. */
export type PairCameraFrames = Map<number, Record<string, CameraFrame>>;

/**
 * The frames of `cameras` (a model's cameras besides the policy camera) at each pair's observation: the
 * newest frame at or before its step, as the builder chose them. A pair stores the policy camera's frame
 * only, so the others are derived from its episode here (pairs built for a one-camera model serve a
 * two-camera one). Throws (code `pairs_missing_camera`) when an episode recorded no frames from one of
 * them, and (code `pairs_missing_frames`) when a frame file is gone or the step is not in the episode.
 */
export async function pairCameraFrames(
  root: string,
  pairs: readonly PreferencePair[],
  cameras: readonly string[],
): Promise<PairCameraFrames> {
  const frames: PairCameraFrames = new Map();
  if (cameras.length === 0) return frames;
  const byEpisode = new Map<number, PreferencePair[]>();
  for (const pair of pairs) {
    const list = byEpisode.get(pair.episodeId);
    if (list) list.push(pair);
    else byEpisode.set(pair.episodeId, [pair]);
  }
  for (const [episodeId, episodePairs] of byEpisode) {
    const reader = await EpisodeReader.open(episodeDir(root, episodeId), episodeId);
    const stepTimes = new Map((await reader.steps()).map((step) => [step.i, step.tS]));
    const more = await moreCameraFrames(reader, cameras);
    for (const pair of episodePairs) {
      const tS = stepTimes.get(pair.stepIndex);
      if (tS === undefined)
        throw new CoachError(
          'pairs_missing_frames',
          `pair ${pair.id}: episode ${episodeId} has no step ${pair.stepIndex} (steps.jsonl changed since the pair ` +
            'was built?). Discard the pair, or restore the episode folder from a backup.',
        );
      frames.set(
        pair.id,
        Object.fromEntries([...more].map(([name, cameraFrames]) => [name, cameraFrames.at(tS, pair.stepIndex)])),
      );
    }
  }
  return frames;
}
