import type { z } from 'zod';

/** A JSON path as an operator reads it: action.normalization.q01, cameras[0].input, expert.context["a.b"]. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || '(the top level)';
}

/** Messages that read on from the path ("q01 has 6 values …"); others follow a colon. */
const READS_ON = /^(has|is|are|names|must|needs)\b/;

/** Whether the value at `path` is absent from the manifest as written. */
function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return true;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatJsonPath(issue.path);
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    issue.path.length > 0 &&
    isMissing(raw, issue.path)
  )
    return `${where} is missing`;
  switch (issue.code) {
    case 'invalid_type':
      return `${where} must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return `${where} has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_value':
      return `${where} must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    default:
      return READS_ON.test(issue.message) ? `${where} ${issue.message}` : `${where}: ${issue.message}`;
  }
}

/** Every schema problem of a manifest (`raw`: the JSON as read), one sentence each, joined with "; ". */
export function formatManifestIssues(error: z.ZodError, raw: unknown): string {
  return error.issues.map((issue) => describeIssue(issue, raw)).join('; ');
}
