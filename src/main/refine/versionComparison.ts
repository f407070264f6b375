import type { EvaluationReport, EvaluationRequest } from '../../shared/evaluation/evaluationTypes';
import type { VersionComparison } from '../../shared/models/modelVersionTypes';

/** The parts of a request that decide which scenes and attempts an evaluation ran. */
function sameScenes(a: EvaluationRequest, b: EvaluationRequest): boolean {
  return (
    a.seedSet === b.seedSet &&
    a.episodesPerTemplate === b.episodesPerTemplate &&
    a.maxStrokes === b.maxStrokes &&
    a.seed === b.seed &&
    [...a.templates].sort().join() === [...b.templates].sort().join()
  );
}

/** A stored report of this model version on exactly these scenes, newest first, if any. */
export function findMatchingEvaluation(
  reports: readonly EvaluationReport[],
  model: { name: string; version: string },
  request: EvaluationRequest,
): EvaluationReport | null {
  return (
    reports.find(
      (report) =>
        report.model.name === model.name &&
        report.model.version === model.version &&
        sameScenes(report.request, request),
    ) ?? null
  );
}

/** Before/after from two reports on the same scenes; refuses reports whose scenes differ. */
export function compareVersions(before: EvaluationReport, after: EvaluationReport): VersionComparison {
  if (!sameScenes(before.request, after.request))
    throw new Error('the two evaluations ran on different scenes; a comparison needs the same seeds and templates');
  const side = (report: EvaluationReport) => ({
    evaluationId: report.id,
    overall: report.overall,
    byTemplate: report.byTemplate,
  });
  return {
    seedSet: after.request.seedSet,
    episodesPerTemplate: after.request.episodesPerTemplate,
    before: side(before),
    after: side(after),
  };
}
