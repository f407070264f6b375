import { describe, expect, it } from 'vitest';
import { judgeChunk, takesGtaPair } from '../../../../src/main/refine/pairs/chunkJudgement';
import {
  bestAndWorst,
  combinedReward,
  gtaReward,
  scoreWithParts,
  type ActionReward,
  type RewardContext,
} from '../../../../src/main/refine/pairs/rewards';
import type { TimeMark } from '../../../../src/shared/episodes/episodeTypes';

const context = (groundTruth?: number[]): RewardContext => ({
  observation: { rgb: new Uint8Array(12), widthPx: 2, heightPx: 2, robotState: [0, 0, 0, 0, 0, 0, 1] },
  instruction: 'put the grape in the plate',
  ...(groundTruth ? { groundTruth: Float32Array.from(groundTruth) } : {}),
});

describe('rewards', () => {
  it('GTA is the mean absolute difference to the ground-truth chunk over every step and dim', async () => {
    const truth = [0, 0, 0, 0, 1, 1];
    const scores = await gtaReward.score(context(truth), [
      Float32Array.from([0, 0, 0, 0, 1, 1]),
      Float32Array.from([0.5, 0, 0, 0, 1, 1]),
      Float32Array.from([1, -1, 2, 0, 0, 1]),
    ]);
    expect(scores[0]).toBe(0);
    expect(scores[1]).toBeCloseTo(0.5 / 6, 12);
    expect(scores[2]).toBeCloseTo(5 / 6, 12);
    await expect(gtaReward.score(context(), [Float32Array.from(truth)])).rejects.toThrow(/needs a ground-truth chunk/);
    await expect(gtaReward.score(context(truth), [new Float32Array(4)])).rejects.toThrow(/cannot be compared/);
  });

  it('a world-model reward slots in as WM + 0.1 · GTA', async () => {
    // An energy that only looks at the chunk's last action: what a goal-reaching world model rewards.
    const energy: ActionReward = {
      name: 'wm',
      needs: { groundTruth: false, goal: true },
      score: (_context, candidates) => Promise.resolve(candidates.map((c) => Math.abs(c[c.length - 1]! - 1))),
    };
    const reward = combinedReward(energy);
    expect(reward.name).toBe('wm+0.1*gta');
    const candidates = [Float32Array.from([0, 0, 0, 1]), Float32Array.from([1, 1, 1, 0])];
    const scores = await reward.score(context([0, 0, 0, 0]), candidates);
    expect(scores[0]).toBeCloseTo(0 + 0.1 * 0.25, 12);
    expect(scores[1]).toBeCloseTo(1 + 0.1 * 0.75, 12);
    expect(reward.needs).toEqual({ groundTruth: true, goal: true });
    // The parts are each component unweighted; another weight changes the total only.
    const parts = await scoreWithParts(combinedReward(energy, gtaReward, 2), context([0, 0, 0, 0]), candidates);
    expect(parts.parts).toEqual({ wm: [0, 1], gta: [0.25, 0.75] });
    expect(parts.total[1]).toBeCloseTo(1 + 2 * 0.75, 12);
    expect((await scoreWithParts(gtaReward, context([0, 0, 0, 0]), candidates)).parts).toEqual({ gta: [0.25, 0.75] });
    expect(() => combinedReward(energy, gtaReward, -1)).toThrow(/GTA weight/);
  });

  it('ranks best (lowest) and worst (highest), earlier candidate on ties, and refuses non-finite scores', () => {
    expect(bestAndWorst([0.3, 0.1, 0.9, 0.1, 0.9])).toEqual({ best: 1, worst: 2 });
    expect(bestAndWorst([2, 2])).toEqual({ best: 0, worst: 0 });
    expect(() => bestAndWorst([1])).toThrow(/at least 2/);
    expect(() => bestAndWorst([1, Number.NaN])).toThrow(/candidate 1 scored NaN/);
  });
});

describe('chunk judgements', () => {
  const mark = (startS: number, endS: number, label: TimeMark['label']): TimeMark => ({
    id: 1,
    startS,
    endS,
    label,
    note: '',
  });

  it('take the attempt label unless a mark covers the middle of the chunk; bad marks win', () => {
    const marks = [mark(1, 2, 'good'), mark(3, 4, 'bad'), mark(3.5, 5, 'good'), mark(6, 7, 'unsure')];
    const bad = { label: 'bad' as const, marks };
    expect(judgeChunk(bad, 0, 0.4)).toBe('bad');
    expect(judgeChunk(bad, 1.2, 1.6)).toBe('good');
    expect(judgeChunk(bad, 0.7, 1.2)).toBe('bad'); // middle 0.95: outside the good mark
    expect(judgeChunk(bad, 3.4, 3.8)).toBe('bad');
    expect(judgeChunk(bad, 4.4, 4.8)).toBe('good');
    expect(judgeChunk(bad, 6.2, 6.6)).toBe('unsure');
    expect(judgeChunk({ label: 'good', marks }, 3.2, 3.6)).toBe('bad');
    expect(judgeChunk({ label: null, marks }, 1.2, 1.6)).toBe('good');
    expect(judgeChunk({ label: null, marks: [] }, 1.2, 1.6)).toBeNull();
    expect(judgeChunk({ label: 'unsure', marks: [] }, 1.2, 1.6)).toBe('unsure');
  });

  it('give GTA pairs for good chunks and unlabelled successes only', () => {
    expect(takesGtaPair({ outcome: 'max_strokes' }, 'good')).toBe(true);
    expect(takesGtaPair({ outcome: 'success' }, null)).toBe(true);
    expect(takesGtaPair({ outcome: 'timeout' }, null)).toBe(false);
    expect(takesGtaPair({ outcome: 'success' }, 'bad')).toBe(false);
    expect(takesGtaPair({ outcome: 'success' }, 'unsure')).toBe(false);
  });
});
