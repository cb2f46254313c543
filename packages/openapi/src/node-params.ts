import type { ApiSpec, HttpMethod, JsonSchema, OperationParameter, SchemaDialect } from './model.ts';
import { SpecError } from './spec-error.ts';

/** One way to authenticate an operation: a credential kind, and the header or query name the spec sets. */
export interface OperationAuthOption {
  scheme: string;
  kind: string;
  headerName?: string;
  paramName?: string;
}

/** The params of an `api.operation` workflow node: the operation itself (data) and the arguments. */
export interface OperationNodeParams {
  operation: {
    specId?: string;
    operationId: string;
    method: HttpMethod;
    path: string;
    serverUrl: string;
    summary?: string;
    parameters: OperationParameter[];
    requestBody?: { contentType: string; required: boolean; schema: JsonSchema };
    schemaDialect: SchemaDialect;
    auth: { required: boolean; options: OperationAuthOption[] };
  };
  args: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
    headers?: Record<string, unknown>;
    body?: unknown;
  };
}

/**
 * Builds the params of an `api.operation` node for one operation of a spec, so a workflow
 * carries everything it needs to call it (no lookup at run time). The server defaults to the
 * spec's first; pass another (a staging host, a mock server) as `serverUrl`.
 *
 * @example
 * const params = operationNodeParams(spec, 'getPetById');
 * params.args.path = { petId: 10 };
 * graph.nodes.push({ id: 'get-pet', type: 'api.operation', params });
 */
export function operationNodeParams(
  spec: Pick<ApiSpec, 'servers' | 'operations' | 'securitySchemes'> & { id?: string },
  operationId: string,
  serverUrl?: string,
): OperationNodeParams {
  const op = spec.operations.find((o) => o.operationId === operationId);
  if (!op) {
    const near = spec.operations
      .filter((o) => o.operationId.toLowerCase().includes(operationId.toLowerCase().slice(0, 4)))
      .slice(0, 3)
      .map((o) => o.operationId);
    throw new SpecError(
      operationId,
      `no such operation in the spec${near.length ? `; did you mean ${near.join(', ')}?` : ''}`,
    );
  }
  const server = serverUrl ?? spec.servers.find((s) => /^https?:\/\//i.test(s.url))?.url;
  if (!server || !/^https?:\/\//i.test(server)) {
    throw new SpecError('servers', 'the spec has no absolute http(s) server URL; pass one as serverUrl');
  }
  const schemes = new Map(spec.securitySchemes.map((s) => [s.name, s]));
  const options: OperationAuthOption[] = [];
  for (const alternative of op.security) {
    for (const name of Object.keys(alternative)) {
      const mapping = schemes.get(name);
      if (!mapping?.kind || options.some((o) => o.scheme === name)) continue;
      options.push({
        scheme: name,
        kind: mapping.kind,
        ...(mapping.preset.headerName ? { headerName: mapping.preset.headerName } : {}),
        ...(mapping.preset.paramName ? { paramName: mapping.preset.paramName } : {}),
      });
    }
  }
  const optional = op.security.length === 0 || op.security.some((alt) => Object.keys(alt).length === 0);
  return {
    operation: {
      ...(spec.id ? { specId: spec.id } : {}),
      operationId: op.operationId,
      method: op.method,
      path: op.path,
      serverUrl: server.replace(/\/+$/, ''),
      ...(op.summary ? { summary: op.summary } : {}),
      parameters: op.parameters,
      ...(op.requestBody
        ? {
            requestBody: {
              contentType: op.requestBody.contentType,
              required: op.requestBody.required,
              schema: op.requestBody.schema,
            },
          }
        : {}),
      schemaDialect: op.schemaDialect,
      auth: { required: !optional, options },
    },
    args: {},
  };
}
