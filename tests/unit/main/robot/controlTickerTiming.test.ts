import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_LATE_THRESHOLDS_MS, ControlTicker } from '../../../../src/main/robot/control/controlTicker';
import { armStateSchema } from '../../../../src/shared/arm';
import { ArmRuntime } from '../../../../src/main/robot/runtime/armRuntime';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ControlTicker timing (arm.state controlLoop)', () => {
  let ticker: ControlTicker | null = null;
  afterEach(() => ticker?.stop());

  it('summarises each second of ticks: intervals near the period, lateness and late-tick counters', async () => {
    ticker = new ControlTicker(200, () => {});
    expect(ticker.timing().window).toBeNull();
    ticker.start();
    await sleep(1300);
    const timing = ticker.timing();
    const window = timing.window!;
    expect(window).not.toBeNull();
    // About 200 ticks in the first window; their typical interval is the 5 ms period.
    expect(window.ticks).toBeGreaterThan(100);
    expect(window.ticks).toBeLessThan(260);
    expect(window.intervalP50Ms).toBeGreaterThan(3);
    expect(window.intervalP50Ms).toBeLessThan(8);
    expect(window.intervalMaxMs).toBeGreaterThanOrEqual(window.intervalP99Ms);
    expect(window.latenessMaxMs).toBeGreaterThanOrEqual(window.latenessP99Ms);
    expect(window.endedAtMs).toBeGreaterThan(Date.now() - 1000);
    expect(timing.lateThresholdsMs).toEqual([...CONTROL_LATE_THRESHOLDS_MS]);
    // Counters are cumulative and nested: a tick late by more than 5 ms is also late by more than 2 ms.
    for (let i = 1; i < timing.ticksLateOver.length; i += 1)
      expect(timing.ticksLateOver[i]!).toBeLessThanOrEqual(timing.ticksLateOver[i - 1]!);
    expect(timing.ticksLateOver[0]!).toBeLessThanOrEqual(timing.ticks);
  });

  it('counts a stalled tick as late and does not count a pause as an interval', async () => {
    let stallOnce = true;
    ticker = new ControlTicker(200, () => {
      if (!stallOnce) return;
      stallOnce = false;
      const until = performance.now() + 20;
      while (performance.now() < until);
    });
    ticker.start();
    await sleep(200);
    // The tick after the 20 ms stall ran more than 10 ms behind its deadline.
    const lateOver10 = ticker.timing().ticksLateOver[CONTROL_LATE_THRESHOLDS_MS.indexOf(10)]!;
    expect(lateOver10).toBeGreaterThanOrEqual(1);
    ticker.stop();
    await sleep(300);
    ticker.start();
    await sleep(1200);
    // The 300 ms pause fell between windows: no interval in the new window comes near it.
    expect(ticker.timing().window!.intervalMaxMs).toBeLessThan(250);
  });

  it('travels in the arm state the contract validates', () => {
    const state = new ArmRuntime().state();
    const parsed = armStateSchema.parse(state);
    expect(parsed.controlLoop).toMatchObject({ rateHz: 200, ticks: 0, window: null });
  });
});
