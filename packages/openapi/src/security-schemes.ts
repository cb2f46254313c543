import type { SecuritySchemeMapping } from './model.ts';

type Scheme = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const scopesOf = (flow: unknown): string =>
  typeof flow === 'object' && flow !== null && typeof (flow as Scheme).scopes === 'object'
    ? Object.keys((flow as { scopes: object }).scopes).join(' ')
    : '';

/**
 * Maps an OpenAPI 3 security scheme to the generic credential kind that satisfies it, with the
 * fields the spec determines preset (header name, OAuth URLs and scopes).
 *
 * @example
 * mapSecurityScheme('api_key', { type: 'apiKey', in: 'header', name: 'X-Key' });
 * // → { name: 'api_key', type: 'apiKey', kind: 'api_key_header', preset: { headerName: 'X-Key' } }
 */
export function mapSecurityScheme(name: string, scheme: Scheme): SecuritySchemeMapping {
  const type = str(scheme.type) ?? 'unknown';
  const base = {
    name,
    type,
    ...(str(scheme.description) ? { description: str(scheme.description) } : {}),
  };
  const none = (note: string): SecuritySchemeMapping => ({ ...base, kind: null, preset: {}, note });

  if (type === 'apiKey') {
    const paramName = str(scheme.name);
    if (!paramName) return none('the apiKey scheme has no "name"');
    if (scheme.in === 'header') return { ...base, kind: 'api_key_header', preset: { headerName: paramName } };
    if (scheme.in === 'query') return { ...base, kind: 'api_key_query', preset: { paramName } };
    return none(`API keys sent in a ${String(scheme.in)} are not supported (only header and query)`);
  }
  if (type === 'http') {
    const httpScheme = str(scheme.scheme)?.toLowerCase();
    if (httpScheme === 'bearer') return { ...base, kind: 'http_bearer', preset: {} };
    if (httpScheme === 'basic') return { ...base, kind: 'http_basic', preset: {} };
    return none(`HTTP "${String(scheme.scheme)}" authentication is not supported (only bearer and basic)`);
  }
  if (type === 'oauth2') {
    const flows = (typeof scheme.flows === 'object' && scheme.flows !== null ? scheme.flows : {}) as Scheme;
    const code = flows.authorizationCode as Scheme | undefined;
    if (code) {
      return {
        ...base,
        kind: 'oauth2_authorization_code',
        preset: compact({
          authorizeUrl: str(code.authorizationUrl),
          tokenUrl: str(code.tokenUrl),
          scopes: scopesOf(code),
        }),
      };
    }
    const client = flows.clientCredentials as Scheme | undefined;
    if (client) {
      return {
        ...base,
        kind: 'oauth2_client_credentials',
        preset: compact({ tokenUrl: str(client.tokenUrl), scopes: scopesOf(client) }),
      };
    }
    const other = Object.keys(flows).join(', ') || 'no';
    return {
      ...base,
      kind: 'http_bearer',
      preset: {},
      note: `OAuth2 ${other} flow is not supported; paste an access token as a bearer token instead`,
    };
  }
  if (type === 'openIdConnect') {
    return {
      ...base,
      kind: 'http_bearer',
      preset: {},
      note: 'OpenID Connect discovery is not supported; paste an access token as a bearer token instead',
    };
  }
  return none(`security scheme type "${type}" is not supported`);
}

/**
 * Maps a Swagger 2.0 security definition (basic, apiKey, oauth2 with `flow`) the same way.
 *
 * @example
 * mapSwaggerSecurityDefinition('basic', { type: 'basic' }); // → { kind: 'http_basic', ... }
 */
export function mapSwaggerSecurityDefinition(name: string, definition: Scheme): SecuritySchemeMapping {
  if (definition.type === 'basic') return mapSecurityScheme(name, { ...definition, type: 'http', scheme: 'basic' });
  if (definition.type === 'oauth2') {
    const flow = definition.flow;
    const spec: Scheme = { authorizationUrl: definition.authorizationUrl, tokenUrl: definition.tokenUrl };
    if (typeof definition.scopes === 'object') spec.scopes = definition.scopes;
    const flows: Scheme =
      flow === 'accessCode'
        ? { authorizationCode: spec }
        : flow === 'application'
          ? { clientCredentials: spec }
          : { [String(flow)]: spec };
    return mapSecurityScheme(name, { ...definition, flows });
  }
  return mapSecurityScheme(name, definition);
}

function compact(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value) out[key] = value;
  return out;
}
