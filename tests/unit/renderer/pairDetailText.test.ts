import { describe, expect, it } from 'vitest';
import {
  goalFrameLabel,
  hasPairDetail,
  observationFrameLabel,
  pairScoreRows,
  scoreFigure,
} from '../../../src/renderer/src/components/refine/pairDetailText';

describe('the pair detail', () => {
  it("lists a combined reward's parts (WM, GTA, then others) and the total, the lower value marked best", () => {
    const rows = pairScoreRows({
      reward: 'wm+0.1*gta',
      chosen: 0.2,
      rejected: 0.75,
      parts: {
        gta: { chosen: 0.5, rejected: 0.25 },
        wm: { chosen: 0.15, rejected: 0.725 },
        depth: { chosen: 1, rejected: 1 },
      },
    });
    expect(rows.map((row) => [row.key, row.label, row.chosen, row.rejected, row.best, row.total])).toEqual([
      ['wm', 'WM energy', '0.15', '0.725', 'chosen', false],
      ['gta', 'GTA distance', '0.5', '0.25', 'rejected', false],
      ['depth', 'depth', '1', '1', null, false],
      ['reward', 'reward', '0.2', '0.75', 'chosen', true],
    ]);
    expect(rows.at(-1)!.title).toMatch(/^wm\+0\.1\*gta: /);
  });

  it('shows nothing extra for a pair without parts or goal', () => {
    const scores = { reward: 'gta', chosen: 0.01, rejected: 0.04 };
    expect(pairScoreRows(scores)).toEqual([]);
    expect(pairScoreRows({ ...scores, parts: {} })).toEqual([]);
    expect(hasPairDetail({ scores })).toBe(false);
    expect(hasPairDetail({ scores, goal: null })).toBe(false);
    expect(hasPairDetail({ scores, goal: { episodeId: 4, camera: 'scene', frameIndex: 0 } })).toBe(true);
    expect(hasPairDetail({ scores: { ...scores, parts: { wm: { chosen: 0, rejected: 1 } } } })).toBe(true);
  });

  it('labels the frames and prints figures compactly', () => {
    expect(goalFrameLabel({ episodeId: 12, camera: 'scene', frameIndex: 240 })).toBe(
      'Goal frame (episode 12, frame 240)',
    );
    expect(observationFrameLabel({ episodeId: 3, frameIndex: 36 })).toBe('Observation (episode 3, frame 36)');
    expect([0, 0.123456, 12.3456, 0.0001234, 123456, Number.NaN].map(scoreFigure)).toEqual([
      '0',
      '0.123',
      '12.3',
      '1.23e-4',
      '1.23e+5',
      '—',
    ]);
  });
});
