import { startTestApi, type TestApi, type TestApiReply, type TestApiRequest } from '@apiq/sdk/testing';

// Local servers standing in for the APIs templates call through HTTP Request nodes (no connector
// exists for them). Each speaks the documented routes and shapes the templates use, and checks the
// credential the way the provider does.

export const HUBSPOT_TOKEN = 'pat-na1-hubspot-private-app-0123';
export const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us21';
export const OPSGENIE_KEY = 'GenieKey 11111111-2222-3333-4444-555555555555';

const unauthorized = (message: string): TestApiReply => ({ status: 401, json: { status: 'error', message } });

/** HubSpot CRM v3: create, search and update contacts (Bearer private-app token). */
export async function startHubSpot(): Promise<TestApi & { contacts: Array<Record<string, unknown>> }> {
  const contacts: Array<Record<string, unknown>> = [];
  let next = 501;
  const authed =
    (handler: (req: TestApiRequest) => TestApiReply) =>
    (req: TestApiRequest): TestApiReply =>
      req.headers.authorization === `Bearer ${HUBSPOT_TOKEN}`
        ? handler(req)
        : unauthorized('Authentication credentials not found.');
  const api = await startTestApi({
    'POST /crm/v3/objects/contacts': authed((req) => {
      const properties = ((req.json as Record<string, unknown>)?.properties ?? {}) as Record<string, unknown>;
      if (typeof properties.email !== 'string')
        return { status: 400, json: { status: 'error', message: 'Property "email" is required' } };
      const contact = {
        id: String(next++),
        properties,
        createdAt: '2026-01-05T10:00:00.000Z',
        updatedAt: '2026-01-05T10:00:00.000Z',
        archived: false,
      };
      contacts.push(contact);
      return { status: 201, json: contact };
    }),
    'POST /crm/v3/objects/contacts/search': authed(() => ({
      json: {
        total: 2,
        results: [
          { id: '101', properties: { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' } },
          { id: '102', properties: { email: 'alan@example.com', firstname: 'Alan', lastname: 'Turing' } },
        ],
      },
    })),
    'PATCH /crm/v3/objects/contacts/:id': authed((req) => ({
      json: { id: '103', properties: (req.json as Record<string, unknown>)?.properties ?? {} },
    })),
  });
  return Object.assign(api, { contacts });
}

/** Mailchimp Marketing API 3.0: batch subscribe and list members (Basic auth with the API key as password). */
export async function startMailchimp(): Promise<TestApi> {
  const authed =
    (handler: (req: TestApiRequest) => TestApiReply) =>
    (req: TestApiRequest): TestApiReply => {
      const basic = String(req.headers.authorization ?? '').replace(/^Basic /, '');
      const password = Buffer.from(basic, 'base64').toString().split(':')[1];
      return password === MAILCHIMP_KEY
        ? handler(req)
        : { status: 401, json: { title: 'API Key Invalid', status: 401, detail: 'Your API key may be invalid.' } };
    };
  return startTestApi({
    'POST /3.0/lists/:list': authed((req) => {
      const members = ((req.json as Record<string, unknown>)?.members ?? []) as unknown[];
      return {
        json: {
          new_members: members,
          updated_members: [],
          errors: [],
          total_created: members.length,
          total_updated: 0,
          error_count: 0,
        },
      };
    }),
    'GET /3.0/lists/:list/members': authed(() => ({
      json: {
        members: [{ id: 'f0e1', email_address: 'grace@example.com', status: 'unsubscribed' }],
        total_items: 1,
      },
    })),
  });
}

/** Opsgenie Alert API v2: create an alert (`Authorization: GenieKey <key>`), answered 202 like Opsgenie. */
export async function startOpsgenie(): Promise<TestApi> {
  return startTestApi({
    'POST /v2/alerts': (req) =>
      req.headers.authorization === OPSGENIE_KEY
        ? { status: 202, json: { result: 'Request will be processed', took: 0.107, requestId: 'req-0001' } }
        : { status: 422, json: { message: 'Key format is not valid!', took: 0.001 } },
  });
}

/** Open-Meteo forecast API (no key): current weather for a latitude and longitude. */
export async function startOpenMeteo(): Promise<TestApi> {
  return startTestApi({
    'GET /v1/forecast': (req) => ({
      json: {
        latitude: Number(req.query.latitude),
        longitude: Number(req.query.longitude),
        timezone: 'GMT',
        current_units: { temperature_2m: '°C', wind_speed_10m: 'km/h' },
        current: { time: '2026-01-05T10:00', temperature_2m: 7.4, wind_speed_10m: 12.9, weather_code: 3 },
      },
    }),
  });
}

/** A monitored website whose health endpoint is down: it answers 503. */
export async function startMonitoredSite(): Promise<TestApi> {
  return startTestApi({
    'GET /health': { status: 503, json: { status: 'unavailable', database: 'timeout' } },
  });
}
