import type { ApiServer } from './model.ts';
import { SpecError } from './spec-error.ts';

/**
 * The servers of an OpenAPI 3 document, with variables set to their defaults and relative URLs
 * (`/v3`) made absolute against the URL the spec came from. No servers means `/`, per the spec.
 *
 * @example
 * openApiServers([{ url: '/v3' }], 'https://petstore3.swagger.io/api/openapi.json');
 * // → [{ url: 'https://petstore3.swagger.io/v3' }]
 */
export function openApiServers(servers: unknown, sourceUrl: string | undefined): ApiServer[] {
  if (servers === undefined) return [{ url: absolute('/', sourceUrl) }];
  if (!Array.isArray(servers)) throw new SpecError('servers', 'must be a list of { url } objects');
  if (servers.length === 0) return [{ url: absolute('/', sourceUrl) }];
  return servers.map((server, i) => {
    if (typeof server !== 'object' || server === null || typeof (server as { url?: unknown }).url !== 'string') {
      throw new SpecError(
        `servers[${i}].url`,
        'is missing; every server needs a url such as "https://api.example.com"',
      );
    }
    const { url, description, variables } = server as { url: string; description?: unknown; variables?: unknown };
    const vars: NonNullable<ApiServer['variables']> = {};
    if (typeof variables === 'object' && variables !== null) {
      for (const [name, variable] of Object.entries(variables)) {
        const v = variable as { default?: unknown; enum?: unknown };
        if (v.default === undefined) {
          throw new SpecError(`servers[${i}].variables.${name}.default`, 'is missing; server variables need a default');
        }
        vars[name] = {
          default: String(v.default),
          ...(Array.isArray(v.enum) ? { enum: v.enum.map(String) } : {}),
        };
      }
    }
    const filled = url.replace(/\{([^}]+)\}/g, (whole, name: string) => vars[name]?.default ?? whole);
    if (/\{[^}]+\}/.test(filled)) {
      throw new SpecError(`servers[${i}].url`, `"${url}" uses a variable that servers[${i}].variables does not define`);
    }
    return {
      url: absolute(filled, sourceUrl),
      ...(typeof description === 'string' && description ? { description } : {}),
      ...(Object.keys(vars).length ? { variables: vars } : {}),
    };
  });
}

/**
 * The servers of a Swagger 2.0 document: every scheme × host + basePath. A missing host or
 * scheme comes from the URL the spec was fetched from.
 *
 * @example
 * swaggerServers({ host: 'httpbin.org', basePath: '/', schemes: ['https'] }, undefined); // → [{ url: 'https://httpbin.org' }]
 */
export function swaggerServers(doc: Record<string, unknown>, sourceUrl: string | undefined): ApiServer[] {
  const source = sourceUrl && /^https?:/i.test(sourceUrl) ? new URL(sourceUrl) : undefined;
  const host = typeof doc.host === 'string' && doc.host ? doc.host : source?.host;
  const basePath = typeof doc.basePath === 'string' ? doc.basePath : '/';
  if (!basePath.startsWith('/')) throw new SpecError('basePath', `"${basePath}" must start with "/"`);
  const schemes =
    Array.isArray(doc.schemes) && doc.schemes.length > 0
      ? doc.schemes.filter((s): s is string => s === 'http' || s === 'https')
      : [source?.protocol.replace(':', '') ?? 'https'];
  if (!host) return [{ url: trimSlash(basePath) || '/' }];
  // https first: it is what a caller should pick by default.
  const ordered = [...schemes].sort((a, b) => (a === b ? 0 : a === 'https' ? -1 : 1));
  return ordered.map((scheme) => ({ url: trimSlash(`${scheme}://${host}${basePath}`) }));
}

function absolute(url: string, sourceUrl: string | undefined): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return trimSlash(url);
  if (sourceUrl && /^https?:/i.test(sourceUrl)) return trimSlash(new URL(url, sourceUrl).href);
  return trimSlash(url) || '/';
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
