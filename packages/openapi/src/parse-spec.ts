import type { ApiSpec, SecuritySchemeMapping } from './model.ts';
import { normalizeOperations, securityOf } from './normalize-operations.ts';
import { readDocument } from './read-document.ts';
import { loadDocuments, PASTED_SPEC_URI, RefResolver, type LoadDocument } from './refs.ts';
import { mapSecurityScheme, mapSwaggerSecurityDefinition } from './security-schemes.ts';
import { openApiServers, swaggerServers } from './servers.ts';
import { SpecError } from './spec-error.ts';

export interface ParseSpecOptions {
  /**
   * Where the spec came from: an http(s) URL or a `file://` URL. Relative servers (`/v3`) and
   * relative `$ref`s to other files resolve against it. Without it (pasted text), only internal
   * `$ref`s and absolute URL refs work.
   */
  sourceUrl?: string;
  /** Loads an external `$ref`'d document by absolute URI; without it external refs are an error. */
  loadDocument?: LoadDocument;
  /** How error messages name the document (default: the source URL or "the spec"). */
  name?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses an OpenAPI 3.0 / 3.1 or Swagger 2.0 spec (JSON or YAML text, or an already parsed
 * object) into an `ApiSpec`: every usable operation with its parameters and body schema
 * (`$ref`s resolved), the servers, and the security schemes mapped to credential kinds.
 * Operations that cannot be used are listed in `skipped` with where and why; a document that
 * cannot be read at all throws a `SpecError` naming the place.
 *
 * @example
 * const spec = await parseSpec(await readFile('petstore.yaml', 'utf8'), { sourceUrl: 'https://petstore3.swagger.io/api/v3/openapi.json' });
 * spec.operations.find((o) => o.operationId === 'getPetById'); // → { method: 'GET', path: '/pet/{petId}', ... }
 * spec.skipped; // → [{ operation: 'TRACE /debug', where: 'paths./debug.trace', reason: 'TRACE operations are not supported' }]
 */
export async function parseSpec(input: string | object, options: ParseSpecOptions = {}): Promise<ApiSpec> {
  const name = options.name ?? options.sourceUrl ?? 'the spec';
  const doc = typeof input === 'string' ? readDocument(input, name) : (input as Obj);
  if (!isObj(doc)) throw new SpecError(name, 'is not an OpenAPI or Swagger document');

  const swagger = doc.swagger !== undefined;
  const specVersion = String(swagger ? doc.swagger : (doc.openapi ?? ''));
  if (swagger && specVersion !== '2.0') {
    throw new SpecError('swagger', `"${specVersion}" is not supported; Swagger specs must be version "2.0"`);
  }
  if (!swagger) {
    if (doc.openapi === undefined) {
      throw new SpecError(name, 'has neither "openapi" nor "swagger"; it is not an OpenAPI or Swagger document');
    }
    if (!/^3\.[01]\.\d+/.test(specVersion)) {
      throw new SpecError('openapi', `"${specVersion}" is not supported; use OpenAPI 3.0.x, 3.1.x or Swagger 2.0`);
    }
  }
  if (!isObj(doc.info)) throw new SpecError('info', 'is missing; a spec needs info.title and info.version');

  const set = await loadDocuments(doc, options.sourceUrl ?? PASTED_SPEC_URI, options.loadDocument);
  const resolver = new RefResolver(set);
  const servers = swagger ? swaggerServers(doc, options.sourceUrl) : openApiServers(doc.servers, options.sourceUrl);
  const securitySchemes = schemesOf(doc, swagger, resolver);
  const globalSecurity = doc.security === undefined ? [] : securityOf(doc.security, 'security');
  const stringList = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

  const { operations, skipped, warnings } = normalizeOperations(doc, {
    resolver,
    swagger,
    dialect: specVersion.startsWith('3.1') ? 'draft-2020-12' : 'openapi-3.0',
    globalSecurity,
    consumes: stringList(doc.consumes),
    produces: stringList(doc.produces),
  });

  const known = new Set(securitySchemes.map((s) => s.name));
  const unknown = new Set<string>();
  for (const op of operations)
    for (const alternative of op.security)
      for (const scheme of Object.keys(alternative)) if (!known.has(scheme)) unknown.add(scheme);
  for (const scheme of unknown) warnings.push(`security scheme "${scheme}" is used but not defined`);
  for (const scheme of securitySchemes)
    if (scheme.note) warnings.push(`security scheme "${scheme.name}": ${scheme.note}`);

  const info = doc.info;
  return {
    title: typeof info.title === 'string' && info.title.trim() ? info.title.trim() : 'Untitled API',
    version: info.version === undefined ? '' : String(info.version),
    description: typeof info.description === 'string' ? info.description : '',
    specVersion,
    servers,
    securitySchemes,
    operations,
    skipped,
    warnings,
  };
}

function schemesOf(doc: Obj, swagger: boolean, resolver: RefResolver): SecuritySchemeMapping[] {
  const where = swagger ? 'securityDefinitions' : 'components.securitySchemes';
  const schemes = swagger
    ? doc.securityDefinitions
    : isObj(doc.components)
      ? doc.components.securitySchemes
      : undefined;
  if (schemes === undefined) return [];
  if (!isObj(schemes)) throw new SpecError(where, 'must be an object of named security schemes');
  return Object.entries(schemes).map(([schemeName, node]) => {
    const at = `${where}.${schemeName}`;
    const { value } = resolver.deref(node, resolver.set.rootUri, at);
    if (!isObj(value)) throw new SpecError(at, 'must be a security scheme object');
    if (typeof value.type !== 'string') throw new SpecError(`${at}.type`, 'is missing (apiKey, http, oauth2, ...)');
    return swagger ? mapSwaggerSecurityDefinition(schemeName, value) : mapSecurityScheme(schemeName, value);
  });
}
