import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunStatus } from '../../../shared/policy/policyTypes';
import type { CoachError } from '../../../shared/contract/errors';
import { createCoach } from '../../coach';
import { defaultModelPath } from '../../policy/defaultModel';
import { defaultDataDir, findAppPackage } from '../../appPaths';
import { policyImages } from '../../runner/policyImages';
import { LINK_SPEC_HELP, parseLinkSpec } from './armLinkSpec';

export const RUN_USAGE = `Usage: coach run --task "<instruction>" [--model DIR] [--seed N] [--link <link>]
                 [--timeout S] [--max-strokes N] [--rate HZ] [--data DIR] [--json]

  Runs one attempt headless: the policy acts on the instruction until success, timeout, max strokes,
  a fault or a refused motion, then prints the outcome, strokes and timings.
  --model DIR       model package folder (default: the one Coach ships)
  --seed N          seeds the sim's scene and the sampler's noise (reproducible attempts)
  --link <link>     the arm (default sim); ${'`'}serial:…${'`'} moves a real arm: be at its power switch
  --timeout S       seconds before the attempt ends as a timeout (default 60)
  --max-strokes N   chunks before it ends (default 200)
  --rate HZ         actions per second (default: the package's control rate)
  --json            print the final status as JSON

  Exit status: 0 success, 3 the attempt ended without success, 1 it could not run, 2 bad usage.

${LINK_SPEC_HELP}
`;

class RunUsageError extends Error {}

function numberFlag(flag: string, text: string | undefined, min: number, max: number, integer: boolean) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  )
    throw new RunUsageError(
      `--${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${text}"`,
    );
  return value;
}

function formatMs(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} ms`;
}

/** `coach run`: one headless attempt. */
export async function runRunCommand(argv: string[]): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        task: { type: 'string' },
        model: { type: 'string' },
        seed: { type: 'string' },
        link: { type: 'string', default: 'sim' },
        timeout: { type: 'string' },
        'max-strokes': { type: 'string' },
        rate: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(RUN_USAGE);
      return 0;
    }
    if (!values.task) throw new RunUsageError('--task is required, e.g. --task "put the grape in the plate"');
    options = {
      task: values.task,
      model: path.resolve(values.model ?? defaultModelPath(findAppPackage(__dirname).root)),
      seed: numberFlag('seed', values.seed, 0, 2 ** 31 - 1, true),
      link: parseLinkSpec(values.link),
      timeoutS: numberFlag('timeout', values.timeout, 1, 3600, false) ?? 60,
      maxStrokes: numberFlag('max-strokes', values['max-strokes'], 1, 10_000, true) ?? 200,
      rateHz: numberFlag('rate', values.rate, 1, 100, false),
      dataDir: path.resolve(values.data ?? defaultDataDir()),
      json: values.json,
    };
  } catch (error) {
    process.stderr.write(`coach run: ${(error as Error).message}\n\n${RUN_USAGE}`);
    return 2;
  }

  const coach = createCoach({
    dataDir: options.dataDir,
    host: 'cli',
    arm: { autoConnect: false },
    policy: { autoLoad: false },
  });
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  try {
    const info = await coach.policy.load(options.model);
    say(
      `model ${info.name} ${info.version}${info.trained ? '' : ' (untrained test model)'} on ${info.provider.toUpperCase()}` +
        ` — loaded in ${info.loadMs.toFixed(0)} ms, warm-up ${info.warmupMs.toFixed(0)} ms`,
    );
    await coach.arm.connect(options.link);
    if (options.link.kind === 'sim') coach.cameras.addSimCameras();
    say(`arm ${coach.arm.state().link?.description ?? options.link.kind}`);
    await waitFor(() => isReady(coach), 5000, "the arm and the policy's cameras did not become ready within 5 s");

    coach.runner.start(options.task, {
      seed: options.seed,
      timeoutS: options.timeoutS,
      maxStrokes: options.maxStrokes,
      controlRateHz: options.rateHz,
    });
    let lastStrokes = -1;
    const stopProgress = coach.runner.statusTopic.subscribe((status) => {
      if (status.strokes !== lastStrokes && status.phase !== 'finished') {
        lastStrokes = status.strokes;
        if (status.strokes > 0)
          say(
            `  stroke ${status.strokes}: inference ${formatMs(status.lastInferenceMs)}, ${status.actionsSent} actions sent`,
          );
      }
    });
    const interrupt = () => void coach.runner.stop('interrupted (Ctrl+C)');
    process.once('SIGINT', interrupt);
    const final = await coach.runner.finished();
    process.off('SIGINT', interrupt);
    stopProgress();
    if (options.json) process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
    else for (const line of formatOutcome(final)) say(line);
    return final.outcome === 'success' ? 0 : 3;
  } catch (error) {
    process.stderr.write(`coach run: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await coach.close();
  }
}

function isReady(coach: ReturnType<typeof createCoach>): boolean {
  const state = coach.arm.state();
  if (state.link?.state !== 'up' || state.joints.length === 0) return false;
  try {
    policyImages(coach.cameras, coach.policy.info()?.cameras ?? []);
    return true;
  } catch (error) {
    // A camera that is not there will not come: the attempt then refuses, saying what to add.
    return (error as CoachError).code === 'no_camera';
  }
}

async function waitFor(ready: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function formatOutcome(status: RunStatus): string[] {
  return [
    `outcome: ${status.outcome} — ${status.reason}`,
    `task: "${status.instruction}"${status.seed !== null ? ` (seed ${status.seed})` : ''}`,
    `strokes: ${status.strokes}, actions sent: ${status.actionsSent}, duration ${status.elapsedS.toFixed(1)} s`,
    `inference per chunk: mean ${formatMs(status.meanInferenceMs)}, last ${formatMs(status.lastInferenceMs)}`,
    ...(status.task ? [`sim task check: ${status.task.success ? 'success' : 'not done'} — ${status.task.reason}`] : []),
  ];
}
