import { describe, expect, it } from 'vitest';
import { FrameBus } from '../../../../src/main/camera/frameBus';
import type { CameraFrame } from '../../../../src/main/camera/frameTypes';
import { settledBufferBytes } from '../../../helpers/memory';

function frame(seq: number, camera = 'scene', widthPx = 4, heightPx = 2): CameraFrame {
  return {
    camera,
    seq,
    capturedAtMs: Date.now(),
    widthPx,
    heightPx,
    format: 'rgb24',
    data: new Uint8Array(widthPx * heightPx * 3),
  };
}

describe('FrameBus', () => {
  it('keeps only the latest frame per camera for pull consumers', () => {
    const bus = new FrameBus();
    expect(bus.latest('scene')).toBeUndefined();
    bus.publish(frame(0));
    bus.publish(frame(1));
    bus.publish(frame(7, 'wrist'));
    expect(bus.latest('scene')?.seq).toBe(1);
    expect(bus.latest('wrist')?.seq).toBe(7);
  });

  it('gives a fast consumer every frame while a slow one gets the newest and counts its drops', () => {
    const bus = new FrameBus();
    const fastSeqs: number[] = [];
    const slowSeqs: number[] = [];
    let finishSlow: (() => void) | null = null;
    bus.subscribe('scene', 'recorder', (f, done) => {
      fastSeqs.push(f.seq);
      done();
    });
    bus.subscribe('scene', 'display', (f, done) => {
      slowSeqs.push(f.seq);
      finishSlow = done;
    });

    for (let seq = 0; seq < 10; seq += 1) bus.publish(frame(seq));
    expect(fastSeqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(slowSeqs).toEqual([0]);

    const finishFirst = finishSlow!;
    finishFirst(); // the slow consumer catches up with the newest frame, not the next one
    expect(slowSeqs).toEqual([0, 9]);
    finishFirst(); // calling done twice for one frame changes nothing
    bus.publish(frame(10));
    expect(slowSeqs).toEqual([0, 9]);
    for (let seq = 11; seq < 13; seq += 1) bus.publish(frame(seq));
    finishSlow!();
    expect(slowSeqs).toEqual([0, 9, 12]);

    const stats = bus.cameraStats('scene')!;
    expect(stats.framesPublished).toBe(13);
    // 1..8 replaced while waiting (8), 10 and 11 replaced by 12 (2); 9 and 12 were delivered.
    expect(stats.dropsByConsumer).toEqual({ recorder: 0, display: 10 });
  });

  it('lets a consumer hold several frames with maxInFlight', () => {
    const bus = new FrameBus();
    const held: Array<() => void> = [];
    const seqs: number[] = [];
    bus.subscribe(
      'scene',
      'encoder',
      (f, done) => {
        seqs.push(f.seq);
        held.push(done);
      },
      { maxInFlight: 3 },
    );
    for (let seq = 0; seq < 6; seq += 1) bus.publish(frame(seq));
    expect(seqs).toEqual([0, 1, 2]);
    held.shift()!();
    expect(seqs).toEqual([0, 1, 2, 5]);
    expect(bus.cameraStats('scene')!.dropsByConsumer.encoder).toBe(2);
  });

  it('starts a new subscriber with the latest frame and stops after unsubscribe', () => {
    const bus = new FrameBus();
    bus.publish(frame(4));
    const seqs: number[] = [];
    const unsubscribe = bus.subscribe('scene', 'viewer', (f, done) => {
      seqs.push(f.seq);
      done();
    });
    bus.publish(frame(5));
    unsubscribe();
    bus.publish(frame(6));
    expect(seqs).toEqual([4, 5]);
    expect(bus.cameraStats('scene')!.dropsByConsumer).toEqual({});
  });

  it('keeps delivering to others when a handler throws, and rejects a duplicate consumer name', () => {
    const bus = new FrameBus();
    const seqs: number[] = [];
    bus.subscribe('scene', 'broken', () => {
      throw new Error('boom');
    });
    bus.subscribe('scene', 'fine', (f, done) => {
      seqs.push(f.seq);
      done();
    });
    expect(() => bus.publish(frame(0))).not.toThrow();
    bus.publish(frame(1));
    expect(seqs).toEqual([0, 1]);
    expect(bus.handlerErrors('scene', 'broken')).toBe(2);
    expect(() => bus.subscribe('scene', 'fine', () => {})).toThrow(/already has a consumer named "fine"/);
    expect(() => bus.subscribe('scene', 'x', () => {}, { maxInFlight: 0 })).toThrow(RangeError);
  });

  it('measures fps over the last second, frame age and state', () => {
    let nowMs = 10_000;
    const bus = new FrameBus(() => nowMs);
    bus.setState('scene', 'starting');
    expect(bus.cameraStats('scene')).toMatchObject({ fps: 0, lastFrameAgeMs: null, state: 'starting' });
    // 2 s at 30 Hz
    for (let i = 0; i < 60; i += 1) {
      bus.publish(frame(i));
      nowMs += 1000 / 30;
    }
    const live = bus.cameraStats('scene')!;
    expect(live.state).toBe('live');
    expect(live.fps).toBeGreaterThanOrEqual(29);
    expect(live.fps).toBeLessThanOrEqual(31);
    expect(live.lastFrameAgeMs).toBeCloseTo(1000 / 30, 6);
    expect(live.framesPublished).toBe(60);

    nowMs += 1500;
    bus.setState('scene', 'stalled', 'no frame from camera /dev/video0 for 1.5 s');
    expect(bus.cameraStats('scene')).toMatchObject({
      fps: 0,
      state: 'stalled',
      lastError: 'no frame from camera /dev/video0 for 1.5 s',
    });
    expect(bus.cameraStats('scene')!.lastFrameAgeMs).toBeGreaterThan(1500);
    expect(bus.stats().map((s) => s.camera)).toEqual(['scene']);
  });

  it('does not grow memory or delay others when a consumer never calls done', async () => {
    const bus = new FrameBus();
    const frameBytes = 640 * 480 * 3;
    let stalledDeliveries = 0;
    let otherDeliveries = 0;
    bus.subscribe('scene', 'stuck', () => {
      stalledDeliveries += 1; // never calls done
    });
    bus.subscribe('scene', 'other', (_f, done) => {
      otherDeliveries += 1;
      done();
    });
    const publish = (from: number, count: number) => {
      for (let seq = from; seq < from + count; seq += 1) bus.publish(frame(seq, 'scene', 640, 480));
    };
    publish(0, 10);
    const beforeBytes = await settledBufferBytes();
    publish(10, 5000); // 4.6 GB if anything kept them
    const grownBytes = (await settledBufferBytes()) - beforeBytes;

    expect(stalledDeliveries).toBe(1);
    expect(otherDeliveries).toBe(5010);
    expect(bus.cameraStats('scene')!.dropsByConsumer).toEqual({ stuck: 5008, other: 0 });
    expect(grownBytes).toBeLessThan(4 * frameBytes);
  });
});
