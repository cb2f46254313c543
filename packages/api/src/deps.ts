import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '@apiq/db';
import type { NodeCatalog, NodeFetch } from '@apiq/sdk';
import type { Vault } from '@apiq/vault';
import type { Log, RunEventHub } from '@apiq/runtime';

export interface ApiDeps {
  db: Kysely<Database>;
  pool: pg.Pool;
  hub: RunEventHub;
  catalog: NodeCatalog;
  log: Log;
  /** The credential vault; without it the connection procedures answer "unavailable". */
  vault?: Vault;
  /** The safe outbound client for connection tests and OAuth2 token requests. */
  fetch?: NodeFetch;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
