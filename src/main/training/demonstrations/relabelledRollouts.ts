import { assertTrainingSeed, sceneSeed } from '../../../shared/evaluation/seedSets';
import type { KinematicChain } from '../../../shared/robot/kinematics';
import { ScriptedExpert, type ExpertAction } from '../../../shared/sim/world/scriptedExpert';
import { LIVE_GRIPPER_SPEED_MM_S, TabletopWorld } from '../../../shared/sim/world/tabletopWorld';
import type { TaskTemplate } from '../../../shared/sim/world/tasks';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import { runSimAttempt, type ChunkPolicy } from '../../evaluation/simAttempt';
import { DemoDatasetBuilder, WRIST_CAMERA_NAME, type DemoDataset } from './demoDataset';
import { chunkTarget, executeAction, keypointPixels, wristKeypointPixels } from './demoRollout';

/** Which attempts of a policy to relabel: training scenes, never held-out ones. */
export interface RelabelConfig {
  templates: TaskTemplate[];
  episodesPerTemplate: number;
  /** Scenes sceneSeed('train', template, firstSeedIndex + i); keep them clear of the demonstrations' and validation's. */
  firstSeedIndex: number;
  maxStrokes: number;
  /** Seeds the policy's flow noise (unused at acting noise 0). */
  noiseSeed: number;
}

export interface RelabelReport {
  episodes: number;
  successes: number;
  samples: number;
  /** Chunk boundaries the expert could not label (it had given up there). */
  unlabelled: number;
  durationS: number;
}

/**
 * The scripted expert's chunk from a state someone else reached: the expert takes over a copy of that world
 * (its phase read from the state) and runs `chunkLength` steps as the demonstrations do. Null when it gives up.
 */
export function expertChunkFrom(
  chain: KinematicChain,
  snapshot: WorldSnapshot,
  chunkLength: number,
  options: { gripperSpeedMmS: number; dtS: number },
): Float32Array | null {
  const world = new TabletopWorld(chain, snapshot, { gripperSpeedMmS: options.gripperSpeedMmS });
  const expert = ScriptedExpert.takingOver(chain, world.task, snapshot);
  let qRad = [...snapshot.armQRad];
  let state = snapshot;
  const actions: ExpertAction[] = [];
  while (actions.length < chunkLength) {
    const action = expert.nextAction(state, qRad);
    if (expert.failure) return null;
    actions.push(action);
    if (expert.done) break;
    qRad = executeAction(chain, world, qRad, action, options.dtS);
    state = world.snapshot();
  }
  return chunkTarget(actions, 0, chunkLength);
}

/**
 * DAgger-style data: the policy acts on training scenes as `coach eval` runs it, and at every chunk boundary
 * the state it reached (the very pictures it saw) is labelled with the scripted expert's chunk from there.
 * The result reads like demonstrations (keypoint labels included), so behaviour cloning can join the two.
 */
export async function relabelledRollouts(
  chain: KinematicChain,
  policy: ChunkPolicy,
  config: RelabelConfig,
  onEpisode?: (done: number, total: number, samples: number) => void,
): Promise<{ dataset: DemoDataset; report: RelabelReport }> {
  const started = Date.now();
  const scene = policy.cameras[0]!;
  const wrist = policy.cameras.find((camera) => camera.name === WRIST_CAMERA_NAME) ?? null;
  const builder = new DemoDatasetBuilder(scene, policy.action.chunkLength, wrist);
  const dtS = 1 / policy.controlRateHz;
  const total = config.templates.length * config.episodesPerTemplate;
  const report: RelabelReport = { episodes: 0, successes: 0, samples: 0, unlabelled: 0, durationS: 0 };
  for (let i = 0; i < config.episodesPerTemplate; i += 1) {
    for (const template of config.templates) {
      const seed = sceneSeed('train', template, config.firstSeedIndex + i);
      assertTrainingSeed(seed);
      const episode = report.episodes;
      const result = await runSimAttempt(chain, policy, template, seed, {
        maxStrokes: config.maxStrokes,
        noiseSeed: config.noiseSeed + episode * 1000,
        withExpert: false,
        observer: {
          onChunk: ({ snapshot, images, robotState }) => {
            const label = expertChunkFrom(chain, snapshot, policy.action.chunkLength, {
              gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S,
              dtS,
            });
            if (!label) {
              report.unlabelled += 1;
              return;
            }
            builder.add(
              { image: images[scene.name]!, instruction: snapshot.instruction ?? '', robotState, actions: label },
              keypointPixels(chain, snapshot, scene),
              episode,
              wrist
                ? { image: images[wrist.name]!, keypoints: wristKeypointPixels(chain, snapshot, wrist) }
                : undefined,
            );
            report.samples += 1;
          },
          onStep: () => undefined,
        },
      });
      report.episodes += 1;
      if (result.success) report.successes += 1;
      onEpisode?.(report.episodes, total, report.samples);
    }
  }
  report.durationS = (Date.now() - started) / 1000;
  return { dataset: builder.build(), report };
}
