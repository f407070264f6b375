import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackagePolicy } from '../../../../src/main/evaluation/packagePolicy';
import { renderPolicyImages } from '../../../../src/main/evaluation/simAttempt';
import { loadArmChain } from '../../../../src/main/robot/urdf/loadUrdf';
import { chunkTarget } from '../../../../src/main/training/demonstrations/demoRollout';
import { expertChunkFrom, relabelledRollouts } from '../../../../src/main/training/demonstrations/relabelledRollouts';
import { sceneSeed } from '../../../../src/shared/evaluation/seedSets';
import type { KinematicChain } from '../../../../src/shared/robot/kinematics';
import { runExpertEpisode } from '../../../../src/shared/sim/world/scriptedExpert';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../../../src/shared/sim/world/tabletopWorld';

const repoRoot = path.join(__dirname, '../../../..');
let chain: KinematicChain;
let loaded: Awaited<ReturnType<typeof loadPackagePolicy>>;

beforeAll(async () => {
  chain = loadArmChain(repoRoot);
  loaded = await loadPackagePolicy(path.join(repoRoot, 'resources/models/coach-test'));
});
afterAll(() => loaded.release());

describe('relabelled rollouts (DAgger-style data)', () => {
  it("labels each state the policy reached with the scripted expert's chunk from there", async () => {
    const config = {
      templates: ['pick_up' as const],
      episodesPerTemplate: 2,
      firstSeedIndex: 5000,
      maxStrokes: 3,
      noiseSeed: 0,
    };
    const seen: { episode: number; stroke: number }[] = [];
    const { dataset, report } = await relabelledRollouts(chain, loaded.policy, config, (done, total) =>
      seen.push({ episode: done, stroke: total }),
    );
    // The untrained test policy succeeds at nothing: three chunk boundaries an episode, each one a sample.
    expect(report).toMatchObject({ episodes: 2, successes: 0, samples: 6, unlabelled: 0 });
    expect(dataset.size).toBe(6);
    expect(seen).toEqual([
      { episode: 1, stroke: 2 },
      { episode: 2, stroke: 2 },
    ]);
    expect(dataset.episodeOf(0)).toBe(0);
    expect(dataset.episodeOf(5)).toBe(1);

    // The first state of an attempt is the scene as laid out: the label is the expert's own first chunk, and the
    // picture is what the policy saw there.
    const seed = sceneSeed('train', 'pick_up', 5000);
    const expert = runExpertEpisode(chain, seed, { template: 'pick_up', recordSnapshots: true });
    const first = dataset.get(0);
    expect(Array.from(first.actions)).toEqual(Array.from(chunkTarget(expert.actions, 0, 5)));
    expect(first.instruction).toBe(expert.instruction);
    const camera = loaded.policy.cameras[0]!;
    expect(first.image).toEqual(renderPolicyImages(expert.snapshots![0]!, chain, [camera])[camera.name]);
    // Later states are the policy's own: off the expert's path, their labels differ from its recorded chunks.
    const later = dataset.get(2);
    expect(later.robotState!.slice(0, 6)).not.toEqual(expert.jointTrajectoryRad[9]);
    expect(Array.from(later.actions)).not.toEqual(Array.from(chunkTarget(expert.actions, 10, 5)));
  }, 60_000);

  it('takes over a copy of the world: the state it labels is left as it was', () => {
    const seed = sceneSeed('train', 'put_in', 5001);
    const expert = runExpertEpisode(chain, seed, { template: 'put_in', recordSnapshots: true });
    const snapshot = expert.snapshots![30]!;
    const before = structuredClone(snapshot);
    const label = expertChunkFrom(chain, snapshot, 5, { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, dtS: 0.1 });
    expect(snapshot).toEqual(before);
    // Its moves and gripper as the expert's own from there (its turns may differ by what it counted as reached).
    const own = chunkTarget(expert.actions, 30, 5);
    const movesAndGripper = (chunk: Float32Array) => Array.from(chunk).filter((_, i) => i % 7 < 3 || i % 7 === 6);
    movesAndGripper(label!).forEach((value, i) => expect(value).toBeCloseTo(movesAndGripper(own)[i]!, 6));
  });
});
