import type { EpisodeResult, EvaluationReport, EvaluationRequest } from '../../shared/evaluation/evaluationTypes';
import { sceneSeed } from '../../shared/evaluation/seedSets';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { runSimAttempt, type ChunkPolicy } from './simAttempt';
import { summarizeByTemplate } from './summarizeEvaluation';

export interface EvaluateOptions {
  onEpisode?: (result: EpisodeResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs `episodesPerTemplate` attempts per task template on the request's seed set (the same scenes for
 * every model, so versions compare on equal terms) and summarises success with 95 % intervals, strokes
 * against the scripted expert's, distractor grasps and time to success.
 */
export async function evaluatePolicy(
  chain: KinematicChain,
  policy: ChunkPolicy,
  model: EvaluationReport['model'],
  request: EvaluationRequest,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const startedAtMs = Date.now();
  const total = request.templates.length * request.episodesPerTemplate;
  const episodes: EpisodeResult[] = [];
  for (let index = 0; index < request.episodesPerTemplate; index += 1) {
    for (const template of request.templates) {
      const seed = sceneSeed(request.seedSet, template, index);
      const result = await runSimAttempt(chain, policy, template, seed, {
        maxStrokes: request.maxStrokes,
        noiseSeed: request.seed * 100_003 + index * 1_009,
        signal: options.signal,
      });
      episodes.push(result);
      options.onEpisode?.(result, episodes.length, total);
    }
  }
  return {
    id: null,
    model,
    request,
    startedAtMs,
    durationS: (Date.now() - startedAtMs) / 1000,
    ...summarizeByTemplate(episodes),
    episodes,
  };
}
