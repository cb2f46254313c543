import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '@apiq/db';
import type { NodeCatalog } from '@apiq/sdk';
import type { Log, RunEventHub } from '@apiq/runtime';

export interface ApiDeps {
  db: Kysely<Database>;
  pool: pg.Pool;
  hub: RunEventHub;
  catalog: NodeCatalog;
  log: Log;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
