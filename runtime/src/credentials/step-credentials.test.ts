import { createStaticCatalog, FatalError, RetryableError } from '@apiq/sdk';
import { describe, expect, it } from 'vitest';
import { loadStepCredentials, type CredentialResolver } from './step-credentials.ts';
import { redactResult } from './redact-result.ts';

const catalog = createStaticCatalog([]);
const step = (credentials: Record<string, string>) => ({ id: 'call', type: 'core.http_request', credentials });

describe('step credentials', () => {
  it('cost nothing for steps without credential refs', async () => {
    let calls = 0;
    const resolver: CredentialResolver = async () => {
      calls++;
      return {};
    };
    expect(await loadStepCredentials(resolver, catalog, 'ws', step({}))).toEqual({ ok: true, values: {}, secrets: [] });
    expect(calls).toBe(0);
  });

  it('hand the resolved values to the step and list their secrets for redaction', async () => {
    const seen: unknown[] = [];
    const resolver: CredentialResolver = async (workspaceId, refs) => {
      seen.push([workspaceId, refs]);
      return { http_basic: { username: 'ann', password: 'pw-123456' } };
    };
    const creds = await loadStepCredentials(resolver, catalog, 'ws-1', step({ http_basic: 'cred-1' }));
    expect(seen).toEqual([['ws-1', { http_basic: 'cred-1' }]]);
    expect(creds).toEqual({
      ok: true,
      values: { http_basic: { username: 'ann', password: 'pw-123456' } },
      secrets: [Buffer.from('ann:pw-123456').toString('base64'), 'pw-123456'],
    });
    const result = { ok: false, error: { message: 'got pw-123456' }, logs: [{ message: 'ann:pw-123456' }] };
    expect(redactResult(result, creds.ok ? creds.secrets : [])).toEqual({
      ok: false,
      error: { message: 'got [redacted]' },
      logs: [{ message: 'ann:[redacted]' }],
    });
  });

  it('turn resolver failures into errors naming the step, fatal unless retryable', async () => {
    const failing =
      (err: Error): CredentialResolver =>
      async () => {
        throw err;
      };
    expect(
      await loadStepCredentials(
        failing(new FatalError('the connection was deleted')),
        catalog,
        'ws',
        step({ http_bearer: 'x' }),
      ),
    ).toEqual({
      ok: false,
      error: {
        kind: 'fatal',
        name: 'CredentialError',
        message: 'step "call" (core.http_request): the connection was deleted',
      },
    });
    const retry = await loadStepCredentials(
      failing(new RetryableError('token endpoint down')),
      catalog,
      'ws',
      step({ a: 'x' }),
    );
    expect(retry).toMatchObject({ ok: false, error: { kind: 'retryable' } });
    expect(await loadStepCredentials(undefined, catalog, 'ws', step({ http_bearer: 'x' }))).toEqual({
      ok: false,
      error: {
        kind: 'fatal',
        name: 'CredentialError',
        message:
          'step "call" (core.http_request) uses credentials, but this executor was started without the credential vault',
      },
    });
  });
});
