/** An account operation refused for a reason the caller can act on. `code` maps to an HTTP status. */
export class AuthError extends Error {
  constructor(
    readonly code:
      | 'invalid_input'
      | 'invalid_credentials'
      | 'rate_limited'
      | 'email_taken'
      | 'invalid_token'
      | 'not_verified'
      | 'forbidden'
      | 'not_found'
      | 'conflict',
    message: string,
    readonly details: { field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }

  get status(): number {
    return {
      invalid_input: 400,
      invalid_credentials: 401,
      rate_limited: 429,
      email_taken: 409,
      invalid_token: 400,
      not_verified: 403,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
    }[this.code];
  }
}
