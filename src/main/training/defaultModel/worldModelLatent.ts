import { ROBOT_STATE_DIMS } from '../../../shared/policy/modelManifest';
import type { PinholeCamera } from '../../sim/render/cameraProjection';
import { int, type OnnxGraphBuilder } from '../../policy/testPackage/onnxBuilder';
import { flattenTo, OBJECT_PLANE_Z_M, sliceAxis, tablePlaneNodes } from './geometryLayers';

/** The world model's encoder output (coach-wm): the policy's prefix and weights read as a task-state latent. */
export const WM_LATENT = 'latent';

/** What each dim of the world model's latent is (metres; the gripper's opening fraction). */
export const WM_LATENT_NAMES = [
  'object_from_tcp_x_m',
  'object_from_tcp_y_m',
  'object_plane_from_tcp_z_m',
  'goal_from_object_x_m',
  'goal_from_object_y_m',
  'gripper_open_fraction',
] as const;

/** The gripper's opening fraction below which it may be holding something (fully open is 1). */
const HOLDING_BELOW_OPEN_FRACTION = 0.97;
/** A named object seen within this distance of the TCP, on the TCP's own plane, is taken to be in the fingers. */
const HELD_WITHIN_M = 0.05;
/** Softness of both gates (metres; opening fraction). */
const HELD_GATE_SOFTNESS = { distanceM: 0.005, openFraction: 0.01 };
const GATE_BOUND = 20;

/**
 * Where a query's object is, x, y [B, 2]: its image point's ray meets the object plane (objects on the
 * table), unless the object is in the fingers — lifted, so that ray would meet the table
 * far from it. Held is a soft gate: the gripper not fully open, and the ray meeting the TCP's own plane
 * within a few centimetres of the seen TCP; then the object is that point. (The goal query of "pick up X"
 * names X too.)
 */
function heldPointNodes(
  g: OnnxGraphBuilder,
  onTable: string,
  onTcpPlane: string,
  seenTcp: string,
  state: string,
): string {
  const atTcp = flattenTo(g, g.op('Sub', [onTcpPlane, seenTcp]), 2);
  const squared = g.op('Mul', [atTcp, atTcp]);
  const distance = g.op('Sqrt', [
    g.op('Add', [
      g.op('Add', [sliceAxis(g, squared, 1, 0, 1), sliceAxis(g, squared, 1, 1, 2)]),
      g.constant([1e-8], [1], 'float32'),
    ]),
  ]); // [B, 1]
  // Bounded before the sigmoid: its gradient far out (exp overflowing) would be 0 · ∞.
  const gate = (from: string, threshold: number, softness: number) =>
    g.op('Sigmoid', [
      g.op('Max', [
        g.op('Min', [
          g.op('Div', [
            g.op('Sub', [g.constant([threshold], [1], 'float32'), from]),
            g.constant([softness], [1], 'float32'),
          ]),
          g.constant([GATE_BOUND], [1], 'float32'),
        ]),
        g.constant([-GATE_BOUND], [1], 'float32'),
      ]),
    ]);
  const opening = sliceAxis(g, state, 1, ROBOT_STATE_DIMS - 1, ROBOT_STATE_DIMS);
  const held = g.op('Mul', [
    gate(distance, HELD_WITHIN_M, HELD_GATE_SOFTNESS.distanceM),
    gate(opening, HOLDING_BELOW_OPEN_FRACTION, HELD_GATE_SOFTNESS.openFraction),
  ]); // [B, 1]
  const onPlane = flattenTo(g, onTable, 2);
  const lifted = flattenTo(g, onTcpPlane, 2);
  return g.op('Add', [onPlane, g.op('Mul', [held, g.op('Sub', [lifted, onPlane])])]);
}

export interface LatentParts {
  /** The scene queries' image points [B, Q, 2] in pixels (named object, goal, TCP) … */
  pixels: string;
  /** … and where their rays meet the object plane [B, Q, 2] (x, y, m). */
  onTable: string;
  /** The nominal scene camera. */
  nominal: PinholeCamera;
  /** The kinematic TCP [B, 3], its height [B, 1, 1], and the TCP as the camera sees it on that plane [B, 1, 2]. */
  tcpPosition: string;
  tcpZ: string;
  seenTcp: string;
  state: string;
}

/**
 * [B, 6] (WM_LATENT_NAMES): where the named object is from the TCP (heldPointNodes, from the TCP as the
 * camera sees it; the object plane's height from the kinematic TCP), where the goal is from the object,
 * and the gripper's opening. Relative quantities, so a goal frame of another scene of the same task means
 * the same thing.
 */
export function worldModelLatentNodes(g: OnnxGraphBuilder, parts: LatentParts): string {
  const { pixels, onTable, nominal, tcpPosition, tcpZ, seenTcp, state } = parts;
  const point = (q: number) =>
    heldPointNodes(
      g,
      sliceAxis(g, onTable, 1, q, q + 1),
      tablePlaneNodes(g, sliceAxis(g, pixels, 1, q, q + 1), nominal, tcpZ),
      seenTcp,
      state,
    );
  const object = point(0);
  const goal = point(1);
  const objectFromTcp = g.op('Sub', [object, flattenTo(g, seenTcp, 2)]);
  const planeFromTcpZ = g.op('Sub', [
    g.constant([OBJECT_PLANE_Z_M], [1], 'float32'),
    sliceAxis(g, tcpPosition, 1, 2, 3),
  ]);
  const goalFromObject = g.op('Sub', [goal, object]);
  const gripper = sliceAxis(g, state, 1, ROBOT_STATE_DIMS - 1, ROBOT_STATE_DIMS);
  return g.op('Concat', [objectFromTcp, planeFromTcpZ, goalFromObject, gripper], { axis: int(1) });
}
