import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HeadlessHost } from '../../../src/main/host/headlessHost';
import { startHeadlessHost } from '../../../src/main/host/headlessHost';
import { CoachError } from '../../../src/shared/contract/errors';
import type { Bridge } from '../../../src/shared/contract/bridge';
import { createTestServer, type TestContract } from '../../helpers/testContract';
import { settledBufferBytes } from '../../helpers/memory';
import {
  connectBridge,
  makeRendererDir,
  openRawSocket,
  startTestHost,
  waitForOpen,
  wsUrl,
} from '../../helpers/hostFixture';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const testServer = createTestServer();
  const host = await startTestHost(testServer.server);
  cleanups.push(() => host.close());
  return { ...testServer, host };
}

function bridgeFor(host: HeadlessHost): Bridge<TestContract> {
  const bridge = connectBridge<TestContract>(host);
  cleanups.push(() => bridge.close());
  return bridge;
}

describe('headless host: access', () => {
  it('refuses HTTP requests without the right token, and accepts the token or its cookie', async () => {
    const { host } = await setup();
    const base = `http://127.0.0.1:${host.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);

    const first = await fetch(`${base}/?token=${host.token}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toContain(`coach_token_${host.port}=`);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain('coach');
  });

  it('does not serve files outside the renderer folder', async () => {
    const { host } = await setup();
    const base = `http://127.0.0.1:${host.port}`;
    for (const probe of ['/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fsecret.js']) {
      const response = await fetch(`${base}${probe}?token=${host.token}`);
      expect([200, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('root:');
    }
    expect((await fetch(`${base}/missing.js?token=${host.token}`)).status).toBe(404);
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    const { host } = await setup();
    await expect(openRawSocket(wsUrl(host, null))).rejects.toThrow('HTTP 401');
    await expect(openRawSocket(wsUrl(host, 'x'.repeat(32)))).rejects.toThrow('HTTP 401');
    await expect(openRawSocket(wsUrl(host), { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const ok = await openRawSocket(wsUrl(host), { origin: `http://127.0.0.1:${host.port}` });
    expect(ok.hello).toEqual({ op: 'hello', protocol: 1 });
    ok.socket.close();
  });

  it('will not bind a non-loopback address unless asked', async () => {
    const { server } = createTestServer();
    await expect(
      startHeadlessHost({ server, rendererDir: makeRendererDir(), host: '0.0.0.0', port: 0 }),
    ).rejects.toThrow(/--allow-remote/);
  });

  it('says how to build when the renderer is missing', async () => {
    const { server } = createTestServer();
    await expect(startHeadlessHost({ server, rendererDir: '/nonexistent', port: 0 })).rejects.toThrow(/npm run build/);
  });
});

describe('headless host: the contract over WebSocket', () => {
  it('answers calls and returns structured errors through the bridge', async () => {
    const { host } = await setup();
    const bridge = bridgeFor(host);
    await waitForOpen(bridge);
    expect(await bridge.call('math.add', { a: 20, b: 22 })).toBe(42);
    const error = await bridge.call('math.add', { a: 1 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoachError);
    expect(error).toMatchObject({ code: 'invalid_arguments' });
    await expect(bridge.call('fail.coded', {})).rejects.toMatchObject({ code: 'arm_fault', details: { joint: 3 } });
    await expect(bridge.call('no.such' as never, {} as never)).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('returns binary method results as bytes (a replay frame), not as JSON objects', async () => {
    const { host } = await setup();
    const bridge = bridgeFor(host);
    await waitForOpen(bridge);
    const { bytes } = await bridge.call('bytes.echo', { n: 300 });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toHaveLength(300);
    expect(bytes[257]).toBe(1);
  });

  it('streams JSON and binary events to subscribers', async () => {
    const { host, ticks, frames } = await setup();
    const bridge = bridgeFor(host);
    await waitForOpen(bridge);
    const gotTick = new Promise((resolve) => bridge.subscribe('ticks', {}, resolve));
    const gotFrame = new Promise<{ seq: number; pixels: Uint8Array }>((resolve) =>
      bridge.subscribe('frames', { camera: 'scene' }, resolve),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    ticks.publish({ n: 7 });
    frames.publish({ seq: 1, pixels: new Uint8Array([9, 8, 7]) });
    expect(await gotTick).toEqual({ n: 7 });
    const frame = await gotFrame;
    expect(frame.seq).toBe(1);
    expect(frame.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(frame.pixels)).toEqual([9, 8, 7]);
  });

  it('reports a refused subscription to the subscriber', async () => {
    const { host } = await setup();
    const bridge = bridgeFor(host);
    await waitForOpen(bridge);
    const error = await new Promise<Error>((resolve) =>
      bridge.subscribe('frames', { camera: 3 } as never, () => {}, resolve),
    );
    expect(error).toMatchObject({ code: 'invalid_arguments' });
  });

  it('keeps memory flat and drops stale frames for a client that stops reading', async () => {
    const { host, frames } = await setup();
    const { socket: stalled } = await openRawSocket(wsUrl(host));
    stalled.send(JSON.stringify({ op: 'subscribe', sub: 1, stream: 'frames', args: { camera: 'scene' } }));
    // Wait until the host registered the subscription, then stop reading from the socket entirely.
    await new Promise((resolve) => setTimeout(resolve, 100));
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();

    const frameBytes = 512 * 1024;
    const before = await settledBufferBytes();
    for (let seq = 0; seq < 400; seq += 1) frames.publish({ seq, pixels: new Uint8Array(frameBytes).fill(seq & 0xff) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const grown = (await settledBufferBytes()) - before;

    const [session] = host.sessions();
    const stats = session!.stats()[0]!;
    expect(stats.delivered).toBeLessThanOrEqual(3);
    expect(stats.dropped).toBeGreaterThan(390);
    // 400 frames are 200 MiB; a queue would show it.
    expect(grown).toBeLessThan(16 * frameBytes);

    // Another client is still served at once.
    const bridge = bridgeFor(host);
    await waitForOpen(bridge);
    expect(await bridge.call('math.add', { a: 1, b: 1 })).toBe(2);
    stalled.terminate();
  });

  it('re-subscribes after the host restarts on the same port', async () => {
    const testServer = createTestServer();
    const rendererDir = makeRendererDir();
    const first = await startHeadlessHost({ server: testServer.server, rendererDir, port: 0 });
    const port = first.port;
    const bridge = connectBridge<TestContract>(first);
    cleanups.push(() => bridge.close());
    await waitForOpen(bridge);
    const seen: number[] = [];
    bridge.subscribe('ticks', {}, ({ n }) => seen.push(n));
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bridge.connectionState()).toBe('reconnecting');
    const second = await startHeadlessHost({ server: testServer.server, rendererDir, port, token: first.token });
    cleanups.push(() => second.close());
    await waitForOpen(bridge);
    await new Promise((resolve) => setTimeout(resolve, 50));
    testServer.ticks.publish({ n: 5 });
    await expect.poll(() => seen).toContain(5);
  });
});

describe('headless host: hostile input', () => {
  it('answers malformed, oversize, binary and unknown messages and keeps serving others (bounded fuzz)', async () => {
    const { host } = await setup();
    const good = bridgeFor(host);
    await waitForOpen(good);

    const { socket: bad } = await openRawSocket(wsUrl(host));
    const replies: { op: string; error?: { code: string } }[] = [];
    bad.on('message', (data, isBinary) => {
      if (!isBinary) replies.push(JSON.parse(data.toString()));
    });
    bad.send('{not json');
    bad.send(JSON.stringify({ op: 'launch', missiles: true }));
    bad.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    bad.send(JSON.stringify({ op: 'call', id: -1, method: 'math.add' }));
    bad.send(JSON.stringify({ op: 'call', id: 1, method: 'math.add', args: { a: 'x', b: 1 } }));
    await expect.poll(() => replies.length).toBeGreaterThanOrEqual(5);
    expect(replies.slice(0, 4).map((r) => r.error?.code)).toEqual([
      'bad_message',
      'bad_message',
      'bad_message',
      'bad_message',
    ]);
    expect(replies[4]).toMatchObject({ op: 'result', id: 1, ok: false, error: { code: 'invalid_arguments' } });

    // Oversize: the host closes that socket with 1009 (message too big).
    const { socket: big } = await openRawSocket(wsUrl(host));
    const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)));
    big.send(JSON.stringify({ op: 'call', id: 1, method: 'math.add', args: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);

    // Random garbage from several clients; a client that keeps sending garbage is closed.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const samples = [
      () => Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))),
      () =>
        JSON.stringify({
          op: ['call', 'subscribe', 'ack', 'unsubscribe', 'x'][Math.floor(random() * 5)],
          id: random() * 1e6,
          sub: 'a',
        }),
      () => JSON.stringify({ op: 'subscribe', sub: Math.floor(random() * 100), stream: 'ticks' }),
      () => JSON.stringify({ op: 'ack', sub: Math.floor(random() * 100) }),
      () =>
        JSON.stringify({ op: 'call', id: Math.floor(random() * 100), method: '__proto__', args: { constructor: 1 } }),
      () => '"just a string"',
      () => 'null',
      () => '[1,2,3]',
    ];
    const deadline = Date.now() + 5000;
    for (let round = 0; round < 6 && Date.now() < deadline; round += 1) {
      const { socket: fuzzer } = await openRawSocket(wsUrl(host));
      fuzzer.on('error', () => {});
      for (let i = 0; i < 50; i += 1) {
        if (fuzzer.readyState !== WebSocket.OPEN) break;
        fuzzer.send(samples[Math.floor(random() * samples.length)]!());
      }
      expect(await good.call('math.add', { a: round, b: 1 })).toBe(round + 1);
      fuzzer.terminate();
    }
    bad.terminate();
    expect(await good.call('math.add', { a: 2, b: 2 })).toBe(4);
  });
});
