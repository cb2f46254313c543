import type { z } from 'zod';

/** One located problem: `path` says where (`nodes[2].params.url`, `input.limit`), `message` what and what to do. */
export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
  nodeId?: string;
  edgeId?: string;
  param?: string;
}

export type ApiErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'unavailable';

const HTTP_STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_many_requests: 429,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
};

/**
 * An error the caller can act on. Services throw it; tRPC turns it into a TRPCError (issues in
 * `error.data.issues`), REST into `{ error, message, issues? }` with the matching status.
 *
 * @example
 * throw new ApiError('not_found', `No workflow ${id} in this workspace.`);
 */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** Zod issues as located API issues, paths prefixed with `prefix` (`input`, `body`, `query`). */
export function zodIssues(error: z.ZodError, prefix: string): ApiIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** "a: msg; b: msg" for error messages. */
export function describeIssues(issues: ApiIssue[], max = 5): string {
  const shown = issues.slice(0, max).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > max) shown.push(`... and ${issues.length - max} more`);
  return shown.join('; ');
}
