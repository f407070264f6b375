import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { terminateProcessGroup } from './processGroup';
import { TextTail } from './textTail';
import type { TrainerInvocation } from './trainerCommand';
import { parseTrainerLine, type ExternalTrainerEvent } from './trainerEvents';

export interface TrainerProcessOptions {
  cwd?: string;
  signal?: AbortSignal;
  /** Stop the trainer after this long (no limit when absent). */
  timeoutS?: number;
  /** Between SIGTERM and SIGKILL when it is stopped. */
  killGraceMs: number;
  onEvent: (event: ExternalTrainerEvent) => void;
}

/** How the trainer process ended and what it said. */
export interface TrainerProcessOutcome {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** The command could not be started (ENOENT: not found; EACCES: not executable). */
  spawnError: NodeJS.ErrnoException | null;
  /** Coach stopped it. */
  stopped: 'cancelled' | 'timed_out' | null;
  /** The last done event, if any. */
  done: { package: string | null } | null;
  /** The messages of its error events. */
  errorMessages: string[];
  stderrTail: string;
}

/** After the trainer exits, how long its stdout/stderr may stay open (held by a leftover worker) before Coach stops reading. */
const STREAM_DRAIN_MS = 2000;

/** Runs the trainer in its own process group, reading its JSON-lines stdout, until it exits or is stopped. */
export function runTrainerProcess(
  invocation: TrainerInvocation,
  options: TrainerProcessOptions,
): Promise<TrainerProcessOutcome> {
  const outcome: TrainerProcessOutcome = {
    exitCode: null,
    exitSignal: null,
    spawnError: null,
    stopped: null,
    done: null,
    errorMessages: [],
    stderrTail: '',
  };
  const stderr = new TextTail();
  const child = spawn(invocation.file, invocation.args, {
    cwd: options.cwd,
    env: invocation.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

  return new Promise((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      outcome.stderrTail = stderr.toString();
      resolve(outcome);
    };
    const stop = (why: 'cancelled' | 'timed_out') => {
      if (outcome.stopped || settled) return;
      outcome.stopped = why;
      void terminateProcessGroup(child, options.killGraceMs);
    };
    const onAbort = () => stop('cancelled');

    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => {
      if (outcome.stopped) return;
      const event = parseTrainerLine(line);
      if (!event) return;
      if (event.event === 'done') outcome.done = { package: event.package };
      if (event.event === 'error') outcome.errorMessages.push(event.message);
      options.onEvent(event);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        outcome.spawnError = err;
        finish();
      }
    });
    child.once('exit', (code, signal) => {
      outcome.exitCode = code;
      outcome.exitSignal = signal;
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, STREAM_DRAIN_MS),
      );
    });
    child.once('close', finish);

    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutS !== undefined) timers.push(setTimeout(() => stop('timed_out'), options.timeoutS * 1000));
  });
}
