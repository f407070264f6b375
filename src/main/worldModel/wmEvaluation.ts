import { sceneSeed, type SeedSet } from '../../shared/evaluation/seedSets';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { forwardKinematics } from '../../shared/robot/kinematics';
import { GRIPPER_MAX_STROKE_MM } from '../../shared/robot/a1Spec';
import { deriveSeed, SeededRandom } from '../../shared/sim/world/random';
import { MAX_DISTRACTORS } from '../../shared/sim/world/sceneGenerator';
import { MAX_ROTATION_STEP_RAD, MAX_TRANSLATION_STEP_M } from '../../shared/sim/world/scriptedExpert';
import { LIVE_GRIPPER_SPEED_MM_S, TabletopWorld } from '../../shared/sim/world/tabletopWorld';
import { taskObjectKinds, type TaskTemplate } from '../../shared/sim/world/tasks';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';
import { renderPolicyImage } from '../sim/render/sceneRenderer';
import type { DemoEpisodePlan } from '../training/demonstrations/demoConfig';
import { drawRandomChunk, executeAction, rollOutDemo } from '../training/demonstrations/demoRollout';
import type { WorldModelRuntime } from './worldModelRuntime';
import { WM_LATENT_NAMES } from '../training/defaultModel/defaultPrefix';
import { goalFrameIndex } from '../../shared/worldModel/goalFrameIndex';

export interface WmEvalOptions {
  templates: TaskTemplate[];
  episodesPerTemplate: number;
  seedSet: SeedSet;
  /** Std of the noise added to each expert step's translation for the perturbed chunk, m (default 5 mm). */
  perturbStdM?: number;
  seed?: number;
  onEpisode?: (done: number, total: number) => void;
}

export interface PairwiseTally {
  wins: number;
  total: number;
}

export interface PhaseTallies {
  perturbed: PairwiseTally;
  random: PairwiseTally;
  oracle: { perturbed: PairwiseTally; random: PairwiseTally };
}

export interface WmEvalReport {
  model: { name: string; version: string; provider: string };
  seedSet: SeedSet;
  episodes: number;
  chunks: number;
  /** The world model ranks the expert's chunk below (better than) the other, per kind and template. */
  perturbed: PairwiseTally;
  random: PairwiseTally;
  byTemplate: Record<string, { perturbed: PairwiseTally; random: PairwiseTally }>;
  /**
   * The same by where the arm is at the chunk boundary (WM_PHASES), with the true state's ranking beside it:
   * where the world model loses against the ceiling.
   */
  byPhase: Partial<Record<WmPhase, PhaseTallies>>;
  /** The same comparisons by the true distance to the goal state: how often the expert's chunk is really nearer. */
  oracle: { perturbed: PairwiseTally; random: PairwiseTally };
  /**
   * The predictor alone: the same comparisons with the rollout started from the true task state (and the
   * goal's true state) instead of the encoder's latents. Only for world models whose latent is that task
   * state (coach-wm, WM_LATENT_NAMES); null otherwise. Tells the encoder's share of the errors from the
   * predictor's.
   */
  predictorOnTrueState: { perturbed: PairwiseTally; random: PairwiseTally } | null;
  /** Spearman's rank correlation of the energy with the true distance to the goal state, over every candidate. */
  spearman: number;
  durationS: number;
}

/** Where the arm is at a chunk boundary: holding the named object, else how far the TCP is from it (x, y). */
export const WM_PHASES = ['held', 'over_it', 'near', 'far'] as const;
export type WmPhase = (typeof WM_PHASES)[number];

const PHASE_TEXT: Record<WmPhase, string> = {
  held: 'in the fingers',
  over_it: 'within 3 cm',
  near: '3 – 10 cm',
  far: 'farther',
};

/** The phase of a boundary from the world and its true task state (trueTaskState). */
export function wmPhase(snapshot: WorldSnapshot, taskState: readonly number[]): WmPhase {
  if (snapshot.objects.some((object) => object.grasped)) return 'held';
  const distanceM = Math.hypot(taskState[0]!, taskState[1]!);
  return distanceM < 0.03 ? 'over_it' : distanceM < 0.1 ? 'near' : 'far';
}

