import { redactSecrets } from '@apiq/sdk';

/**
 * A step's result with its credentials' secret values replaced by `[redacted]` everywhere it
 * is recorded or passed on: output, ports, webhook response, error and logs. Nodes may echo
 * what they were given (an API that reflects the Authorization header, an error quoting a URL
 * with an API key); run data must not keep it.
 *
 * @example
 * const result = redactResult(await invoker.invoke(inv), creds.secrets);
 */
export function redactResult<R>(result: R, secrets: readonly string[]): R {
  return secrets.length === 0 ? result : redactSecrets(result, secrets);
}
