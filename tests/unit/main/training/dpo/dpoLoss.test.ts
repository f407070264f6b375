import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { drawFlowTime, flowMatchingPair } from '../../../../../src/main/training/bc/stepDraws';
import {
  buildDpoGradient,
  dpoLoss,
  stableSoftplus,
  stepMetrics,
  EXPERT_KEY,
  type DpoBatch,
  type DpoGraphs,
} from '../../../../../src/main/training/dpo';
import { arrayFromData, ONNX_TYPE, readWeights, type Params } from '../../../../../src/main/training/onnx';
import { grad, np } from '../../../../../src/main/training/onnx/jax';
import {
  buildLinearExpert,
  LINEAR,
  linearDpoGraphs,
  meanChosenError,
  meanErrorGap,
  numericGradient,
  referenceDpoLoss,
  type HostDpoBatch,
  type LinearWeights,
} from './linearExpert';

const PAIRS = 4;
const VALUES = LINEAR.chunk * LINEAR.dims;

/** Pairs of random chunks at random contexts; `sameChunks` makes each pair's rejected chunk its chosen one. */
function hostBatch(seed: number, noise: 'shared' | 'independent', sameChunks = false): HostDpoBatch {
  const random = new SeededRandom(seed);
  const gaussians = (n: number, std = 1) => Float32Array.from({ length: n }, () => random.gaussian(0, std));
  const contexts = gaussians(PAIRS * LINEAR.contextWidth);
  const chosen = gaussians(PAIRS * VALUES, 0.6);
  const rejected = sameChunks ? chosen : gaussians(PAIRS * VALUES, 0.6);
  const actions = new Float32Array(2 * PAIRS * VALUES);
  actions.set(chosen);
  actions.set(rejected, PAIRS * VALUES);
  const half = () => ({
    times: Float32Array.from({ length: PAIRS }, () => drawFlowTime(random)),
    noise: gaussians(PAIRS * VALUES),
  });
  const w = half();
  const l = noise === 'shared' ? w : half();
  const times = Float32Array.from([...w.times, ...l.times]);
  const pair = flowMatchingPair(actions, { times, noise: Float32Array.from([...w.noise, ...l.noise]) });
  return {
    pairs: PAIRS,
    context: Float64Array.from([...contexts, ...contexts]),
    noisyActions: Float64Array.from(pair.noisyActions),
    times: Float64Array.from(times),
    targetVelocity: Float64Array.from(pair.targetVelocity),
  };
}

const f32 = (values: ArrayLike<number>, dims: number[]) =>
  arrayFromData(Float32Array.from(values), dims, ONNX_TYPE.float32);

function jaxBatch(batch: HostDpoBatch): DpoBatch {
  const rows = 2 * batch.pairs;
  return {
    context: { context: f32(batch.context, [rows, LINEAR.contextWidth]) },
    noisyActions: f32(batch.noisyActions, [rows, LINEAR.chunk, LINEAR.dims]),
    times: f32(batch.times, [rows]),
    targetVelocity: f32(batch.targetVelocity, [rows, LINEAR.chunk, LINEAR.dims]),
  };
}

/** Keyed as the trainer keys them ("expert/W", "expert/b"). */
function jaxParams(weights: LinearWeights): Params {
  return {
    [`${EXPERT_KEY}W`]: f32(weights.W, [VALUES + 1 + LINEAR.contextWidth, VALUES]),
    [`${EXPERT_KEY}b`]: f32(weights.b, [VALUES]),
  };
}

/** Trainer-keyed values back to W and b. */
const unkeyed = (values: Record<string, Float32Array>) => ({
  W: values[`${EXPERT_KEY}W`]!,
  b: values[`${EXPERT_KEY}b`]!,
});

