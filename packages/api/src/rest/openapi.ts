import { z } from 'zod';
import { ErrorSchema } from '../outputs.ts';
import { routes, type RestRoute } from './routes.ts';

let cached: Record<string, unknown> | undefined;

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `issues` locates each problem',
  404: 'Not found in this workspace',
  409: 'Conflict with the current state (a newer version, a webhook path taken, a run in another status)',
  413: 'Body too large',
  415: 'Body is not JSON',
  503: 'The server runs without the credential vault',
};

/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the same zod schemas that validate the
 * requests (and describe the responses). Built once per process.
 */
export function openApiDocument(): Record<string, unknown> {
  cached ??= build();
  return cached;
}

function build(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'APIQ API',
      version: '1.0.0',
      description:
        'Workflows, runs and templates of an APIQ instance. Until accounts exist, every request works in the default workspace; personal API tokens (Authorization: Bearer) will be required once they do.',
    },
    servers: [{ url: '/api/v1' }],
    tags: [
      { name: 'workflows', description: 'Workflows and their versions' },
      { name: 'runs', description: 'Runs and their step attempts' },
      { name: 'templates', description: 'Workflow templates' },
      { name: 'connections', description: 'Stored credentials (metadata only)' },
    ],
    paths,
    components: { schemas: { Error: schema(ErrorSchema, 'output') } },
  };
}

function operation(route: RestRoute): Record<string, unknown> {
  const parameters = [
    ...properties(route.params).map(([name, s]) => ({ name, in: 'path', required: true, schema: s })),
    ...properties(route.query).map(([name, s, required]) => ({ name, in: 'query', required, schema: s })),
  ];
  const errors = [
    400,
    ...route.errors,
    ...(route.body ? [413, 415] : []),
    ...(route.tag === 'connections' ? [503] : []),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(route.body, 'input') } } } }
      : {}),
    responses: {
      [String(route.status)]: {
        description: route.status === 201 ? 'Created' : 'OK',
        content: { 'application/json': { schema: schema(route.response, 'output') } },
      },
      ...Object.fromEntries(
        errors.map((status) => [
          String(status),
          {
            description: ERROR_TEXT[status],
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

function properties(object: z.ZodObject | undefined): [string, Record<string, unknown>, boolean][] {
  if (!object) return [];
  const json = schema(object, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => [name, s, (json.required ?? []).includes(name)]);
}

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
