import {
  AlertEvaluator,
  ConnectionHealthCheck,
  createApiqServer,
  createEngineMetrics,
  createLogger,
  ENGINE_SESSION_SETTINGS,
  Executor,
  Maintenance,
  MetricsPublisher,
  Poller,
  Scheduler,
} from '@apiq/runtime';
import { createApiHandler, type NodeHandler } from '@apiq/api';
import { createCredentialResolver, createOAuth2Handler, openVault, testConnection } from '@apiq/vault';
import { createSafeFetch } from '@apiq/http';
import {
  Accounts,
  auditCredentialReads,
  authDb,
  authenticate,
  createAuthHandler,
  createMailer,
  createSocialSignIn,
  createWebGuard,
  requestIp,
  socialProvidersFromEnv,
} from '@apiq/auth';
import { CliError, dataDir, loadCatalog, openMigratedDatabase } from '../context.ts';
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
  const vault = await openVault({ db: opened.db, dataDir: dataDir() }).catch(async (err: unknown) => {
    await opened.close();
    throw new CliError((err as Error).message);
  });
  const fetch = createSafeFetch();
  const port = Number(opts.port ?? process.env.PORT ?? 3000);
  // Without APIQ_PUBLIC_URL, links in emails use the port the server really listens on (PORT=0 picks one).
  const listeningAt = { port };
  const configuredUrl = process.env.APIQ_PUBLIC_URL?.replace(/\/+$/, '');
  const publicUrl = configuredUrl ?? `http://localhost:${port}`;
  const appUrl = () => configuredUrl ?? `http://localhost:${listeningAt.port}`;
  const adb = authDb(opened.db);
  const mailer = createMailer({
    db: adb,
    smtpUrl: process.env.APIQ_SMTP_URL,
    ...(process.env.APIQ_MAIL_FROM ? { from: process.env.APIQ_MAIL_FROM } : {}),
    log: (message, data) => log.info(message, data as never),
  });
  const https = publicUrl.startsWith('https:');
  const guard = createWebGuard({ trustedOrigins: [publicUrl], https });
  const auth = createAuthHandler({
    db: adb,
    accounts: new Accounts({ db: adb, mailer, appUrl }),
    mailer,
    appUrl,
    secureCookies: https,
    trustedOrigins: [publicUrl],
    social: createSocialSignIn({
      db: adb,
      providers: socialProvidersFromEnv(),
      fetch: fetch as never,
      appUrl,
      secureCookies: https,
      clientIp: requestIp,
    }),
  });
  const userOf = async (req: import('node:http').IncomingMessage) =>
    (await authenticate(adb, { cookie: req.headers.cookie }))?.user.id;
  const oauth2 = createOAuth2Handler({
    db: opened.db,
    vault,
    catalog,
    fetch,
    ...(configuredUrl ? { publicUrl: configuredUrl } : {}),
    userOf,
  });
  const mounted: { api?: NodeHandler } = {};
  const server = await createApiqServer({
    db: opened.db,
    pool: opened.pool,
    log,
    catalog,
    resolveCredentials: createCredentialResolver({ db: opened.db, vault, catalog }),
    fallback: (req, res, next) => {
      const toEditor = () => (editor ? editor(req, res, next) : next());
      const toApi = () => (mounted.api ? mounted.api(req, res, toEditor) : toEditor());
      guard(req, res, () => auth(req, res, () => oauth2(req, res, toApi)));
    },
  });
  mounted.api = createApiHandler({ db: opened.db, pool: opened.pool, hub: server.hub, catalog, log, vault, fetch });
  if (!editor) log.warn('the editor is not built; run `npm start` (or `npx vite build` in apps/editor)');
  const listening = await server.listen(port, opts.host ?? process.env.HOST ?? '0.0.0.0');
  listeningAt.port = listening;
  log.info('web server listening', { port: listening });
  process.send?.({ type: 'listening', port: listening });
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
  const opened = await openMigratedDatabase(ENGINE_SESSION_SETTINGS);
  const catalog = await loadCatalog();
  // Refuses to start with a key that is not the vault's (the error says what to set).
  const vault = await openVault({ db: opened.db, dataDir: dataDir() }).catch(async (err: unknown) => {
    await opened.close();
    throw new CliError((err as Error).message);
  });
  // Every decryption for a run step lands in the audit log.
  const resolveCredentials = auditCredentialReads(
    createCredentialResolver({ db: opened.db, vault, catalog }),
    authDb(opened.db),
  );
  const metrics = createEngineMetrics();
  const executor = new Executor({
    db: opened.db,
    pool: opened.pool,
    catalog,
    log,
    resolveCredentials,
    metrics,
    ...((opts.concurrency ?? process.env.APIQ_CONCURRENCY)
      ? { concurrency: Number(opts.concurrency ?? process.env.APIQ_CONCURRENCY) }
      : {}),
    ...((opts.threads ?? process.env.APIQ_THREADS)
      ? { threads: Number(opts.threads ?? process.env.APIQ_THREADS) }
      : {}),
    ...(process.env.APIQ_LEASE_MS ? { leaseMs: Number(process.env.APIQ_LEASE_MS) } : {}),
  });
  const scheduler = new Scheduler({ db: opened.db, pool: opened.pool, log });
  const poller = new Poller({ db: opened.db, pool: opened.pool, catalog, log, resolveCredentials });
  const maintenance = new Maintenance({ db: opened.db, log });
  // Observability: metrics for the web process's /metrics, alert rules, connection pings.
  const publisher = new MetricsPublisher({ db: opened.db, registry: metrics.registry, source: executor.id, log });
  const fetch = createSafeFetch();
  const mailer = createMailer({
    db: opened.db as unknown as Parameters<typeof createMailer>[0]['db'],
    smtpUrl: process.env.APIQ_SMTP_URL,
    log: (message, data) => log.info(message, { to: data.to, subject: data.subject }),
  });
  const alerts = new AlertEvaluator({ db: opened.db, fetch, mailer, resolveCredentials, log });
  const connectionHealth = new ConnectionHealthCheck({
    db: opened.db,
    test: (workspaceId, id) => testConnection({ db: opened.db, vault, catalog, fetch }, workspaceId, id),
    afterRound: () => alerts.evaluate(),
    log,
  });
  await executor.start();
  await scheduler.start();
  await poller.start();
  maintenance.start();
  publisher.start();
  alerts.start();
  connectionHealth.start();
  process.send?.({ type: 'ready', executor: executor.id });
  onShutdown(async () => {
    await connectionHealth.stop();
    await alerts.stop();
    await publisher.stop();
    await maintenance.stop();
    await poller.stop();
    await scheduler.stop();
    await executor.stop();
    await opened.close();
  });
}
