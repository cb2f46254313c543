/** A PostgreSQL server started for the test run; `url` connects as superuser to its `postgres` database. */
export interface TestServer {
  name: string;
  url: string;
}

/** Environment variable holding the servers as JSON, for tests and the processes they start. */
export const TEST_SERVERS_ENV = 'APIQ_TEST_PG_URLS';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServers: TestServer[];
  }
}

/** Parses the JSON of {@link TEST_SERVERS_ENV}, with an error that says what is wrong. */
export function parseTestServers(json: string): TestServer[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${TEST_SERVERS_ENV} is not valid JSON; expected [{"name":"pg17","url":"postgres://..."}].`);
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((s) => typeof s?.name === 'string' && typeof s?.url === 'string')
  ) {
    throw new Error(`${TEST_SERVERS_ENV} must be a non-empty JSON array of {"name": string, "url": string}.`);
  }
  return value as TestServer[];
}
