import type { PairGoal, PairScores, PreferencePair } from '../../../../shared/refine/pairTypes';

/** Names of a combined reward's parts as the pair review shows them (others: their own name). */
export const PART_TEXT: Record<string, { label: string; title: string }> = {
  wm: { label: 'WM energy', title: "The world model's energy against the goal frame (lower is closer to the goal)" },
  gta: { label: 'GTA distance', title: 'Mean distance to the executed (ground-truth) chunk' },
};

/** One row of a pair's score table: a part (or the total) for the chosen and the rejected chunk. */
export interface PairScoreRow {
  key: string;
  label: string;
  title: string;
  chosen: string;
  rejected: string;
  /** The side with the lower (better) value; null on a tie or without a number. */
  best: 'chosen' | 'rejected' | null;
  /** The total the pair was ranked by. */
  total: boolean;
}

/** A score as the review prints it: 3 significant figures, exponent when tiny or huge, "—" when not a number. */
export function scoreFigure(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

function bestOf(chosen: number, rejected: number): PairScoreRow['best'] {
  if (!Number.isFinite(chosen) || !Number.isFinite(rejected) || chosen === rejected) return null;
  return chosen < rejected ? 'chosen' : 'rejected';
}

/** The order parts are listed in: WM, GTA, then any others by name. */
function partOrder(names: string[]): string[] {
  const known = Object.keys(PART_TEXT).filter((name) => names.includes(name));
  return [...known, ...names.filter((name) => !(name in PART_TEXT)).sort()];
}

/** A pair's parts, one row each, then the total ("reward"); empty for a pair without parts. */
export function pairScoreRows(scores: PairScores): PairScoreRow[] {
  const parts = scores.parts;
  if (!parts || Object.keys(parts).length === 0) return [];
  const rows: PairScoreRow[] = partOrder(Object.keys(parts)).map((name) => {
    const part = parts[name]!;
    const text = PART_TEXT[name] ?? { label: name, title: `Reward part ${name} (lower is better)` };
    return {
      key: name,
      label: text.label,
      title: text.title,
      chosen: scoreFigure(part.chosen),
      rejected: scoreFigure(part.rejected),
      best: bestOf(part.chosen, part.rejected),
      total: false,
    };
  });
  rows.push({
    key: 'reward',
    label: 'reward',
    title: `${scores.reward}: the total the chunks were ranked by (lower is better)`,
    chosen: scoreFigure(scores.chosen),
    rejected: scoreFigure(scores.rejected),
    best: bestOf(scores.chosen, scores.rejected),
    total: true,
  });
  return rows;
}

/** "Goal frame (episode 12, frame 240)". */
export function goalFrameLabel(goal: PairGoal): string {
  return `Goal frame (episode ${goal.episodeId}, frame ${goal.frameIndex})`;
}

/** "Observation (episode 12, frame 36)". */
export function observationFrameLabel(pair: Pick<PreferencePair, 'episodeId' | 'frameIndex'>): string {
  return `Observation (episode ${pair.episodeId}, frame ${pair.frameIndex})`;
}

/** Whether the review has more to show for a pair than its row: a combined reward's parts or a goal frame. */
export function hasPairDetail(pair: Pick<PreferencePair, 'scores' | 'goal'>): boolean {
  return Boolean(pair.goal) || pairScoreRows(pair.scores).length > 0;
}