const CHUNK = 5;
const DT_S = 0.1;

/**
 * The true task state the default world model's latent stands for (WM_LATENT_NAMES), from the simulator:
 * the named object from the TCP (the object's plane height 2 cm), the goal object from the named object, the
 * gripper's opening fraction.
 */
export function trueTaskState(
  chain: KinematicChain,
  snapshot: WorldSnapshot,
  template: TaskTemplate,
  instructionKinds: string[],
): number[] {
  const tcp = forwardKinematics(chain, snapshot.armQRad).positionM;
  const find = (kind: string) => snapshot.objects.find((object) => object.kind === kind)!.positionM;
  const object = find(instructionKinds[0]!);
  const goal = template === 'pick_up' ? object : find(instructionKinds[1] ?? instructionKinds[0]!);
  return [
    object[0] - tcp[0],
    object[1] - tcp[1],
    0.02 - tcp[2],
    goal[0] - object[0],
    goal[1] - object[1],
    snapshot.gripperOpeningMm / GRIPPER_MAX_STROKE_MM,
  ];
}

/** Whether the world model's latent is the task state trueTaskState computes (coach-wm's). */
function latentIsTaskState(runtime: WorldModelRuntime): boolean {
  const names = runtime.manifest.latent.names;
  return names !== undefined && names.join() === WM_LATENT_NAMES.join();
}

/** One comparison: the expert's chunk (scores[0]) against candidate `other`, lower score winning. */
function count(tally: PairwiseTally, scores: readonly number[], other: number): void {
  tally.wins += scores[0]! < scores[other]! ? 1 : 0;
  tally.total += 1;
}

function weightedL1(a: readonly number[], b: readonly number[], weights: readonly number[]): number {
  return a.reduce((sum, value, i) => sum + (weights[i] ?? 1) * Math.abs(value - b[i]!), 0);
}

/** Replays the executed actions of an episode up to `count` steps, then `extra` actions; the world after. */
function replay(
  chain: KinematicChain,
  plan: DemoEpisodePlan,
  executed: readonly (readonly number[])[],
  count: number,
  extra: readonly (readonly number[])[],
): WorldSnapshot {
  const world = new TabletopWorld(chain, plan.seed, {
    template: plan.template,
    distractors: plan.distractors,
    gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S,
  });
  let q = [...world.snapshot().armQRad];
  for (let i = 0; i < count; i += 1) q = executeAction(chain, world, q, executed[i]!, DT_S);
  for (const action of extra) q = executeAction(chain, world, q, action, DT_S);
  return world.snapshot();
}

function rankCorrelation(x: readonly number[], y: readonly number[]): number {
  const ranks = (values: readonly number[]) => {
    const order = values.map((value, i) => [value, i] as const).sort((a, b) => a[0] - b[0]);
    const out = new Array<number>(values.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j += 1;
      for (let k = i; k <= j; k += 1) out[order[k]![1]] = (i + j) / 2;
      i = j + 1;
    }
    return out;
  };
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (rx.length - 1) / 2;
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < rx.length; i += 1) {
    num += (rx[i]! - mean) * (ry[i]! - mean);
    dx += (rx[i]! - mean) ** 2;
    dy += (ry[i]! - mean) ** 2;
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}

/**
 * `coach wm eval`: on scenes of the seed set (held-out by default; no training data comes from them), the
 * scripted expert does the task; the goal is its frame goalFrameIndex picks (where it let go of the object;
 * its last for pick up), as GoalFrames picks for recorded attempts. At every chunk boundary the world model ranks
 * the expert's next chunk against a perturbed copy (Gaussian noise on each step's translation) and a random
 * chunk; a win is a lower energy for the expert's. The energies are also compared with the true distance of
 * the simulated outcome to the goal state (trueTaskState, the energy's weights): Spearman's correlation, and
 * how often that true distance itself favours the expert (the ceiling of a one-chunk, goal-distance reward).
 */
