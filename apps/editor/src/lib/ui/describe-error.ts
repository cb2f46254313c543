/** One located problem, e.g. `{ path: 'nodes[2].params.url', message: 'must be a URL' }`. */
export interface ErrorIssue {
  path: string;
  message: string;
  nodeId?: string;
}

/** An error put into words for people: a short title, a sentence saying what to do, located issues. */
export interface DescribedError {
  title: string;
  message: string;
  issues: ErrorIssue[];
  /** The tRPC error code (`BAD_REQUEST`, `NOT_FOUND`, ...) when the error came from the API. */
  code?: string;
}

const TITLES: Record<string, string> = {
  BAD_REQUEST: 'That was not accepted',
  PARSE_ERROR: 'That was not accepted',
  UNPROCESSABLE_CONTENT: 'That was not accepted',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Changed elsewhere',
  PRECONDITION_FAILED: 'Not possible right now',
  UNAUTHORIZED: 'Please sign in',
  FORBIDDEN: 'Not allowed',
  TOO_MANY_REQUESTS: 'Too many requests',
  TIMEOUT: 'The server took too long',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server',
  METHOD_NOT_SUPPORTED: 'Not supported',
};

const FALLBACK_MESSAGES: Record<string, string> = {
  UNAUTHORIZED: 'Your session has ended. Sign in again and retry.',
  FORBIDDEN: 'Your role does not allow this. Ask a workspace owner or admin.',
  TOO_MANY_REQUESTS: 'Wait a moment, then try again.',
  TIMEOUT: 'Try again; if it keeps happening, check that the APIQ server is healthy.',
  INTERNAL_SERVER_ERROR: 'The server could not finish this. Try again; the server log has the details.',
};

type Loose = Record<string, unknown> | undefined;

/**
 * One issue as a line: "nodes[1].params.url: must be a URL" (the path is left out when the
 * message already starts with it).
 *
 * @example
 * describeError(err).issues.map(formatIssue).join('\n')
 */
export function formatIssue(issue: ErrorIssue): string {
  if (!issue.path || issue.message.startsWith(issue.path)) return issue.message;
  return `${issue.path}: ${issue.message}`;
}

const asRecord = (v: unknown): Loose =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;

function issuesFrom(value: unknown): ErrorIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw): ErrorIssue[] => {
    const item = asRecord(raw);
    if (!item || typeof item.message !== 'string') return [];
    const path = Array.isArray(item.path) ? item.path.join('.') : typeof item.path === 'string' ? item.path : '';
    return [{ path, message: item.message, ...(typeof item.nodeId === 'string' ? { nodeId: item.nodeId } : {}) }];
  });
}

/**
 * Turns anything thrown (a tRPC client error, a network failure, an Error, a string) into words a
 * newcomer understands, keeping the server's own message when it is meant for people.
 *
 * @example
 * try { await trpc.workflows.rename.mutate({ id, name }) }
 * catch (err) { const { title, message } = describeError(err); toast.error(title, { detail: message }) }
 */
export function describeError(err: unknown): DescribedError {
  if (typeof err === 'string') return { title: 'Something went wrong', message: err, issues: [] };
  const e = asRecord(err);
  if (!e) return { title: 'Something went wrong', message: 'An unknown error occurred. Try again.', issues: [] };

  const data = asRecord(e.data) ?? asRecord(asRecord(e.shape)?.data);
  const code = typeof data?.code === 'string' ? data.code : undefined;
  const raw = typeof e.message === 'string' ? e.message.trim() : '';
  const issues = [...issuesFrom(data?.issues), ...issuesFrom(asRecord(e.cause)?.issues), ...issuesFrom(e.issues)];

  if (!code && e.name === 'TypeError' && /fetch|network|load failed/i.test(raw))
    return {
      title: 'Cannot reach the APIQ server',
      message: 'Check that APIQ is running and your network is up, then try again.',
      issues: [],
    };

  if (code) {
    const title = TITLES[code] ?? 'Something went wrong';
    const serverSaid = raw && !looksInternal(raw) && code !== 'INTERNAL_SERVER_ERROR' ? raw : '';
    const message = readableMessage(serverSaid) || FALLBACK_MESSAGES[code] || 'Try again.';
    return { title, message, issues, code };
  }

  return {
    title: 'Something went wrong',
    message: readableMessage(raw) || 'An unknown error occurred. Try again.',
    issues,
  };
}

/** A message that is a JSON dump (e.g. raw zod issues) is not for people. */
function looksInternal(message: string): boolean {
  return message.startsWith('[') || message.startsWith('{');
}

function readableMessage(message: string): string {
  if (!message || looksInternal(message)) return '';
  return message;
}
