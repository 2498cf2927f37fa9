import type { ErrorDetail } from '../errors.ts';
import { formatPath } from '../errors.ts';

/** The parts of a zod issue this module reads (zod/mini ships no English messages). */
export interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  expected?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  keys?: readonly string[] | undefined;
  values?: readonly unknown[] | undefined;
}

function describe(issue: Issue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  const unit = issue.origin === 'array' ? 'items' : 'characters';
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'undefined'
        ? 'is not allowed'
        : `must be ${article(String(issue.expected))}`;
    case 'too_small':
      return `must have at least ${String(issue.minimum)} ${unit}`;
    case 'too_big':
      return `must have at most ${String(issue.maximum)} ${unit}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''}: ${(issue.keys ?? []).join(', ')}`;
    case 'invalid_value':
      return `must be one of: ${(issue.values ?? []).map(String).join(', ')}`;
    case 'invalid_format':
      return 'has an invalid format';
    default:
      return 'is invalid';
  }
}

function article(type: string): string {
  if (type === 'array' || type === 'object') return `an ${type}`;
  return `a ${type}`;
}

/** Turns zod issues into SPEC's `details: [{path, message}]`, with readable English messages. */
export function describeIssues(issues: readonly Issue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: formatPath(issue.path) || '(body)',
    message: describe(issue),
  }));
}
