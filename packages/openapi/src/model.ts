import { z } from '@apiq/sdk';

/**
 * The normalized shape of an imported spec: what APIQ keeps of an OpenAPI 3.0/3.1 or
 * Swagger 2.0 document once `$ref`s are resolved and version differences are gone.
 * Stored per operation in `api_operations.operation` and read back with these schemas.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A JSON Schema (OpenAPI flavour for 3.0 and 2.0 specs, 2020-12 for 3.1), `$ref`s inlined. */
export const jsonSchemaSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof jsonSchemaSchema>;

/** `openapi-3.0` understands `nullable`; 3.1 specs use plain JSON Schema 2020-12. */
export const schemaDialectSchema = z.enum(['openapi-3.0', 'draft-2020-12']);
export type SchemaDialect = z.infer<typeof schemaDialectSchema>;

export const PARAMETER_STYLES = [
  'form',
  'simple',
  'label',
  'matrix',
  'spaceDelimited',
  'pipeDelimited',
  'deepObject',
] as const;

export const operationParameterSchema = z.object({
  name: z.string().min(1),
  in: z.enum(['path', 'query', 'header']),
  required: z.boolean(),
  description: z.string().optional(),
  schema: jsonSchemaSchema,
  style: z.enum(PARAMETER_STYLES).optional(),
  explode: z.boolean().optional(),
  deprecated: z.boolean().optional(),
});
export type OperationParameter = z.infer<typeof operationParameterSchema>;

export const requestBodySchema = z.object({
  /** The content type APIQ sends (JSON preferred, then form, multipart, text). */
  contentType: z.string(),
  /** Every content type the operation accepts. */
  contentTypes: z.array(z.string()),
  required: z.boolean(),
  description: z.string().optional(),
  schema: jsonSchemaSchema,
});
export type RequestBody = z.infer<typeof requestBodySchema>;

export const responseSummarySchema = z.object({
  /** `200`, `4XX` or `default`. */
  status: z.string(),
  description: z.string(),
  contentType: z.string().optional(),
});
export type ResponseSummary = z.infer<typeof responseSummarySchema>;

/** Alternatives (any one suffices); each alternative names schemes that must all be applied, with scopes. */
export const securityRequirementSchema = z.array(z.record(z.string(), z.array(z.string())));
export type SecurityRequirement = z.infer<typeof securityRequirementSchema>;

export const apiOperationSchema = z.object({
  /** The spec's operationId, or a stable id derived from method and path (`get_pets_petId`). */
  operationId: z.string().min(1),
  method: z.enum(HTTP_METHODS),
  /** Path template as in the spec, e.g. `/pets/{petId}`. */
  path: z.string().startsWith('/'),
  summary: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  deprecated: z.boolean(),
  parameters: z.array(operationParameterSchema),
  requestBody: requestBodySchema.optional(),
  /** Empty: no authentication. `[{}]` among the alternatives: authentication optional. */
  security: securityRequirementSchema,
  responses: z.array(responseSummarySchema),
  schemaDialect: schemaDialectSchema,
});
export type ApiOperation = z.infer<typeof apiOperationSchema>;

export const serverSchema = z.object({
  /** Absolute URL with server variables set to their defaults; relative only when the spec had no base. */
  url: z.string(),
  description: z.string().optional(),
  variables: z.record(z.string(), z.object({ default: z.string(), enum: z.array(z.string()).optional() })).optional(),
});
export type ApiServer = z.infer<typeof serverSchema>;

/** A security scheme of the spec and the generic credential kind that satisfies it. */
export const securitySchemeMappingSchema = z.object({
  /** The scheme's name in the spec, e.g. `api_key`. */
  name: z.string(),
  type: z.string(),
  /** A generic credential kind id (`api_key_header`, `http_bearer`, ...), or null when none fits. */
  kind: z.string().nullable(),
  /** Credential field values the spec determines (header name, OAuth URLs, scopes). */
  preset: z.record(z.string(), z.string()),
  description: z.string().optional(),
  /** Why the mapping is approximate or missing. */
  note: z.string().optional(),
});
export type SecuritySchemeMapping = z.infer<typeof securitySchemeMappingSchema>;

export const skippedOperationSchema = z.object({
  /** `GET /pets/{id}` */
  operation: z.string(),
  /** Where in the spec the problem is, e.g. `paths./pets.get.parameters[0]`. */
  where: z.string(),
  reason: z.string(),
});
export type SkippedOperation = z.infer<typeof skippedOperationSchema>;

export interface ApiSpec {
  title: string;
  version: string;
  description: string;
  /** `2.0`, `3.0.3`, `3.1.0`, ... */
  specVersion: string;
  servers: ApiServer[];
  securitySchemes: SecuritySchemeMapping[];
  operations: ApiOperation[];
  skipped: SkippedOperation[];
  /** Problems that did not stop anything (an ignored cookie parameter, an unused scheme). */
  warnings: string[];
}
