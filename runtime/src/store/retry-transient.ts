/** SQLSTATEs after which the same statement can simply be sent again. */
const TRANSIENT = new Set(['40P01', '40001']);

/**
 * Runs `fn` again (up to 3 times) when PostgreSQL aborted it for a deadlock or a serialization
 * failure. Row locks are taken in id order everywhere, so this is a safety net, not a habit.
 */
export async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 3 || !TRANSIENT.has((err as { code?: string }).code ?? '')) throw err;
    }
  }
}
