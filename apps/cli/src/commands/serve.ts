import { createApiqServer, createLogger, Executor, Maintenance, Poller, Scheduler } from '@apiq/runtime';
import { createApiHandler, type NodeHandler } from '@apiq/api';
import { loadCatalog, openMigratedDatabase } from '../context.ts';
import { loadEditorHandler } from '../editor-app.ts';

function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** `apiq web`: the HTTP front (webhooks, health, editor). */
export async function webCommand(opts: { port?: string; host?: string }): Promise<void> {
  const log = createLogger({ component: 'web', pid: process.pid });
  const opened = await openMigratedDatabase();
  const catalog = await loadCatalog();
  const editor = await loadEditorHandler();
  const mounted: { api?: NodeHandler } = {};
  const server = await createApiqServer({
    db: opened.db,
    pool: opened.pool,
    log,
    fallback: (req, res, next) => {
      const toEditor = () => (editor ? editor(req, res, next) : next());
      if (mounted.api) mounted.api(req, res, toEditor);
      else toEditor();
    },
  });
  mounted.api = createApiHandler({ db: opened.db, pool: opened.pool, hub: server.hub, catalog, log });
  if (!editor) log.warn('the editor is not built; run `npm start` (or `npx vite build` in apps/editor)');
  const port = await server.listen(
    Number(opts.port ?? process.env.PORT ?? 3000),
    opts.host ?? process.env.HOST ?? '0.0.0.0',
  );
  log.info('web server listening', { port });
  process.send?.({ type: 'listening', port });
  onShutdown(async () => {
    await server.close();
    await opened.close();
  });
}

/**
 * `apiq worker`: an executor (with a scheduler and the retention job) against the configured database. Start more on
 * other machines with the same DATABASE_URL to add capacity.
 */
export async function workerCommand(opts: { concurrency?: string; threads?: string }): Promise<void> {
  const log = createLogger({ component: 'worker', pid: process.pid });
  const opened = await openMigratedDatabase();
  const catalog = await loadCatalog();
  const executor = new Executor({
    db: opened.db,
    pool: opened.pool,
    catalog,
    log,
    ...((opts.concurrency ?? process.env.APIQ_CONCURRENCY)
      ? { concurrency: Number(opts.concurrency ?? process.env.APIQ_CONCURRENCY) }
      : {}),
    ...((opts.threads ?? process.env.APIQ_THREADS)
      ? { threads: Number(opts.threads ?? process.env.APIQ_THREADS) }
      : {}),
    ...(process.env.APIQ_LEASE_MS ? { leaseMs: Number(process.env.APIQ_LEASE_MS) } : {}),
  });
  const scheduler = new Scheduler({ db: opened.db, pool: opened.pool, log });
  const poller = new Poller({ db: opened.db, pool: opened.pool, catalog, log });
  const maintenance = new Maintenance({ db: opened.db, log });
  await executor.start();
  await scheduler.start();
  await poller.start();
  maintenance.start();
  process.send?.({ type: 'ready', executor: executor.id });
  onShutdown(async () => {
    await maintenance.stop();
    await poller.stop();
    await scheduler.stop();
    await executor.stop();
    await opened.close();
  });
}
