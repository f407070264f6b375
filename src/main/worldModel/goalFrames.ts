import { CoachError } from '../../shared/contract/errors';
import { ROBOT_STATE_DIMS } from '../../shared/policy/modelManifest';
import { GRIPPER_MAX_STROKE_MM } from '../../shared/robot/a1Spec';
import { goalFrameIndex } from '../../shared/worldModel/goalFrameIndex';
import type { EpisodeSummary } from '../../shared/episodes/episodeTypes';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { episodeDir } from '../episodes/store/episodeFormat';
import { EpisodeReader } from '../episodes/store/episodeReader';
import { policyCameraOf, robotStateFromMotorsRad } from '../refine/pairs/episodeObservations';
import { frameRgb } from '../refine/pairs/frameRgb';
import type { GoalFrame } from '../refine/pairs/rewards';

/**
 * The operator's choice of goal: an episode, and a frame of its policy camera (default: the one goalFrameIndex
 * picks, where it let go of the object, else its last).
 */
export interface GoalChoice {
  episodeId: number;
  frameIndex?: number;
}

/** Whether an attempt shows its task done: labelled good by the operator, or a success not labelled bad. */
const showsTaskDone = (episode: EpisodeSummary) =>
  episode.kind === 'attempt' &&
  (episode.label === 'good' || (episode.outcome === 'success' && episode.label !== 'bad'));

/**
 * Goal frames for the world model's energy, per attempt: the operator's choice when given; otherwise the
 * attempt's own goal frame when it shows the task done (labelled good, or a success not labelled bad: the end
 * of the very scene it ranks chunks in); otherwise the goal frame of the latest such attempt of the same task
 * (another scene: the world model's latent must then describe the task's state, not the scene). An
 * episode's goal frame is where the fingers began to let go of the object when it ends that way (put in,
 * move near), else its last (goalFrameIndex). Null when no successful attempt of the task exists.
 * Frames are read at the world model's size; lookups are cached.
 */
export class GoalFrames {
  private readonly byEpisode = new Map<string, Promise<GoalFrame>>();

  constructor(
    private readonly root: string,
    private readonly catalog: EpisodeCatalog,
    private readonly size: { widthPx: number; heightPx: number; camera?: string },
    private readonly chosen: GoalChoice | null = null,
  ) {}

  /** The goal for ranking chunks of `episode`, or null (with no successful attempt of its task). */
  async forEpisode(episode: EpisodeSummary): Promise<GoalFrame | null> {
    if (this.chosen) return this.load(this.chosen.episodeId, this.chosen.frameIndex);
    if (showsTaskDone(episode)) return this.load(episode.id);
    return this.forTask(episode.task);
  }

  /** The goal frame of the latest attempt of `task` (trimmed, lower-cased) that shows it done, or null. */
  async forTask(task: string): Promise<GoalFrame | null> {
    if (this.chosen) return this.load(this.chosen.episodeId, this.chosen.frameIndex);
    const done = this.catalog
      .all({ kind: 'attempt' })
      .filter((other) => other.task === task && showsTaskDone(other) && !other.excluded);
    const latest = done.at(-1);
    return latest ? this.load(latest.id) : null;
  }

  private load(episodeId: number, frameIndex?: number): Promise<GoalFrame> {
    const key = `${episodeId}/${frameIndex ?? 'goal'}`;
    let found = this.byEpisode.get(key);
    if (!found) {
      found = this.read(episodeId, frameIndex);
      this.byEpisode.set(key, found);
      found.catch(() => this.byEpisode.delete(key));
    }
    return found;
  }

  private async read(episodeId: number, frameIndex?: number): Promise<GoalFrame> {
    const reader = await EpisodeReader.open(episodeDir(this.root, episodeId), episodeId);
    const camera = policyCameraOf(reader.header, this.size.camera);
    const records = camera ? (await reader.frameIndex(camera)).slice().sort((a, b) => a.tS - b.tS) : [];
    if (!camera || records.length === 0)
      throw new CoachError(
        'wm_goal_missing',
        `episode ${episodeId} recorded no frames of its policy camera, so it cannot be a goal frame; choose another`,
      );
    const steps = await reader.steps();
    if (steps.length === 0)
      throw new CoachError('wm_goal_missing', `episode ${episodeId} recorded no steps, so its arm state is unknown`);
    // The arm's state at each frame: the last step recorded at or before it.
    let at = 0;
    const stateAt = records.map((record) => {
      while (at + 1 < steps.length && steps[at + 1]!.tS <= record.tS) at += 1;
      return robotStateFromMotorsRad(steps[at]!.stateRad);
    });
    const chosen =
      frameIndex === undefined
        ? goalFrameIndex(stateAt.map((state) => state[ROBOT_STATE_DIMS - 1]! * GRIPPER_MAX_STROKE_MM))
        : records.findIndex((r) => r.i === frameIndex);
    const record = records[chosen];
    if (!record)
      throw new CoachError(
        'wm_goal_missing',
        `episode ${episodeId} has no frame ${frameIndex} of camera "${camera}" (frames 0 … ${records.at(-1)!.i})`,
      );
    const rgb = await frameRgb(reader.framePath(camera, record.file), this.size.widthPx, this.size.heightPx);
    return {
      ref: { episodeId, camera, frameIndex: record.i },
      rgb,
      widthPx: this.size.widthPx,
      heightPx: this.size.heightPx,
      robotState: stateAt[chosen]!,
    };
  }
}
