/** A refused `/api/auth/*` call: the server's sentence, its code and the field it is about. */
export class AuthRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AuthRequestError';
  }
}

const STATUS_WORDS: Record<number, string> = {
  401: 'Sign in first, then try again.',
  403: 'You are not allowed to do this. Ask a workspace owner or admin.',
  404: 'Not found: it may have been removed.',
  429: 'Too many attempts. Wait a moment, then try again.',
};

/**
 * Calls an account endpoint with JSON and returns its JSON answer, or throws an `AuthRequestError`
 * whose message is meant for people (the server's own, or one for the status).
 *
 * @example
 * const me = await authRequest<Me>('GET', '/api/auth/me');
 * await authRequest('POST', '/api/auth/sign-in', { email, password });
 */
export async function authRequest<T = Record<string, unknown>>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  fetcher: typeof fetch = fetch,
): Promise<T> {
  let res: Response;
  try {
    res = await fetcher(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new AuthRequestError(
      'Cannot reach the APIQ server. Check that it is running and your network is up, then try again.',
      0,
      'network',
    );
  }
  const text = await res.text();
  let data: Record<string, unknown> = {};
  try {
    data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    data = {};
  }
  if (!res.ok) {
    const message =
      typeof data.message === 'string' && data.message
        ? data.message
        : (STATUS_WORDS[res.status] ?? `The server answered ${res.status}. Try again; the server log has details.`);
    throw new AuthRequestError(
      message,
      res.status,
      typeof data.error === 'string' ? data.error : 'error',
      typeof data.field === 'string' ? data.field : undefined,
    );
  }
  return data as T;
}

/**
 * Splits a refused call into an error for one form field (when the server named a field the form
 * has) and a message for the whole form otherwise.
 *
 * @example
 * const { fields, form } = formErrors(err, ['email', 'password']);
 */
export function formErrors<F extends string>(
  err: unknown,
  known: readonly F[],
): { fields: Partial<Record<F, string>>; form?: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AuthRequestError && err.field) {
    const base = err.field.split('.')[0] as F;
    if (known.includes(base))
      return { fields: { [base]: withoutFieldPrefix(message, err.field) } as Partial<Record<F, string>> };
  }
  return { fields: {}, form: message };
}

/** "email: must be an address" reads as "Must be an address" under the email field. */
function withoutFieldPrefix(message: string, field: string): string {
  const stripped = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return stripped.charAt(0).toUpperCase() + stripped.slice(1);
}
