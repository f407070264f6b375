import { CoachError } from '../../../shared/contract/errors';
import type { ArmRuntime } from './armRuntime';
import {
  wallClockMs,
  type ArmRequest,
  type CommandBatchArrival,
  type SimProbe,
  type TickerStats,
} from './armRuntimeProtocol';

function requireSim(runtime: ArmRuntime) {
  const sim = runtime.sim;
  if (!sim) throw new CoachError('not_simulated', 'the arm link is not the simulated A1');
  return sim;
}

async function probeSim(runtime: ArmRuntime, probe: SimProbe): Promise<unknown> {
  if (probe.kind === 'sceneSummary') return runtime.world?.summary() ?? null;
  if (probe.kind === 'resetScene') {
    const world = runtime.world;
    if (!world)
      throw new CoachError('not_simulated', 'the arm link is not the simulated bench; connect to the sim first');
    return world.reset(probe.seed, probe.instruction);
  }
  const { firmware } = requireSim(runtime);
  switch (probe.kind) {
    case 'positionJump':
      return firmware.arm.injectPositionJump(probe.motorId, probe.deltaRad);
    case 'faultBits':
      return firmware.arm.injectFaultBits(probe.motorId, probe.bits);
    case 'pullCable':
      return firmware.pullCable();
    case 'stallFeedback':
      return firmware.stallFeedback(probe.durationMs);
    case 'garbage':
      return firmware.sendGarbage(new Uint8Array(probe.bytes));
    case 'positions':
      return firmware.arm.positionsRad();
    case 'nextCommandBatch':
      return new Promise<CommandBatchArrival>((resolve) => {
        const stop = firmware.onCommandBatch(() => {
          stop();
          resolve({ arrivedAtMs: wallClockMs(), lastHoldWrittenAtMs: runtime.lastHoldWrittenAtMs });
        });
      });
    case 'firmwareStats':
      return { ...firmware.reader.stats, commandFrames: firmware.commandFramesReceived };
  }
}

function tickerStats(runtime: ArmRuntime, reset: boolean): TickerStats {
  const ticker = runtime.controlTicker;
  const stats = {
    rateHz: ticker.rateHz,
    latenessMs: [...ticker.latenessMs],
    overruns: ticker.overruns,
    ticks: ticker.ticks,
  };
  if (reset) {
    ticker.latenessMs.length = 0;
    ticker.overruns = 0;
  }
  return stats;
}

/** Runs one request against the runtime; the same code serves the worker thread and the in-thread mode. */
export async function handleArmRequest(runtime: ArmRuntime, request: ArmRequest): Promise<unknown> {
  switch (request.op) {
    case 'connect':
      return runtime.connect(request.config);
    case 'disconnect':
      return runtime.disconnect();
    case 'enable':
      return runtime.enable();
    case 'disable':
      return runtime.disable();
    case 'clearError':
      return runtime.clearError();
    case 'hold':
      return runtime.hold(request.reason);
    case 'release':
      return runtime.release();
    case 'jog':
      return runtime.jog(request.motorId, request.deltaRad);
    case 'move':
      return runtime.move(request.target);
    case 'setSafety':
      return runtime.setSafety(request.safety);
    case 'state':
      return runtime.state();
    case 'sim':
      return probeSim(runtime, request.probe);
    case 'tickerStats':
      return tickerStats(runtime, request.reset);
    case 'controlLoop':
      return request.running ? runtime.controlTicker.start() : runtime.controlTicker.stop();
    case 'close':
      return runtime.close();
  }
}