/** max |a − b| over W and b, and the largest |b| (the scale to compare against). */
function gradientGap(a: Record<string, ArrayLike<number>>, b: { W: Float64Array; b: Float64Array }) {
  let gap = 0;
  let scale = 0;
  for (const name of ['W', 'b'] as const)
    for (let i = 0; i < b[name].length; i += 1) {
      gap = Math.max(gap, Math.abs(a[name]![i]! - b[name][i]!));
      scale = Math.max(scale, Math.abs(b[name][i]!));
    }
  return { gap, scale };
}

describe('the Diffusion-DPO loss on a tiny linear expert', () => {
  let graphs: DpoGraphs;
  let policy: LinearWeights;
  let perturbed: LinearWeights;

  beforeAll(async () => {
    graphs = linearDpoGraphs(await buildLinearExpert(5));
    const weights = await readWeights(graphs.expert.params);
    policy = { W: weights.W!, b: weights.b! };
    const random = new SeededRandom(9);
    const perturb = (values: ArrayLike<number>) => Float64Array.from(values, (w) => w + random.gaussian(0, 0.05));
    perturbed = { W: perturb(policy.W), b: perturb(policy.b) };
  });
  afterAll(() => graphs.expert.dispose());

  async function trainerLoss(
    policyWeights: LinearWeights,
    reference: LinearWeights,
    batch: HostDpoBatch,
    beta: number,
    chosenFlowWeight = 0,
  ) {
    const step = buildDpoGradient(graphs, beta, chosenFlowWeight);
    const ref = jaxParams(reference);
    const out = step.run(jaxParams(policyWeights), ref, jaxBatch(batch));
    const result = {
      loss: out.loss.item(),
      margins: Array.from(await out.aux.margin.data(), Number),
      grads: unkeyed(await readWeights(out.grads)),
    };
    out.aux.chosenError.dispose();
    out.aux.rejectedError.dispose();
    for (const g of Object.values(out.grads)) g.dispose();
    for (const r of Object.values(ref)) r.dispose();
    step.dispose();
    return result;
  }

  for (const noise of ['shared', 'independent'] as const)
    it(`matches an independent float64 computation, loss and gradient (${noise} noise)`, async () => {
      const batch = hostBatch(noise === 'shared' ? 1 : 6, noise);
      const beta = 4;
      const mine = await trainerLoss(policy, perturbed, batch, beta);
      const theirs = referenceDpoLoss(policy, perturbed, batch, beta);
      expect(Math.abs(mine.loss - theirs.loss)).toBeLessThan(1e-5 * Math.max(1, theirs.loss));
      mine.margins.forEach((m, i) => expect(Math.abs(m - theirs.margins[i]!)).toBeLessThan(1e-5));
      // The margins are not all alike: the check is not vacuous.
      expect(new Set(theirs.margins.map((m) => m > 0)).size).toBe(2);
      const numeric = numericGradient(policy, (w) => referenceDpoLoss(w, perturbed, batch, beta).loss);
      const { gap, scale } = gradientGap(mine.grads, numeric);
      console.info(
        `DPO gradient vs central differences (${noise}): max gap ${gap.toExponential(2)}, scale ${scale.toFixed(3)}`,
      );
      expect(scale).toBeGreaterThan(1e-2);
      expect(gap).toBeLessThan(1e-4 * scale);
    });

  it('adds λ · mean(L_w) when asked, loss and gradient', async () => {
    const batch = hostBatch(7, 'shared');
    const lambda = 0.5;
    const total = (w: LinearWeights) =>
      referenceDpoLoss(w, perturbed, batch, 4).loss + lambda * meanChosenError(w, batch);
    const mine = await trainerLoss(policy, perturbed, batch, 4, lambda);
    expect(Math.abs(mine.loss - total(policy))).toBeLessThan(1e-5 * total(policy));
    const { gap, scale } = gradientGap(mine.grads, numericGradient(policy, total));
    expect(scale).toBeGreaterThan(1e-2);
    expect(gap).toBeLessThan(1e-4 * scale);
  });

  it('with the reference equal to the policy: loss ln 2, zero margins, gradient = +β/4 · ∇ mean(L_w − L_l)', async () => {
    const batch = hostBatch(3, 'shared');
    const beta = 500;
    const mine = await trainerLoss(policy, policy, batch, beta);
    console.info(`loss with reference = policy: ${mine.loss} (ln 2 = ${Math.LN2}), margins ${mine.margins.join(', ')}`);
    expect(Math.abs(mine.loss - Math.LN2)).toBeLessThan(1e-6);
    for (const m of mine.margins) expect(Math.abs(m)).toBeLessThan(1e-6);
    expect(
      stepMetrics(
        mine.loss,
        mine.margins.map(() => 0),
        [1],
        [1],
      ).accuracy,
    ).toBe(0.5);
    // d/dθ softplus(β/2 · Δ) at Δ = 0 is σ(0) · β/2 · dΔ/dθ = β/4 · d(L_w − L_l)/dθ (the reference has no θ).
    const gap = numericGradient(policy, (w) => meanErrorGap(w, batch));
    const expected = { W: gap.W.map((g) => (beta / 4) * g), b: gap.b.map((g) => (beta / 4) * g) };
    const check = gradientGap(mine.grads, expected);
    expect(check.scale).toBeGreaterThan(1);
    expect(check.gap).toBeLessThan(1e-4 * check.scale);
    const opposite = { W: expected.W.map((g) => -g), b: expected.b.map((g) => -g) };
    expect(gradientGap(mine.grads, opposite).gap).toBeGreaterThan(check.scale);
  });

  it('sends no gradient into the reference', async () => {
    const batch = hostBatch(4, 'independent');
    const referenceGrad = grad(
      (reference: Params, params: Params, b: DpoBatch) => dpoLoss(graphs, 4, params, reference, b)[0],
    )(jaxParams(perturbed), jaxParams(policy), jaxBatch(batch)) as Params;
    const values = await readWeights(referenceGrad);
    for (const g of Object.values(referenceGrad)) g.dispose();
    expect(Object.keys(values).sort()).toEqual([`${EXPERT_KEY}W`, `${EXPERT_KEY}b`]);
    for (const array of Object.values(values)) expect(array.every((v) => v === 0)).toBe(true);
  });

  it('a pair of identical chunks under shared noise contributes nothing; under independent noise it does', async () => {
    const largest = (grads: Record<string, Float32Array>) =>
      Math.max(...Object.values(grads).flatMap((array) => Array.from(array, Math.abs)));
    const shared = await trainerLoss(policy, perturbed, hostBatch(5, 'shared', true), 500);
    expect(shared.loss).toBe(Math.fround(Math.LN2));
    expect(shared.margins).toEqual([0, 0, 0, 0]);
    const independent = await trainerLoss(policy, perturbed, hostBatch(5, 'independent', true), 500);
    console.info(
      `identical chunks: largest gradient ${largest(shared.grads).toExponential(2)} (shared noise), ${largest(independent.grads).toExponential(2)} (independent)`,
    );
    // Only float32 rounding is left of ∇L_w − ∇L_l when both rows are the same.
    expect(largest(shared.grads)).toBeLessThan(1e-6 * largest(independent.grads));
    expect(largest(independent.grads)).toBeGreaterThan(1);
  });

  it('softplus stays finite far from zero and has slope ½ at zero', async () => {
    const z = np.array([-1e4, -20, 0, 20, 1e4]);
    expect(Array.from(await stableSoftplus(z).data())).toEqual([
      0,
      expect.closeTo(0, 8), // log(1 + e^−20) in float32
      expect.closeTo(Math.LN2, 6),
      expect.closeTo(20, 5),
      1e4,
    ]);
    const slopes = grad((x: ReturnType<typeof np.array>) => np.sum(stableSoftplus(x)))(np.array([-1e4, 0, 1e4]));
    expect(Array.from(await slopes.data())).toEqual([0, 0.5, 1]);
  });
});
