import type { EarlyStopRule } from './dpoOptions';

/** One step's figures. */
export interface DpoStepMetrics {
  loss: number;
  /** Implicit accuracy: the fraction of the step's pairs with a positive margin (a margin of exactly 0 counts ½). */
  accuracy: number;
  /** Mean reward margin −[(L_w − L_w_ref) − (L_l − L_l_ref)] over the step's pairs. */
  margin: number;
  /** Mean flow-matching error of the policy on the chosen and on the rejected chunks (L_w, L_l). */
  chosenError: number;
  rejectedError: number;
}

/** Per-step curves of a run. */
export type DpoCurves = { [K in keyof DpoStepMetrics]: number[] };

/** A step's figures from its per-pair margins and errors. */
export function stepMetrics(
  loss: number,
  margins: ArrayLike<number>,
  chosenErrors: ArrayLike<number>,
  rejectedErrors: ArrayLike<number>,
): DpoStepMetrics {
  const n = margins.length;
  let right = 0;
  for (let i = 0; i < n; i += 1) right += margins[i]! > 0 ? 1 : margins[i] === 0 ? 0.5 : 0;
  const mean = (values: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += values[i]!;
    return sum / n;
  };
  return {
    loss,
    accuracy: right / n,
    margin: mean(margins),
    chosenError: mean(chosenErrors),
    rejectedError: mean(rejectedErrors),
  };
}

/** The run's curves, windowed means and early-stop decision. */
export class DpoMeter {
  readonly curves: DpoCurves = { loss: [], accuracy: [], margin: [], chosenError: [], rejectedError: [] };
  private bestWindowLoss = Infinity;
  private bestAtStep = 0;

  constructor(
    /** Steps of the windowed means (the early-stop rule's window, else 50). */
    readonly windowSteps: number,
    private readonly rule: EarlyStopRule | null,
  ) {}

  record(metrics: DpoStepMetrics): void {
    for (const key of Object.keys(this.curves) as (keyof DpoStepMetrics)[]) this.curves[key].push(metrics[key]);
  }

  get steps(): number {
    return this.curves.loss.length;
  }

  /** Mean of a figure over the last window (fewer steps at the start); null before any step. */
  windowMean(key: keyof DpoStepMetrics): number | null {
    const values = this.curves[key].slice(-this.windowSteps);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  }

  /**
   * Why the run should stop now (after `this.steps` steps, none of them warm-up steps when
   * `pastWarmup`), or null. Rules apply only once a whole window of steps is recorded.
   */
  stopReason(pastWarmup: boolean): string | null {
    const rule = this.rule;
    if (!rule || this.steps < rule.windowSteps) return null;
    const loss = this.windowMean('loss')!;
    if (loss < this.bestWindowLoss - rule.minLossDrop) {
      this.bestWindowLoss = loss;
      this.bestAtStep = this.steps;
    }
    if (!pastWarmup) return null;
    const accuracy = this.windowMean('accuracy')!;
    if (rule.accuracy !== null && accuracy >= rule.accuracy)
      return `the implicit accuracy over the last ${rule.windowSteps} steps reached ${accuracy.toFixed(3)} (≥ ${rule.accuracy})`;
    if (rule.plateauSteps !== null && this.steps - this.bestAtStep >= rule.plateauSteps)
      return `the loss over ${rule.windowSteps} steps has not fallen by more than ${rule.minLossDrop} for ${rule.plateauSteps} steps`;
    return null;
  }
}
