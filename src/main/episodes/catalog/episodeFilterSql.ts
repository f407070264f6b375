import type { EpisodeFilter } from '../../../shared/episodes/episodeTypes';

/** A WHERE clause (always excluding deleted episodes) and its parameters for a filter. */
export function episodeFilterSql(filter: EpisodeFilter): { where: string; params: unknown[] } {
  const clauses = ['deleted_at_ms IS NULL'];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly unknown[]) => {
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  if (filter.task?.trim()) {
    clauses.push(`task LIKE ? ESCAPE '\\'`);
    params.push(
      `%${filter.task
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    );
  }
  if (filter.outcomes?.length) inList('outcome', filter.outcomes);
  if (filter.labels?.length) {
    const labels = filter.labels.filter((label) => label !== 'unlabeled');
    const parts: string[] = [];
    if (labels.length) {
      parts.push(`label IN (${labels.map(() => '?').join(', ')})`);
      params.push(...labels);
    }
    if (filter.labels.includes('unlabeled')) parts.push('label IS NULL');
    clauses.push(`(${parts.join(' OR ')})`);
  }
  if (filter.modelVersion?.trim()) {
    // "coach-test 1.0.0", "1.0.0" or "coach-test" all match.
    clauses.push(`(model_version = ? OR model_name = ? OR (model_name || ' ' || model_version) = ?)`);
    const value = filter.modelVersion.trim();
    params.push(value, value, value);
  }
  if (filter.kind) {
    clauses.push('kind = ?');
    params.push(filter.kind);
  }
  if (filter.fromMs !== undefined) {
    clauses.push('started_at_ms >= ?');
    params.push(filter.fromMs);
  }
  if (filter.toMs !== undefined) {
    clauses.push('started_at_ms < ?');
    params.push(filter.toMs);
  }
  if (filter.includeExcluded === false) clauses.push('excluded = 0');
  if (filter.ids) {
    if (filter.ids.length === 0) clauses.push('0');
    else inList('id', filter.ids);
  }
  return { where: clauses.join(' AND '), params };
}
