import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportRequestSchema, type ExportFormat } from '../../../../shared/episodes/episodeTypes';
import { defaultDataDir } from '../../../appPaths';
import { exportEpisodes } from '../../../episodes/export/exportEpisodes';
import { ExportCancelledError } from '../../../episodes/export/exportTypes';
import { selectExportEpisodes } from '../../../episodes/exportSelection';
import { EpisodeFlagError, FILTER_FLAGS_HELP, FILTER_FLAG_OPTIONS, filterFromFlags } from './episodeFilterFlags';
import { openEpisodeStore } from './openEpisodeStore';

export const EXPORT_USAGE = `Usage: coach export --format ${EXPORT_FORMATS.join('|')} --out DIR [filters]
                    [--codec h264|av1] [--robot-type NAME] [--data DIR]

  Exports recorded episodes into DIR (new or empty); the episodes themselves are never modified.
  lerobot-v2.1  LeRobot v2.1 (what NORA-1.5's fine-tuning code reads): parquet per episode + mp4 videos
  lerobot-v3    LeRobot v3.0 (lerobot ≥ 0.4): episodes packed into parquet and mp4 files
  jsonl         one JSON line per step (steps.jsonl) and episodes.csv
  Ctrl+C cancels and removes the partial output.

${FILTER_FLAGS_HELP}
`;

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `coach export` */
export async function runExportCommand(argv: string[]): Promise<number> {
  let request;
  let dataDir: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...FILTER_FLAG_OPTIONS,
        format: { type: 'string' },
        out: { type: 'string' },
        codec: { type: 'string', default: 'h264' },
        'robot-type': { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(EXPORT_USAGE);
      return 0;
    }
    if (!values.format || !EXPORT_FORMATS.includes(values.format as ExportFormat))
      throw new EpisodeFlagError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    if (!values.out) throw new EpisodeFlagError('--out DIR is required (a new or empty folder)');
    if (values.codec !== 'h264' && values.codec !== 'av1')
      throw new EpisodeFlagError(`--codec must be h264 or av1, got "${values.codec}"`);
    request = exportRequestSchema.parse({
      format: values.format,
      outDir: path.resolve(values.out),
      filter: filterFromFlags(values),
      videoCodec: values.codec,
      ...(values['robot-type'] ? { robotType: values['robot-type'] } : {}),
    });
    dataDir = path.resolve(values.data ?? defaultDataDir());
  } catch (error) {
    process.stderr.write(`coach export: ${(error as Error).message}\n\n${EXPORT_USAGE}`);
    return 2;
  }

  const abort = new AbortController();
  const cancel = () => abort.abort();
  process.once('SIGINT', cancel);
  let catalog;
  try {
    const store = openEpisodeStore(dataDir);
    catalog = store.catalog;
    const { filter, episodes } = selectExportEpisodes(catalog, store.root, request.filter);
    if (episodes.length === 0) throw new Error('no recorded episode matches the filter; widen the filter');
    process.stderr.write(`exporting ${episodes.length} episode(s) as ${request.format} to ${request.outDir}\n`);
    let lastLine = '';
    const result = await exportEpisodes({
      episodes,
      request: { ...request, filter },
      signal: abort.signal,
      onProgress: (progress) => {
        const line = `  ${progress.phase}: ${progress.episodesDone}/${progress.episodesTotal} episodes, ${progress.framesEncoded} frames encoded (${Math.round(progress.fraction * 100)} %)`;
        if (line !== lastLine) process.stderr.write(`${line}\n`);
        lastLine = line;
      },
    });
    process.stdout.write(
      `exported ${result.episodes} episode(s), ${result.frames} frames, ${result.videos} video(s), ${megabytes(result.bytes)} ` +
        `in ${result.durationS.toFixed(1)} s → ${result.outDir}\n`,
    );
    for (const skipped of result.skipped) process.stdout.write(`  skipped episode ${skipped.id}: ${skipped.reason}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ExportCancelledError) {
      process.stderr.write(`coach export: ${error.message}\n`);
      return 130;
    }
    process.stderr.write(`coach export: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', cancel);
    catalog?.close();
  }
}
