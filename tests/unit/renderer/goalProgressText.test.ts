import { describe, expect, it } from 'vitest';
import { goalProgressDetail, goalProgressFigure } from '../../../src/renderer/src/components/run/goalProgressText';

const reading = {
  state: 'on' as const,
  fraction: 0.424,
  predictedFraction: 0.515,
  energy: 0.08312,
  goal: { episodeId: 12, camera: 'scene', frameIndex: 80 },
  worldModel: 'coach-wm 1.3.0',
};

describe('goal progress text', () => {
  it('gives the share made now and after the running chunk, in whole percent', () => {
    expect(goalProgressFigure(reading)).toBe('42 % → 52 % after this chunk');
    expect(goalProgressFigure({ ...reading, predictedFraction: null })).toBe('42 %');
  });

  it('names the world model, the goal frame and the energy', () => {
    expect(goalProgressDetail(reading)).toBe('coach-wm 1.3.0 · goal: episode 12, frame 80 · energy 0.083');
  });
});
