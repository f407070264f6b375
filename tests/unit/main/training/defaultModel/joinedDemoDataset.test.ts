import { describe, expect, it } from 'vitest';
import { DemoDatasetBuilder } from '../../../../../src/main/training/demonstrations/demoDataset';
import { JoinedDemoDataset } from '../../../../../src/main/training/demonstrations/joinedDemoDataset';

const camera = { widthPx: 2, heightPx: 1 };

function dataset(first: number, count: number) {
  const builder = new DemoDatasetBuilder(camera, 1);
  for (let i = 0; i < count; i += 1) {
    const id = first + i;
    builder.add(
      {
        image: Uint8Array.from({ length: 6 }, () => id),
        instruction: `pick up ${id}`,
        robotState: [id, 0, 0, 0, 0, 0, 1],
        actions: Float32Array.from({ length: 7 }, () => id),
      },
      [id, id, id, id, id, id],
      i,
    );
  }
  return builder.build();
}

describe('JoinedDemoDataset', () => {
  it('reads several sets as one, in order, keypoints included', () => {
    const joined = new JoinedDemoDataset([dataset(0, 3), dataset(100, 2), dataset(200, 4)]);
    expect(joined.size).toBe(9);
    const ids = Array.from({ length: 9 }, (_, i) => joined.get(i).robotState![0]);
    expect(ids).toEqual([0, 1, 2, 100, 101, 200, 201, 202, 203]);
    expect(joined.get(4).instruction).toBe('pick up 101');
    expect(Array.from(joined.get(8).image)).toEqual([203, 203, 203, 203, 203, 203]);
    expect(joined.keypointsOf(5)[0]).toBe(200);
  });

  it('refuses indices outside the joined range and an empty list', () => {
    const joined = new JoinedDemoDataset([dataset(0, 2)]);
    expect(() => joined.get(2)).toThrow(/outside 0 … 1/);
    expect(() => joined.get(-1)).toThrow(RangeError);
    expect(() => new JoinedDemoDataset([])).toThrow(/no demonstration sets/);
  });
});
