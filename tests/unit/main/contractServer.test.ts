import { describe, expect, it } from 'vitest';
import { createTestServer } from '../../helpers/testContract';

describe('ContractServer', () => {
  it('runs a method with validated arguments', async () => {
    const { server } = createTestServer();
    expect(await server.call('math.add', { a: 2, b: 3 })).toEqual({ ok: true, value: 5 });
  });

  it('rejects bad arguments with a structured error naming the field', async () => {
    const { server } = createTestServer();
    const outcome = await server.call('math.add', { a: 'two', b: 3 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('invalid_arguments');
    expect(outcome.error.message).toContain('math.add');
    expect(outcome.error.message).toContain('a:');
    expect(outcome.error.details).toEqual({ issues: [expect.objectContaining({ path: 'a' })] });
  });

  it('rejects unknown extra arguments of a strict schema', async () => {
    const { server } = createTestServer();
    const outcome = await server.call('math.add', { a: 1, b: 2, c: 3 });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
  });

  it('answers unknown methods, including prototype names, with unknown_method', async () => {
    const { server } = createTestServer();
    for (const name of ['math.sub', 'toString', '__proto__', 'constructor', '']) {
      const outcome = await server.call(name, {});
      expect(outcome).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('turns thrown errors into service_failure and keeps CoachError codes and details', async () => {
    const { server } = createTestServer();
    expect(await server.call('fail.plain', {})).toEqual({
      ok: false,
      error: { code: 'service_failure', message: 'disk on fire' },
    });
    expect(await server.call('fail.coded', {})).toEqual({
      ok: false,
      error: { code: 'arm_fault', message: 'joint 3 over temperature', details: { joint: 3 } },
    });
  });

  it('refuses to return a result that breaks the contract', async () => {
    const { server } = createTestServer();
    const outcome = await server.call('fail.contract', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'service_failure' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('breaks the contract');
  });

  it('delivers stream events to every subscriber until it unsubscribes', () => {
    const { server, ticks } = createTestServer();
    const first: number[] = [];
    const second: number[] = [];
    const a = server.subscribe('ticks', {}, (p) => first.push((p as { n: number }).n));
    const b = server.subscribe('ticks', {}, (p) => second.push((p as { n: number }).n));
    expect(a.ok && b.ok).toBe(true);
    ticks.publish({ n: 1 });
    if (a.ok) a.unsubscribe();
    ticks.publish({ n: 2 });
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2]);
    expect(ticks.subscriberCount).toBe(1);
  });

  it('refuses unknown streams and bad stream arguments', () => {
    const { server } = createTestServer();
    expect(server.subscribe('nope', {}, () => {})).toMatchObject({ ok: false, error: { code: 'unknown_stream' } });
    expect(server.subscribe('frames', { camera: 7 }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
  });

  it('drops stream payloads that break the schema and reports them', () => {
    const { server, ticks } = createTestServer();
    const received: unknown[] = [];
    const problems: string[] = [];
    server.subscribe(
      'ticks',
      {},
      (p) => received.push(p),
      (error) => problems.push(error.code),
    );
    ticks.publish({ n: 1.5 });
    ticks.publish({ n: 2 });
    expect(received).toEqual([{ n: 2 }]);
    expect(problems).toEqual(['service_failure']);
  });
});
