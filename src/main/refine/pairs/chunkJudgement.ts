import type { EpisodeSummary } from '../../../shared/episodes/episodeTypes';

/** The operator's word on one executed chunk; null: none (an unlabelled attempt, no mark over it). */
export type ChunkJudgement = 'good' | 'bad' | 'unsure' | null;

/**
 * What the labels say of a chunk executed from fromS to toS. Time marks override the attempt's label: a chunk
 * belongs to a mark when the middle of its executed span lies in it; a bad mark wins over the others (any
 * attempt), then unsure, then good (a good mark inside a bad attempt makes its chunks good). Without a mark,
 * the attempt's label.
 */
export function judgeChunk(
  episode: Pick<EpisodeSummary, 'label' | 'marks'>,
  fromS: number,
  toS: number,
): ChunkJudgement {
  const midS = (fromS + toS) / 2;
  const over = new Set(episode.marks.filter((mark) => mark.startS <= midS && midS <= mark.endS).map((m) => m.label));
  if (over.has('bad')) return 'bad';
  if (over.has('unsure')) return 'unsure';
  if (over.has('good')) return 'good';
  return episode.label;
}

/**
 * Whether a chunk's observation gets a GTA pair (K samples ranked by their distance to the executed chunk):
 * chunks judged good, and chunks of unlabelled successful attempts with no mark over them: the sim's task
 * check (or the runner's success) vouches for those. Bad and unsure chunks never do: the executed chunk is
 * then no ground truth.
 */
export function takesGtaPair(episode: Pick<EpisodeSummary, 'outcome'>, judgement: ChunkJudgement): boolean {
  return judgement === 'good' || (judgement === null && episode.outcome === 'success');
}

/** Whether an episode can give label pairs at all (a good/bad label or mark). */
export function hasLabels(episode: Pick<EpisodeSummary, 'label' | 'marks'>): boolean {
  return (
    episode.label === 'good' ||
    episode.label === 'bad' ||
    episode.marks.some((mark) => mark.label === 'good' || mark.label === 'bad')
  );
}

/** Whether an episode can give GTA pairs at all. */
export function mayTakeGtaPairs(episode: Pick<EpisodeSummary, 'label' | 'marks' | 'outcome'>): boolean {
  return (
    episode.label === 'good' ||
    (episode.label === null && episode.outcome === 'success') ||
    episode.marks.some((mark) => mark.label === 'good')
  );
}
