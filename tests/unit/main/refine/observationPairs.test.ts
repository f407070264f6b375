import { describe, expect, it } from 'vitest';
import { rewardPair, type PairBase } from '../../../../src/main/refine/pairs/observationPairs';
import {
  combinedReward,
  gtaReward,
  scoreWithParts,
  type ActionReward,
  type RewardContext,
} from '../../../../src/main/refine/pairs/rewards';

const base: PairBase = {
  episodeId: 3,
  stepIndex: 12,
  camera: 'scene',
  frameIndex: 36,
  robotState: [0, 1.48, -1.74, 0, 1.3, 0, 0.95],
  instruction: 'Put the grape in the plate',
  task: 'put the grape in the plate',
  modelName: 'coach-test',
  modelVersion: '1.0.0',
  actionSpace: 'ee_delta',
  actionNames: ['dx', 'gripper'],
};

/** Three candidates of 2 steps × 2 dims. */
const samples = [
  Float32Array.from([0, 0, 0, 1]),
  Float32Array.from([0.5, 0, 0, 0]),
  Float32Array.from([0, 0, 0.25, 1]),
];
const rows = (sample: Float32Array) => [Array.from(sample.subarray(0, 2)), Array.from(sample.subarray(2, 4))];

describe('rewardPair', () => {
  it('keeps each part of a combined reward at the chosen and the rejected sample, and the goal', () => {
    const pair = rewardPair(
      base,
      samples,
      { total: [0.3, 0.9, 0.5], parts: { wm: [0.2, 0.4, 0.45], gta: [1, 5, 0.5] } },
      { name: 'wm+0.1*gta', source: 'wm' },
      2,
      { episodeId: 9, camera: 'scene', frameIndex: 140 },
    );
    expect(pair).toEqual({
      ...base,
      chosen: rows(samples[0]!),
      rejected: rows(samples[1]!),
      source: 'wm',
      executedSide: null,
      scores: {
        reward: 'wm+0.1*gta',
        chosen: 0.3,
        rejected: 0.9,
        parts: { wm: { chosen: 0.2, rejected: 0.4 }, gta: { chosen: 1, rejected: 5 } },
      },
      goal: { episodeId: 9, camera: 'scene', frameIndex: 140 },
    });
  });

  it('keeps no parts for a single reward and a null goal without one', () => {
    const pair = rewardPair(
      base,
      samples,
      { total: [0.2, 0.1, 0.3], parts: { gta: [0.2, 0.1, 0.3] } },
      {
        name: 'gta',
        source: 'gta',
      },
      2,
    );
    expect(pair!.scores).toEqual({ reward: 'gta', chosen: 0.1, rejected: 0.3 });
    expect(pair!.scores).not.toHaveProperty('parts');
    expect(pair!.goal).toBeNull();
    expect(pair!.chosen).toEqual(rows(samples[1]!));
    expect(pair!.rejected).toEqual(rows(samples[2]!));
  });

  it('gives nothing when every total ties, and refuses parts of another length', () => {
    const tie = { total: [0.2, 0.2, 0.2], parts: { wm: [0.1, 0.3, 0.2], gta: [1, -1, 0] } };
    expect(rewardPair(base, samples, tie, { name: 'wm+0.1*gta', source: 'wm' }, 2)).toBeNull();
    const short = { total: [0.2, 0.4, 0.3], parts: { wm: [0.1, 0.3] } };
    expect(() => rewardPair(base, samples, short, { name: 'c', source: 'wm' }, 2)).toThrow(/part wm scored 2/);
  });

  it("stores combinedReward's parts as scoreWithParts gives them", async () => {
    const energy: ActionReward = {
      name: 'wm',
      needs: { groundTruth: false, goal: true },
      score: (_context, candidates) => Promise.resolve(candidates.map((c) => Math.abs(c[c.length - 1]! - 1))),
    };
    const reward = combinedReward(energy, gtaReward, 0.1);
    const context: RewardContext = {
      observation: { rgb: new Uint8Array(12), widthPx: 2, heightPx: 2, robotState: base.robotState },
      instruction: base.instruction,
      groundTruth: Float32Array.from([0, 0, 0, 1]),
    };
    const scores = await scoreWithParts(reward, context, samples);
    const pair = rewardPair(base, samples, scores, { name: reward.name, source: 'wm' }, 2, null)!;
    // Totals: 0, 1 + 0.1·0.375, 0.1·0.0625 → chosen the first, rejected the second.
    expect(pair.chosen).toEqual(rows(samples[0]!));
    expect(pair.rejected).toEqual(rows(samples[1]!));
    expect(pair.scores.parts).toEqual({ wm: { chosen: 0, rejected: 1 }, gta: { chosen: 0, rejected: 0.375 } });
    expect(pair.scores.rejected).toBeCloseTo(1 + 0.1 * 0.375, 12);
    expect(pair.goal).toBeNull();
  });
});
