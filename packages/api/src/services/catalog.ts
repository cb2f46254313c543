import { z } from 'zod';
import { paramsJsonSchema, type NodeCatalog } from '@apiq/sdk';

export interface NodeTypeInfo {
  type: string;
  version: number;
  title: string;
  description: string;
  keywords: string[];
  category: string;
  icon: string | null;
  /** How this trigger starts runs (manual, webhook, schedule, polling, app_event); null for other nodes. */
  trigger: string | null;
  inputs: string[];
  outputs: string[];
  credentials: { kind: string; required: boolean; description: string | null }[];
  /** JSON Schema of the params (input side: defaults are optional), for forms and validation. */
  paramsSchema: Record<string, unknown>;
  /** Webhook triggers: runs start at `/webhook/<params.path>` with `params.method`. */
  webhook: { pathParam: 'path'; methodParam: 'method'; urlPrefix: '/webhook/' } | null;
}

export interface CredentialKindInfo {
  id: string;
  title: string;
  description: string;
  fieldsSchema: Record<string, unknown>;
  /** Field names that are secret: shown masked, never returned. */
  secret: string[];
  authType: string;
  baseUrl: string | null;
}

/** Every installed node type (each installed version), sorted by category then title. */
export function listNodeTypes(catalog: NodeCatalog): NodeTypeInfo[] {
  return catalog
    .list()
    .map(({ def }) => ({
      type: def.id,
      version: def.version,
      title: def.title,
      description: def.description,
      keywords: def.keywords,
      category: def.category,
      icon: def.icon ?? null,
      trigger: def.trigger ?? null,
      inputs: def.inputs,
      outputs: def.outputs,
      credentials: def.credentials.map((c) => ({
        kind: c.kind,
        required: c.required !== false,
        description: c.description ?? null,
      })),
      paramsSchema: safeSchema(() => paramsJsonSchema(def)),
      webhook:
        def.trigger === 'webhook'
          ? ({ pathParam: 'path', methodParam: 'method', urlPrefix: '/webhook/' } as const)
          : null,
    }))
    .sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title) || a.version - b.version);
}

/** Node packages that failed to load (the rest of the catalog works). */
export function catalogProblems(
  catalog: NodeCatalog,
): { packageName: string; nodeId: string | null; message: string }[] {
  const problems = (catalog as { problems?: { packageName: string; nodeId?: string; message: string }[] }).problems;
  return (problems ?? []).map((p) => ({ packageName: p.packageName, nodeId: p.nodeId ?? null, message: p.message }));
}

/** Every credential kind (generic ones such as `http_bearer` and those of installed connectors). */
export function listCredentialKinds(catalog: NodeCatalog): CredentialKindInfo[] {
  return catalog
    .credentialKinds()
    .map((k) => ({
      id: k.id,
      title: k.title,
      description: k.description,
      fieldsSchema: safeSchema(() => z.toJSONSchema(k.fields, { unrepresentable: 'any', io: 'input' })),
      secret: k.secret,
      authType: k.auth.type,
      baseUrl: k.baseUrl ?? null,
    }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

function safeSchema(make: () => unknown): Record<string, unknown> {
  try {
    return make() as Record<string, unknown>;
  } catch (err) {
    return { description: `schema not representable: ${(err as Error).message}` };
  }
}
