import { CoachError } from '../../../shared/contract/errors';
import type { FrameIndexRecord } from '../../episodes/store/episodeFormat';
import type { EpisodeReader } from '../../episodes/store/episodeReader';

/** A recorded frame of one camera: its `i` in the camera's index and its file (absolute path). */
export interface CameraFrame {
  frameIndex: number;
  frameFile: string;
}

/** Index into records (sorted by tS) of the newest frame at or before tS; the first frame when none is before. */
function frameAtOrBefore(records: FrameIndexRecord[], tS: number): number {
  let lo = 0;
  let hi = records.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (records[mid]!.tS <= tS) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** One camera's recorded frames of an episode: the picture it had at a step. */
export class CameraFrames {
  private constructor(
    private readonly reader: EpisodeReader,
    readonly camera: string,
    private readonly records: FrameIndexRecord[],
    private readonly missing: Set<string>,
  ) {}

  /** The camera's frames; null when it recorded none. */
  static async open(reader: EpisodeReader, camera: string): Promise<CameraFrames | null> {
    const records = (await reader.frameIndex(camera)).slice().sort((a, b) => a.tS - b.tS);
    if (records.length === 0) return null;
    const missing = new Set((await reader.missingFrames(camera, records)).map((record) => record.file));
    return new CameraFrames(reader, camera, records, missing);
  }

  /**
   * The newest frame at or before tS (the first when none is before). Throws (code `pairs_missing_frames`)
   * when its file is gone.
   */
  at(tS: number, stepIndex: number): CameraFrame {
    const record = this.records[frameAtOrBefore(this.records, tS)]!;
    const frameFile = this.reader.framePath(this.camera, record.file);
    if (this.missing.has(record.file))
      throw new CoachError(
        'pairs_missing_frames',
        `episode ${this.reader.header.id}: the frame ${frameFile} (camera "${this.camera}", step ${stepIndex}) ` +
          'is missing. Restore the episode folder from a backup, or exclude the episode from training.',
      );
    return { frameIndex: record.i, frameFile };
  }
}

/**
 * The frames of each of the model's other cameras (a wrist camera) in an episode, by name. Throws (code
 * `pairs_missing_camera`) when the episode recorded no frames from one of them.
 */
export async function moreCameraFrames(
  reader: EpisodeReader,
  cameras: readonly string[],
): Promise<Map<string, CameraFrames>> {
  const frames = new Map<string, CameraFrames>();
  for (const camera of cameras) {
    const opened = await CameraFrames.open(reader, camera);
    if (!opened) throw missingCameraError(reader, camera);
    frames.set(camera, opened);
  }
  return frames;
}

function missingCameraError(reader: EpisodeReader, camera: string): CoachError {
  const cameras = reader.header.cameras.map((c) => `"${c.name}"`).join(', ') || 'none';
  return new CoachError(
    'pairs_missing_camera',
    `episode ${reader.header.id} recorded no frames from camera "${camera}", which the model takes (the episode's ` +
      `cameras: ${cameras}). Record attempts with the "${camera}" camera connected, or use a model that takes ` +
      'only the cameras the episode recorded (a one-camera model); or exclude the episode from training.',
    { episodeId: reader.header.id, camera },
  );
}
