import type { EvaluationReport, EvaluationSummary } from '../../shared/evaluation/evaluationTypes';

const pct = (value: number) => `${(value * 100).toFixed(0)} %`;
const num = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));

function row(name: string, s: EvaluationSummary): string {
  return [
    name.padEnd(10),
    `${s.successes}/${s.episodes}`.padStart(7),
    pct(s.successRate).padStart(6),
    `[${pct(s.successInterval95[0])}, ${pct(s.successInterval95[1])}]`.padStart(13),
    num(s.meanStrokes).padStart(8),
    num(s.meanStrokesOnSuccess).padStart(9),
    num(s.meanExpertStrokes).padStart(8),
    String(s.distractorGrasps).padStart(11),
    num(s.meanTimeToSuccessS).padStart(9),
  ].join('  ');
}

/** The evaluation table `coach eval` prints. */
export function formatEvaluation(report: EvaluationReport): string {
  const header = [
    'template'.padEnd(10),
    'success'.padStart(7),
    'rate'.padStart(6),
    '95 % interval'.padStart(13),
    'strokes'.padStart(8),
    'on succ.'.padStart(9),
    'expert'.padStart(8),
    'distractor'.padStart(11),
    'to succ.'.padStart(9),
  ].join('  ');
  const lines = [
    `${report.model.name} ${report.model.version} — ${report.request.seedSet} seeds, ${report.request.episodesPerTemplate} per template, ` +
      `≤ ${report.request.maxStrokes} strokes, ${report.durationS.toFixed(0)} s`,
    header,
    ...Object.entries(report.byTemplate).map(([template, summary]) => row(template, summary)),
    row('overall', report.overall),
    '(strokes: mean chunks per attempt; on succ.: over successes; expert: the scripted expert on the same scenes; ' +
      'distractor: grasps of objects the task did not name; to succ.: simulated seconds)',
  ];
  return lines.join('\n');
}
