import type { EvaluationSummary } from '../../../../shared/evaluation/evaluationTypes';
import type { ModelVersion, VersionComparison } from '../../../../shared/models/modelVersionTypes';
import type { PairStatus, PairSummary } from '../../../../shared/refine/pairTypes';
import type { RefineJob, RefinePhase } from '../../../../shared/refine/refineTypes';
import { formatDuration } from '../../format';

/** NORA-1.5's β for Diffusion-DPO: the trainer's default and the documented starting point (docs/training.md). */
export const NORA_BETA = 500;
/** Held-out attempts per task template for the before/after evaluation when the operator changes nothing. */
export const DEFAULT_EVAL_EPISODES = 10;

export const PHASE_TEXT: Record<RefinePhase, string> = {
  pairs: 'Building preference pairs',
  training: 'Training (DPO)',
  evaluating: 'Evaluating both versions on held-out scenes',
  ready: 'Ready — compare, then promote or discard',
  promoted: 'Promoted',
  discarded: 'Discarded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The steps the one click goes through, for the step strip. */
export const PHASE_STEPS: readonly { phase: RefinePhase; label: string }[] = [
  { phase: 'pairs', label: 'Pairs' },
  { phase: 'training', label: 'DPO' },
  { phase: 'evaluating', label: 'Evaluate' },
  { phase: 'ready', label: 'Decide' },
];

/** The ProgressBar colour of a phase ('done' green, 'failed' red, 'cancelled' amber, else the accent). */
export function barPhase(phase: RefinePhase): string {
  if (phase === 'ready' || phase === 'promoted') return 'done';
  if (phase === 'failed') return 'failed';
  if (phase === 'cancelled' || phase === 'discarded') return 'cancelled';
  return phase;
}

export const SOURCE_TEXT: Record<string, string> = {
  label: 'labels',
  gta: 'GTA',
  wm: 'world model',
};

export const SOURCE_TITLE: Record<string, string> = {
  label: 'Operator labels: executed chunks of good attempts chosen, of bad attempts (or bad time marks) rejected',
  gta: 'Action reward (GTA): K sampled chunks ranked by their distance to the executed action',
  wm: 'World-model reward',
};

export function sourceText(source: string): string {
  return SOURCE_TEXT[source] ?? source;
}

export const PAIR_STATUS_TEXT: Record<PairStatus, string> = {
  active: 'active',
  flipped: 'flipped',
  discarded: 'discarded',
};

export const BUILD_FROM_OPTIONS = [
  { value: 'all', label: 'Labels + GTA', title: 'Pairs from operator labels and from the action reward (GTA)' },
  { value: 'labels', label: 'Labels', title: 'Pairs from good / bad labels and bad time marks only' },
  { value: 'gta', label: 'GTA', title: 'Pairs from the action reward (GTA) on good attempts only' },
  { value: 'none', label: 'None', title: 'Build no new pairs: refine on the pairs already in the catalog' },
] as const;

export type BuildFrom = (typeof BUILD_FROM_OPTIONS)[number]['value'];

export const REWARD_OPTIONS = [
  { value: 'gta', label: 'GTA', title: 'Rank samples by their distance to the executed chunk of good attempts' },
  {
    value: 'wm',
    label: 'World model',
    title: 'Rank samples by the world model’s energy against a goal frame: every attempt, no ground truth needed',
  },
  { value: 'wm+gta', label: 'WM + 0.1·GTA', title: 'NORA-1.5’s combined reward, on good attempts' },
] as const;

export type RewardChoice = (typeof REWARD_OPTIONS)[number]['value'];

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "42 pairs eligible: 30 from labels, 12 from GTA" (sources in the contract's order, then any others). */
export function pairsHeadline(summary: PairSummary): string {
  const parts = sourceParts(summary.bySource);
  const head = `${plural(summary.eligible, 'pair')} eligible`;
  return parts.length ? `${head}: ${parts.join(', ')}` : head;
}

/** "30 from labels, 12 from GTA" for non-zero counts. */
export function sourceParts(bySource: Record<string, number>): string[] {
  const order = ['label', 'gta', 'wm'];
  const keys = [
    ...order.filter((key) => key in bySource),
    ...Object.keys(bySource).filter((key) => !order.includes(key)),
  ];
  return keys.filter((key) => (bySource[key] ?? 0) > 0).map((key) => `${bySource[key]} from ${sourceText(key)}`);
}

/** A job's time left: "2 min 05 s", "—" when unknown. */
export function etaText(job: RefineJob): string {
  if (job.phase === 'ready' || job.phase === 'promoted') return 'done';
  if (job.etaS === null || !Number.isFinite(job.etaS) || job.etaS < 0) return '—';
  return formatDuration(job.etaS);
}

export function fractionPercent(job: RefineJob): number {
  if (job.phase === 'ready' || job.phase === 'promoted' || job.phase === 'discarded') return 100;
  return Math.max(0, Math.min(100, Math.round(job.fraction * 100)));
}

/** A figure's change for the headline: what it was, what it is, the change in words, and whether it is better. */
export interface Delta {
  before: string;
  after: string;
  change: string;
  /** better / worse / same, from the figure's direction (success up, strokes and grasps down). */
  tone: 'better' | 'worse' | 'same';
  /** The change lies within chance (the 95 % intervals overlap); success only. */
  withinNoise?: boolean;
}

function signed(value: number, digits: number): string {
  const rounded = Number(value.toFixed(digits));
  if (rounded === 0) return `±${(0).toFixed(digits)}`;
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(digits)}`;
}

function tone(change: number, higherIsBetter: boolean, epsilon: number): Delta['tone'] {
  if (Math.abs(change) < epsilon) return 'same';
  return change > 0 === higherIsBetter ? 'better' : 'worse';
}

function pct(rate: number): string {
  const percent = rate * 100;
  return `${percent > 0 && percent < 10 ? percent.toFixed(1) : percent.toFixed(0)} %`;
}

/** Success in points: "+12 points" (40 % → 52 %). */
export function successDelta(before: EvaluationSummary, after: EvaluationSummary): Delta {
  const points = (after.successRate - before.successRate) * 100;
  const [lowB, highB] = before.successInterval95;
  const [lowA, highA] = after.successInterval95;
  const digits = Math.abs(points) < 10 && Math.abs(points - Math.round(points)) > 0.05 ? 1 : 0;
  return {
    before: pct(before.successRate),
    after: pct(after.successRate),
    change: `${signed(points, digits)} points`,
    tone: tone(points, true, 0.05),
    withinNoise: lowA <= highB && lowB <= highA,
  };
}

/** Mean strokes in percent of before: "−30 %" (20.1 → 14.0). */
export function strokesDelta(before: EvaluationSummary, after: EvaluationSummary): Delta {
  const change = before.meanStrokes > 0 ? ((after.meanStrokes - before.meanStrokes) / before.meanStrokes) * 100 : 0;
  return {
    before: before.meanStrokes.toFixed(1),
    after: after.meanStrokes.toFixed(1),
    change: before.meanStrokes > 0 ? `${signed(change, 0)} %` : '—',
    tone: tone(change, false, 0.5),
  };
}

/** Distractor grasps, all attempts together: "−3" (7 → 4). */
export function distractorDelta(before: EvaluationSummary, after: EvaluationSummary): Delta {
  const change = after.distractorGrasps - before.distractorGrasps;
  return {
    before: String(before.distractorGrasps),
    after: String(after.distractorGrasps),
    change: signed(change, 0),
    tone: tone(change, false, 0.5),
  };
}

export interface HeadlineDeltas {
  success: Delta;
  strokes: Delta;
  distractors: Delta;
}

export function headlineDeltas(comparison: VersionComparison): HeadlineDeltas {
  const { overall: before } = comparison.before;
  const { overall: after } = comparison.after;
  return {
    success: successDelta(before, after),
    strokes: strokesDelta(before, after),
    distractors: distractorDelta(before, after),
  };
}

/** "40 % → 52 %" for a version's comparison against its parent; "—" when it was not evaluated. */
export function versionSuccessText(version: ModelVersion): string {
  const comparison = version.comparison;
  if (!comparison) return '—';
  return `${pct(comparison.before.overall.successRate)} → ${pct(comparison.after.overall.successRate)}`;
}

/** Hyper-parameters as sorted key/value lines (objects as compact JSON). */
export function hyperparameterRows(hyperparameters: Record<string, unknown>): { key: string; value: string }[] {
  return Object.keys(hyperparameters)
    .sort()
    .map((key) => {
      const value = hyperparameters[key];
      let text: string;
      if (typeof value === 'number')
        text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
      else if (typeof value === 'string') text = value;
      else if (value === null || value === undefined) text = '—';
      else text = JSON.stringify(value);
      return { key, value: text };
    });
}

/** A pair's scores: "gta 0.012 vs 0.094" (lower is better). */
export function scoresText(scores: { reward: string; chosen: number; rejected: number }): string {
  const figure = (value: number) =>
    !Number.isFinite(value)
      ? '—'
      : Math.abs(value) !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4)
        ? value.toExponential(2)
        : String(Number(value.toPrecision(3)));
  return `${scores.reward} ${figure(scores.chosen)} vs ${figure(scores.rejected)}`;
}