export async function evaluateWorldModel(
  chain: KinematicChain,
  runtime: WorldModelRuntime,
  options: WmEvalOptions,
): Promise<WmEvalReport> {
  const started = Date.now();
  const { camera } = runtime.manifest;
  const weights = runtime.manifest.energy.weights ?? new Array<number>(runtime.latentSize).fill(1);
  const perturbStdM = options.perturbStdM ?? 0.005;
  const tally = () => ({ wins: 0, total: 0 });
  const report: WmEvalReport = {
    model: { name: runtime.manifest.name, version: runtime.manifest.version, provider: runtime.provider },
    seedSet: options.seedSet,
    episodes: 0,
    chunks: 0,
    perturbed: tally(),
    random: tally(),
    byTemplate: {},
    byPhase: {},
    oracle: { perturbed: tally(), random: tally() },
    predictorOnTrueState: latentIsTaskState(runtime) ? { perturbed: tally(), random: tally() } : null,
    spearman: 0,
    durationS: 0,
  };
  const energies: number[] = [];
  const distances: number[] = [];
  const total = options.templates.length * options.episodesPerTemplate;
  let done = 0;
  for (let index = 0; index < options.episodesPerTemplate; index += 1) {
    for (const template of options.templates) {
      const seed = sceneSeed(options.seedSet, template, index);
      const plan: DemoEpisodePlan = { template, seed, distractors: index % (MAX_DISTRACTORS + 1), noiseStd: 0 };
      const demo = rollOutDemo(chain, plan, { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, maxSteps: 300, dtS: DT_S });
      done += 1;
      if (!demo.success) {
        options.onEpisode?.(done, total);
        continue;
      }
      report.episodes += 1;
      const kinds = taskObjectKinds(new TabletopWorld(chain, seed, { template, distractors: plan.distractors }).task);
      const draw = (snapshot: WorldSnapshot) =>
        renderPolicyImage(snapshot, chain, camera.name, camera.widthPx, camera.heightPx);
      const frames = [...demo.steps.map((step) => step.snapshot), demo.final];
      const goalFrame = frames[goalFrameIndex(frames.map((frame) => frame.gripperOpeningMm))]!;
      const goalState = trueTaskState(chain, goalFrame, template, kinds);
      const [goalLatent] = await runtime.encode([
        {
          rgb: draw(goalFrame),
          widthPx: camera.widthPx,
          heightPx: camera.heightPx,
          instruction: demo.instruction,
          robotState: [...goalFrame.armQRad, goalFrame.gripperOpeningMm / GRIPPER_MAX_STROKE_MM],
        },
      ]);
      const byTemplate = (report.byTemplate[template] ??= { perturbed: tally(), random: tally() });
      const executed = demo.steps.map((step) => step.executed);
      const random = new SeededRandom(deriveSeed(options.seed ?? 0, `wm-eval/${seed}`));
      for (let t = 0; t + CHUNK <= demo.steps.length; t += CHUNK) {
        const step = demo.steps[t]!;
        const expert = executed.slice(t, t + CHUNK).map((action) => [...action]);
        const perturbed = expert.map((action) =>
          action.map((value, d) =>
            d < 3
              ? Math.max(
                  -MAX_TRANSLATION_STEP_M,
                  Math.min(MAX_TRANSLATION_STEP_M, value + random.gaussian(0, perturbStdM)),
                )
              : d < 6
                ? Math.max(-MAX_ROTATION_STEP_RAD, Math.min(MAX_ROTATION_STEP_RAD, value + random.gaussian(0, 0.01)))
                : value,
          ),
        );
        const randomChunk = drawRandomChunk(random, CHUNK, expert[0]![6]!).map((action) => [...action]);
        const candidates = [expert, perturbed, randomChunk];
        const [latent] = await runtime.encode([
          {
            rgb: draw(step.snapshot),
            widthPx: camera.widthPx,
            heightPx: camera.heightPx,
            instruction: demo.instruction,
            robotState: step.robotState,
          },
        ]);
        const chunks = candidates.map((chunk) => Float32Array.from(chunk.flat()));
        const finals = await runtime.finalLatents(latent!, chunks);
        const energy = finals.map((final) => runtime.energy(final, goalLatent!));
        const taskState = trueTaskState(chain, step.snapshot, template, kinds);
        const onTruth = report.predictorOnTrueState
          ? (await runtime.finalLatents(Float32Array.from(taskState), chunks)).map((final) =>
              runtime.energy(final, Float32Array.from(goalState)),
            )
          : null;
        const byPhase = (report.byPhase[wmPhase(step.snapshot, taskState)] ??= {
          perturbed: tally(),
          random: tally(),
          oracle: { perturbed: tally(), random: tally() },
        });
        const truth = candidates.map((chunk) =>
          weightedL1(
            trueTaskState(chain, replay(chain, plan, executed, t, chunk), template, kinds),
            goalState,
            weights,
          ),
        );
        energies.push(...energy);
        distances.push(...truth);
        report.chunks += 1;
        for (const [kind, other] of [
          ['perturbed', 1],
          ['random', 2],
        ] as const) {
          count(report[kind], energy, other);
          count(byTemplate[kind], energy, other);
          count(byPhase[kind], energy, other);
          count(report.oracle[kind], truth, other);
          count(byPhase.oracle[kind], truth, other);
          if (onTruth && report.predictorOnTrueState) count(report.predictorOnTrueState[kind], onTruth, other);
        }
      }
      options.onEpisode?.(done, total);
    }
  }
  report.spearman = rankCorrelation(energies, distances);
  report.durationS = (Date.now() - started) / 1000;
  return report;
}

