interface ErrorIssue {
  message?: unknown;
}

/**
 * The code and operator-facing message of a thrown CoachError: argument errors become their validation messages
 * (without schema paths); a method or stream an older main process lacks gets `olderMainMessage`.
 */
export function coachErrorText(
  thrown: unknown,
  olderMainMessage: string,
  olderMainCodes: readonly string[] = ['unknown_method', 'unknown_stream'],
): { code: string; message: string } {
  if (!(thrown instanceof Error)) return { code: 'error', message: String(thrown) };
  const { code, details } = thrown as Error & { code?: unknown; details?: unknown };
  const codeText = typeof code === 'string' ? code : 'error';
  if (codeText === 'invalid_arguments' && details && typeof details === 'object' && 'issues' in details) {
    const issues = (details as { issues: unknown }).issues;
    if (Array.isArray(issues) && issues.length) {
      const messages = (issues as ErrorIssue[]).map((issue) => String(issue.message ?? 'invalid value'));
      return { code: codeText, message: [...new Set(messages)].join('; ') };
    }
  }
  if (olderMainCodes.includes(codeText)) return { code: codeText, message: olderMainMessage };
  return { code: codeText, message: thrown.message || 'failed without a message' };
}
