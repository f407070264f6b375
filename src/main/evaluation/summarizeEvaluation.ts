import type { EpisodeResult, EvaluationSummary } from '../../shared/evaluation/evaluationTypes';
import { wilsonInterval95 } from '../../shared/evaluation/wilsonInterval';

const mean = (values: readonly number[]) =>
  values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null;

export function summarizeEpisodes(episodes: readonly EpisodeResult[]): EvaluationSummary {
  const successes = episodes.filter((episode) => episode.success);
  const expert = episodes.map((episode) => episode.expertStrokes).filter((n): n is number => n !== null);
  return {
    episodes: episodes.length,
    successes: successes.length,
    successRate: episodes.length ? successes.length / episodes.length : 0,
    successInterval95: wilsonInterval95(successes.length, episodes.length),
    meanStrokes: mean(episodes.map((episode) => episode.strokes)) ?? 0,
    meanStrokesOnSuccess: mean(successes.map((episode) => episode.strokes)),
    meanExpertStrokes: mean(expert),
    distractorGrasps: episodes.reduce((sum, episode) => sum + episode.distractorGrasps, 0),
    meanTimeToSuccessS: mean(successes.map((episode) => episode.timeToSuccessS!)),
  };
}

/** Overall and per-template summaries. */
export function summarizeByTemplate(episodes: readonly EpisodeResult[]) {
  const byTemplate: Record<string, EvaluationSummary> = {};
  for (const template of [...new Set(episodes.map((episode) => episode.template))])
    byTemplate[template] = summarizeEpisodes(episodes.filter((episode) => episode.template === template));
  return { overall: summarizeEpisodes(episodes), byTemplate };
}