const percent = (t: PairwiseTally) => (t.total ? `${((100 * t.wins) / t.total).toFixed(1)} %` : '–');

/** The table `coach wm eval` prints. */
export function formatWmEvaluation(report: WmEvalReport): string {
  const both = (a: PairwiseTally, b: PairwiseTally): PairwiseTally => ({
    wins: a.wins + b.wins,
    total: a.total + b.total,
  });
  const row = (label: string, perturbed: PairwiseTally, random: PairwiseTally, note = '') =>
    `${label.padEnd(15)} ${percent(perturbed).padStart(11)}  ${percent(random).padStart(10)}  ${percent(both(perturbed, random)).padStart(7)}${note}`;
  const lines = [
    `${report.model.name} ${report.model.version} (${report.model.provider}) — ${report.seedSet} seeds, ${report.episodes} expert episodes, ${report.chunks} chunk boundaries`,
    `pairwise accuracy: the expert's chunk gets the lower energy than …`,
    `template        vs perturbed   vs random    both`,
    ...Object.entries(report.byTemplate).map(([template, t]) => row(template, t.perturbed, t.random)),
    row('overall', report.perturbed, report.random),
    row(
      'true state',
      report.oracle.perturbed,
      report.oracle.random,
      '   (the same ranking by the true distance to the goal state)',
    ),
    ...(report.predictorOnTrueState
      ? [
          row(
            'predictor',
            report.predictorOnTrueState.perturbed,
            report.predictorOnTrueState.random,
            "   (the predictor started from the true task state: the encoder's errors left out)",
          ),
        ]
      : []),
    'by phase (where the arm is: holding the object, else the TCP from it), the world model | the true state:',
    ...WM_PHASES.filter((phase) => report.byPhase[phase]).map((phase) => {
      const t = report.byPhase[phase]!;
      return `${row(PHASE_TEXT[phase], t.perturbed, t.random)}  | ${percent(t.oracle.perturbed).padStart(7)} ${percent(t.oracle.random).padStart(7)}  (${t.perturbed.total} boundaries)`;
    }),
    `energy vs true distance to the goal state: Spearman ${report.spearman.toFixed(3)} over ${report.chunks * 3} candidates`,
    `${report.durationS.toFixed(0)} s`,
  ];
  return `${lines.join('\n')}\n`;
}
