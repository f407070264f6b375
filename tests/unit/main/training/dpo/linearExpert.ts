import { int, OnnxGraphBuilder } from '../../../../../src/main/policy/testPackage/onnxBuilder';
import type { ModelManifest } from '../../../../../src/shared/policy/modelManifest';
import type { DpoGraphs } from '../../../../../src/main/training/dpo';
import { compileGraph, parseOnnxModel } from '../../../../../src/main/training/onnx';

/** A tiny expert: velocity = Reshape(Gemm([flatten(x_t), t, context], W, b)), W [9, 6], b [6]. */
export const LINEAR = { chunk: 2, dims: 3, contextWidth: 2 } as const;
const VALUES = LINEAR.chunk * LINEAR.dims;
const FEATURES = VALUES + 1 + LINEAR.contextWidth;

export async function buildLinearExpert(seed: number): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('linear_expert', seed);
  const xT = g.input('x_t', 'float32', ['batch', LINEAR.chunk, LINEAR.dims]);
  const t = g.input('t', 'float32', ['batch']);
  const context = g.input('context', 'float32', ['batch', LINEAR.contextWidth]);
  const flat = g.op('Reshape', [xT, g.constant([-1, VALUES], [2])]);
  const time = g.op('Unsqueeze', [t, g.constant([1], [1])]);
  const joined = g.op('Concat', [flat, time, context], { axis: int(1) });
  const out = g.op('Gemm', [joined, g.weight('W', [FEATURES, VALUES], 0.4), g.weight('b', [VALUES], 0.1)]);
  g.output(g.op('Reshape', [out, g.constant([-1, LINEAR.chunk, LINEAR.dims], [3])]), 'velocity', 'float32', [
    'batch',
    LINEAR.chunk,
    LINEAR.dims,
  ]);
  return g.toBytes();
}

/** The linear expert as the DPO loss takes it: the manifest holds only what the loss reads of one. */
export function linearDpoGraphs(bytes: Uint8Array): DpoGraphs {
  const manifest = {
    prefix: { file: 'prefix.onnx', outputs: ['context'] },
    expert: {
      file: 'expert.onnx',
      noisyActionInput: 'x_t',
      timeInput: 't',
      velocityOutput: 'velocity',
      context: { context: 'context' },
    },
  } as unknown as ModelManifest;
  return { manifest, expert: compileGraph(parseOnnxModel(bytes)), prefix: null };
}

/** A DPO batch in host memory: 2B rows (chosen rows, then rejected rows), contexts per row. */
export interface HostDpoBatch {
  pairs: number;
  context: Float64Array;
  noisyActions: Float64Array;
  times: Float64Array;
  targetVelocity: Float64Array;
}

/** Per-row flow-matching error (mean over chunk and dims) of the linear expert with weights W, b, in float64. */
function rowErrors(W: ArrayLike<number>, b: ArrayLike<number>, batch: HostDpoBatch): number[] {
  const rows = 2 * batch.pairs;
  const errors: number[] = [];
  for (let r = 0; r < rows; r += 1) {
    const features = [
      ...Array.from(batch.noisyActions.subarray(r * VALUES, (r + 1) * VALUES)),
      batch.times[r]!,
      ...Array.from(batch.context.subarray(r * LINEAR.contextWidth, (r + 1) * LINEAR.contextWidth)),
    ];
    let sum = 0;
    for (let j = 0; j < VALUES; j += 1) {
      let v = b[j]!;
      for (let i = 0; i < FEATURES; i += 1) v += features[i]! * W[i * VALUES + j]!;
      sum += (v - batch.targetVelocity[r * VALUES + j]!) ** 2;
    }
    errors.push(sum / VALUES);
  }
  return errors;
}

const softplus = (z: number) => (z > 30 ? z : Math.log1p(Math.exp(z)));

export interface LinearWeights {
  W: ArrayLike<number>;
  b: ArrayLike<number>;
}

/** The Diffusion-DPO loss written out independently, in float64, with its per-pair margins. */
export function referenceDpoLoss(
  policy: LinearWeights,
  reference: LinearWeights,
  batch: HostDpoBatch,
  beta: number,
): { loss: number; margins: number[] } {
  const L = rowErrors(policy.W, policy.b, batch);
  const R = rowErrors(reference.W, reference.b, batch);
  const n = batch.pairs;
  let loss = 0;
  const margins: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const inside = L[i]! - R[i]! - (L[n + i]! - R[n + i]!);
    loss += softplus((beta / 2) * inside);
    margins.push(-inside);
  }
  return { loss: loss / n, margins };
}

/** The mean over pairs of L_w − L_l under the policy alone, in float64. */
export function meanErrorGap(policy: LinearWeights, batch: HostDpoBatch): number {
  const L = rowErrors(policy.W, policy.b, batch);
  let gap = 0;
  for (let i = 0; i < batch.pairs; i += 1) gap += L[i]! - L[batch.pairs + i]!;
  return gap / batch.pairs;
}

/** The mean over pairs of L_w under the policy alone, in float64. */
export function meanChosenError(policy: LinearWeights, batch: HostDpoBatch): number {
  return rowErrors(policy.W, policy.b, batch)
    .slice(0, batch.pairs)
    .reduce((a, b) => a + b / batch.pairs, 0);
}

/** Central differences of f with respect to every element of W and b (float64, step 1e-5). */
export function numericGradient(
  weights: LinearWeights,
  f: (w: LinearWeights) => number,
): { W: Float64Array; b: Float64Array } {
  const h = 1e-5;
  const at = (name: 'W' | 'b', index: number, delta: number) => {
    const moved = { W: Float64Array.from(weights.W), b: Float64Array.from(weights.b) };
    moved[name][index]! += delta;
    return f(moved);
  };
  const grad = (name: 'W' | 'b') =>
    Float64Array.from({ length: weights[name].length }, (_, i) => (at(name, i, h) - at(name, i, -h)) / (2 * h));
  return { W: grad('W'), b: grad('b') };
}
