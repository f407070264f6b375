// Runs sim attempts back to back through the contract, as the operator would: a fresh scene for a task from the sim's
// templates, Run, wait for the end, label the recorded episode (good on success, bad otherwise), repeat.
import type { Bridge } from '../../src/shared/contract/bridge';
import type { CoachContract } from '../../src/shared/contract/api';
import type { ArmState } from '../../src/shared/arm';
import type { RunStatus } from '../../src/shared/policy/policyTypes';
import type { EpisodeEvent } from '../../src/shared/episodes/episodeTypes';
import { TASK_TEMPLATES, instructionFor, sampleTask } from '../../src/shared/sim/world/tasks';
import { SeededRandom } from '../../src/shared/sim/world/random';

export interface AttemptRecord {
  index: number;
  startedAtMs: number;
  durationS: number;
  instruction: string;
  seed: number;
  outcome: string;
  reason: string | null;
  strokes: number;
  episodeId: number | null;
  label: 'good' | 'bad' | null;
  /** Why this attempt did not run or was not labelled, when it was not. */
  problem: string | null;
}

export interface AttemptDriverOptions {
  bridge: Bridge<CoachContract>;
  /** No new attempt starts after this (wall clock, ms); one running then is stopped. */
  deadlineMs: number;
  attemptTimeoutS: number;
  /** Stops starting attempts when this says why (e.g. the disk is nearly full). */
  shouldStop: () => string | null;
  onAttempt: (attempt: AttemptRecord) => void;
}

const LINK_WAIT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first value of a stream that passes `accept`, or null after `timeoutMs`. */
function nextValue<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  accept: (value: T) => boolean,
  timeoutMs: number,
): { promise: Promise<T | null>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<T | null>((resolve) => {
    let done = false;
    let unsubscribe: (() => void) | null = null;
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(value: T | null) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      resolve(value);
    }
    unsubscribe = subscribe((value) => {
      if (accept(value)) finish(value);
    });
    // A stream that answered synchronously has finished before subscribe returned.
    if (done) unsubscribe();
    cancel = () => finish(null);
  });
  return { promise, cancel };
}

export async function driveAttempts(options: AttemptDriverOptions): Promise<AttemptRecord[]> {
  const { bridge } = options;
  const attempts: AttemptRecord[] = [];
  let armState: ArmState | null = null;
  const stopArmState = bridge.subscribe('arm.state', {}, (state) => (armState = state));
  const random = new SeededRandom(20_260_101);
  // episodes.events replays its latest event to a new subscriber: only a newer episode is this attempt's.
  let lastEpisodeId = 0;
  try {
    for (let index = 0; Date.now() < options.deadlineMs; index += 1) {
      const stopReason = options.shouldStop();
      if (stopReason) {
        console.log(`soak: no more attempts: ${stopReason}`);
        break;
      }
      const attempt = await runOne(index);
      attempts.push(attempt);
      options.onAttempt(attempt);
      // A refused or failed start must not spin: give the arm a moment before the next try.
      if (attempt.problem || attempt.outcome === 'refused') await sleep(2000);
    }
  } finally {
    stopArmState();
  }
  return attempts;

  /** As an operator would: wait for the link to be up, clear a fault, release a hold. */
  async function readyArm(): Promise<void> {
    const until = Date.now() + LINK_WAIT_MS;
    while ((armState as ArmState | null)?.link?.state !== 'up') {
      if (Date.now() > until) throw new Error(`the arm link was not up for ${LINK_WAIT_MS / 1000} s`);
      await sleep(100);
    }
    const governor = (armState as ArmState | null)?.governor;
    if (governor?.mode === 'faulted') await bridge.call('arm.clearError', {});
    if (governor?.holdLatched || governor?.mode === 'faulted') await bridge.call('arm.release', {});
  }

  async function runOne(index: number): Promise<AttemptRecord> {
    const seed = random.int(0, 2 ** 31 - 1);
    const template = TASK_TEMPLATES[index % TASK_TEMPLATES.length]!;
    const instruction = instructionFor(sampleTask(new SeededRandom(seed), template));
    const record: AttemptRecord = {
      index,
      startedAtMs: Date.now(),
      durationS: 0,
      instruction,
      seed,
      outcome: 'not started',
      reason: null,
      strokes: 0,
      episodeId: null,
      label: null,
      problem: null,
    };
    let recorded: ReturnType<typeof nextValue<EpisodeEvent>> | null = null;
    try {
      await readyArm();
      await bridge.call('sim.resetScene', { seed, instruction });
      recorded = nextValue<EpisodeEvent>(
        (listener) => bridge.subscribe('episodes.events', {}, listener),
        (event) => event.kind === 'recorded' && (event.episode?.id ?? 0) > lastEpisodeId,
        (options.attemptTimeoutS + 60) * 1000,
      );
      const started = await bridge.call('run.start', {
        instruction,
        options: { timeoutS: options.attemptTimeoutS, maxStrokes: 200, overlapInference: false },
      });
      const finished = nextValue<RunStatus>(
        (listener) => bridge.subscribe('run.status', {}, listener),
        (status) => status.runId === started.runId && status.phase === 'finished',
        (options.attemptTimeoutS + 30) * 1000,
      );
      const stopAtDeadline = setTimeout(
        () => void bridge.call('run.stop', { reason: 'soak benchmark ended' }).catch(() => {}),
        Math.max(0, options.deadlineMs - Date.now()),
      );
      const end = await finished.promise.finally(() => clearTimeout(stopAtDeadline));
      if (!end) {
        await bridge.call('run.stop', { reason: 'soak: attempt overran its timeout' }).catch(() => {});
        record.problem = `attempt ${started.runId} did not finish within ${options.attemptTimeoutS + 30} s`;
        return record;
      }
      record.outcome = end.outcome ?? 'unknown';
      record.reason = end.reason;
      record.strokes = end.strokes;
      const event = await recorded.promise;
      if (!event?.episode) {
        record.problem = 'no recorded episode arrived for the attempt';
        return record;
      }
      record.episodeId = event.episode.id;
      lastEpisodeId = event.episode.id;
      record.label = record.outcome === 'success' ? 'good' : 'bad';
      await bridge.call('episodes.label', { ids: [record.episodeId], label: record.label });
    } catch (error) {
      record.problem = (error as Error).message;
    } finally {
      recorded?.cancel();
      record.durationS = (Date.now() - record.startedAtMs) / 1000;
    }
    return record;
  }
}
