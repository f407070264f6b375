import { describe, expect, it } from 'vitest';
import { LatestValueSender } from '../../../src/main/contract/latestValueSender';
import { ClientSession } from '../../../src/main/contract/clientSession';
import { createTestServer } from '../../helpers/testContract';
import { settledBufferBytes } from '../../helpers/memory';

describe('LatestValueSender', () => {
  it('sends up to the window, then keeps only the newest value', () => {
    const sent: number[] = [];
    const sender = new LatestValueSender<number>((v) => sent.push(v), 2);
    for (let i = 1; i <= 10; i += 1) sender.offer(i);
    expect(sent).toEqual([1, 2]);
    expect(sender.dropped).toBe(7);
    sender.ack();
    expect(sent).toEqual([1, 2, 10]);
    sender.ack();
    sender.ack();
    sender.offer(11);
    expect(sent).toEqual([1, 2, 10, 11]);
  });

  it('sends nothing after close', () => {
    const sent: number[] = [];
    const sender = new LatestValueSender<number>((v) => sent.push(v), 1);
    sender.offer(1);
    sender.offer(2);
    sender.close();
    sender.ack();
    sender.offer(3);
    expect(sent).toEqual([1]);
  });
});

describe('ClientSession with a stalled subscriber', () => {
  it('does not grow memory when the client never acknowledges', async () => {
    const { server, frames } = createTestServer();
    const session = new ClientSession(server);
    const delivered: number[] = [];
    expect(
      session.subscribe(1, 'frames', { camera: 'scene' }, (v) => delivered.push((v as { seq: number }).seq)),
    ).toBeNull();

    const frameBytes = 256 * 1024;
    const publish = (from: number, count: number) => {
      for (let seq = from; seq < from + count; seq += 1) frames.publish({ seq, pixels: new Uint8Array(frameBytes) });
    };
    publish(0, 50);
    const before = await settledBufferBytes();
    publish(50, 2000); // 500 MiB if anything queued them
    const grownBytes = (await settledBufferBytes()) - before;

    expect(delivered).toEqual([0, 1]);
    expect(session.stats()[0]).toMatchObject({ delivered: 2, unacknowledged: 2 });
    expect(session.stats()[0]!.dropped).toBeGreaterThan(2000);
    expect(grownBytes).toBeLessThan(8 * frameBytes);

    session.ack(1);
    expect(delivered).toEqual([0, 1, 2049]);
    session.close();
    expect(frames.subscriberCount).toBe(0);
  });

  it('limits concurrent calls and subscriptions per client', async () => {
    const { server } = createTestServer();
    const session = new ClientSession(server, { maxConcurrentCalls: 1, maxSubscriptions: 1 });
    const first = session.call('math.add', { a: 1, b: 1 });
    expect(await session.call('math.add', { a: 1, b: 1 })).toMatchObject({ ok: false, error: { code: 'busy' } });
    expect(await first).toEqual({ ok: true, value: 2 });
    expect(session.subscribe(1, 'ticks', {}, () => {})).toBeNull();
    expect(session.subscribe(2, 'ticks', {}, () => {})).toMatchObject({ code: 'busy' });
    expect(session.subscribe(1, 'ticks', {}, () => {})).toMatchObject({ code: 'bad_message' });
  });
});
