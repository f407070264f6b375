/** An opening that grows by more than this over the ramp is a release (mm; the fingers' jitter is far less). */
const RELEASE_MIN_OPENING_MM = 5;
/** Openings within this of the last one count as "still open" at the end of an episode (mm). */
const OPEN_TAIL_TOLERANCE_MM = 1;

/**
 * The world model's goal frame in a successful episode: where the fingers began their last opening, when
 * the episode ends by letting go of something (put in, move near: the object still in the fingers, at its
 * goal, which the latent reads far better than the object lying under an open gripper); else the last
 * frame (pick up ends holding it). `openingsMm` is the gripper's opening at each frame, in order.
 */
export function goalFrameIndex(openingsMm: readonly number[]): number {
  const last = openingsMm.length - 1;
  let index = last;
  while (index > 0 && openingsMm[index - 1]! >= openingsMm[last]! - OPEN_TAIL_TOLERANCE_MM) index -= 1;
  while (index > 0 && openingsMm[index - 1]! < openingsMm[index]!) index -= 1;
  return index > 0 && openingsMm[last]! - openingsMm[index]! > RELEASE_MIN_OPENING_MM ? index : last;
}
