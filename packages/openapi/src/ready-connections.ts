import { fileURLToPath } from 'node:url';
import type { Database, Kysely } from '@apiq/db';
import { SpecError } from './spec-error.ts';
import { importSpec, type ImportResult } from './store/import-spec.ts';

/** A public API that ships with APIQ as a spec file, ready to import with one call. */
export interface ReadyConnection {
  /** Also the slug of the imported spec. */
  id: string;
  title: string;
  description: string;
  /** Absolute path of the spec file shipped in this package's `specs/`. */
  specFile: string;
  defaultServer: string;
  /** Credential kind most operations need; null when the API is open. */
  authKind: string | null;
}

const specPath = (name: string) => fileURLToPath(new URL(`../specs/${name}`, import.meta.url));

export const readyConnections: readonly ReadyConnection[] = [
  {
    id: 'jsonplaceholder',
    title: 'JSONPlaceholder',
    description: 'Fake REST API for trying things out: posts, comments, users and todos. No sign-up.',
    specFile: specPath('jsonplaceholder.yaml'),
    defaultServer: 'https://jsonplaceholder.typicode.com',
    authKind: null,
  },
  {
    id: 'httpbin',
    title: 'HTTPBin',
    description:
      'HTTP request and response service: echoes requests, returns chosen statuses, delays and auth challenges.',
    specFile: specPath('httpbin.yaml'),
    defaultServer: 'https://httpbin.org',
    authKind: null,
  },
  {
    id: 'petstore',
    title: 'Swagger Petstore',
    description: 'The OpenAPI sample API: pets, orders and users, with an API key.',
    specFile: specPath('petstore.yaml'),
    defaultServer: 'https://petstore3.swagger.io/api/v3',
    authKind: 'api_key_header',
  },
];

/**
 * Imports a ready connection's spec into a workspace (again: it replaces the earlier import).
 *
 * @example
 * await installReadyConnection(db, DEFAULT_WORKSPACE_ID, 'jsonplaceholder'); // → { slug: 'jsonplaceholder', operations: 18, ... }
 */
export async function installReadyConnection(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<ImportResult> {
  const ready = readyConnections.find((c) => c.id === id);
  if (!ready) {
    throw new SpecError(id, `is not a ready connection; choose one of ${readyConnections.map((c) => c.id).join(', ')}`);
  }
  return importSpec(db, workspaceId, { file: ready.specFile }, { name: ready.title, slug: ready.id });
}
