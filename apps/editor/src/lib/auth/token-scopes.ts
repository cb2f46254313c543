/** The scopes a personal API token can have (SCOPES in @apiq/auth), with what each allows. */
export const TOKEN_SCOPES: { id: string; label: string }[] = [
  { id: 'workflows:read', label: 'Read workflows and templates' },
  { id: 'workflows:write', label: 'Create, change, delete and activate workflows' },
  { id: 'runs:read', label: 'Read runs' },
  { id: 'runs:write', label: 'Start, cancel, retry, pause and resume runs' },
  { id: 'connections:read', label: 'Read connections (never their secrets)' },
  { id: 'connections:write', label: 'Create and change connections' },
  { id: 'members:read', label: 'Read members' },
  { id: 'admin', label: 'Everything an admin can do (your role still applies)' },
];

/** Expiry choices for a new token, in days (null: never). */
export const TOKEN_EXPIRIES: { days: number | null; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
];

/**
 * The `expiresAt` of a token created now that lives `days` days, or undefined for one that never expires.
 *
 * @example
 * expiryDate(30, Date.parse('2026-01-01T00:00:00Z')) // '2026-01-31T00:00:00.000Z'
 */
export function expiryDate(days: number | null, now: number = Date.now()): string | undefined {
  return days === null ? undefined : new Date(now + days * 86_400_000).toISOString();
}
