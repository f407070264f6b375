import { csvLine } from './csv';
import { observationState, type ExportEpisode } from './exportEpisodeData';
import type { ExportFiles, ExportProgressReporter } from './exportOutput';

export const EPISODES_CSV_COLUMNS = [
  'id',
  'task',
  'outcome',
  'label',
  'strokes',
  'duration_s',
  'model_version',
  'started_at',
  'note',
  'excluded',
];

/** Plain export: steps.jsonl (one line per executed step, all episodes) and episodes.csv (one row per episode). */
export async function writeJsonlExport(
  episodes: ExportEpisode[],
  files: ExportFiles,
  progress: ExportProgressReporter,
  signal: AbortSignal,
): Promise<{ frames: number }> {
  progress.setPhase('writing');
  const lines: string[] = [];
  const csv: string[] = [csvLine(EPISODES_CSV_COLUMNS)];
  for (const episode of episodes) {
    signal.throwIfAborted();
    const summary = episode.input.summary;
    for (const step of episode.steps) {
      lines.push(
        `${JSON.stringify({
          episode_id: summary.id,
          task: episode.task,
          i: step.i,
          t_s: step.tS,
          stroke: step.stroke,
          chunk_index: step.chunkIndex,
          action: step.action,
          joint_target_rad: step.jointTargetRad,
          state_rad: step.stateRad,
          observation_state: observationState(step),
        })}\n`,
      );
    }
    csv.push(
      csvLine([
        summary.id,
        episode.task,
        summary.outcome,
        summary.label,
        summary.strokes,
        summary.durationS,
        summary.modelVersion ?? episode.header.model?.version ?? null,
        new Date(summary.startedAtMs).toISOString(),
        summary.note,
        summary.excluded,
      ]),
    );
    progress.episodeDone();
  }
  progress.setPhase('finishing');
  await files.write('steps.jsonl', lines.join(''));
  await files.write('episodes.csv', csv.join(''));
  return { frames: lines.length };
}
