import type { EpisodeReplay, EpisodeSummary } from '../../../shared/episodes/episodeTypes';
import type { EpisodeReader } from '../store/episodeReader';

/** The replay view's joint plot needs no more than this. */
const REPLAY_STATE_HZ = 50;

/** Steps, stroke starts, resampled joints and frame times of one episode. */
export async function buildReplay(episode: EpisodeSummary, reader: EpisodeReader): Promise<EpisodeReplay> {
  const steps = await reader.steps();
  const samples = await reader.state();
  const strokeStartsS: number[] = [];
  let lastStroke = -1;
  for (const step of steps) {
    if (step.stroke !== lastStroke) strokeStartsS.push(step.tS);
    lastStroke = step.stroke;
  }
  const state: EpisodeReplay['state'] = { tS: [], qRad: [] };
  let nextS = -Infinity;
  for (const sample of samples) {
    if (sample.tS < nextS) continue;
    nextS = sample.tS + 1 / REPLAY_STATE_HZ;
    state.tS.push(sample.tS);
    state.qRad.push(sample.posRad.map((value) => (Number.isFinite(value) ? value : 0)));
  }
  const cameras: EpisodeReplay['cameras'] = [];
  const missingFrames: EpisodeReplay['missingFrames'] = {};
  for (const camera of reader.header.cameras) {
    const index = await reader.frameIndex(camera.name);
    const first = index[0];
    cameras.push({
      name: camera.name,
      widthPx: first?.widthPx ?? camera.widthPx,
      heightPx: first?.heightPx ?? camera.heightPx,
      tS: index.map((record) => record.tS),
    });
    const missing = await reader.missingFrames(camera.name, index);
    if (missing.length) missingFrames[camera.name] = missing.map((record) => record.i);
  }
  return {
    episode,
    actionNames: reader.header.action.names,
    steps: steps.map((step) => ({
      tS: step.tS,
      stroke: step.stroke,
      action: step.action,
      jointTargetRad: step.jointTargetRad,
    })),
    strokeStartsS,
    state,
    cameras,
    missingFrames,
  };
}
