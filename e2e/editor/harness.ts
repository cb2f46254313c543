import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Database } from '@apiq/db';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { startAppProcess, type AppProcess } from './app-process.ts';
import { EDITOR_ROOT_ENV } from './editor-snapshot.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots of key screens land here (gitignored); look at them after a run. */
export const SCREENSHOT_DIR = path.join(ROOT, 'e2e/screenshots');

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface EditorApp {
  /** `http://127.0.0.1:<port>`: the editor, the API and webhooks, as `apiq web` serves them. */
  baseUrl: string;
  /** Kysely on the app's own fresh test database (seed rows, assert on runs). */
  db: Kysely<Database>;
  databaseUrl: string;
  /** The last lines the web and worker processes printed (for failure messages). */
  logs(): string;
  /** Stops the processes and drops the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartEditorAppOptions {
  /** Executor processes (default 1; 0 for tests that must see runs stay queued). */
  workers?: number;
  /** Extra environment for both processes. */
  env?: Record<string, string>;
  /**
   * Let workflows call servers on 127.0.0.1 (the stand-in APIs tests start). Default true: the
   * SSRF-safe client blocks loopback otherwise.
   */
  allowLoopback?: boolean;
}

/**
 * Starts APIQ as users run it: `apiq web` (API, SSE, webhooks and the built editor) and `apiq worker`
 * as real processes on a fresh, migrated test database, on a free port of 127.0.0.1.
 * The editor must be built first (the vitest global setup `e2e/editor/global-setup.ts` does it).
 *
 * @example
 * const app = await startEditorApp();
 * const { page } = await openBrowser(app.baseUrl);
 * await page.goto(`${app.baseUrl}/workflows`);
 * await app.stop();
 */
export async function startEditorApp(options: StartEditorAppOptions = {}): Promise<EditorApp> {
  // The global setup's private copy of the build (see editor-snapshot.ts), else the repository's.
  const root = process.env[EDITOR_ROOT_ENV] ?? ROOT;
  if (!existsSync(path.join(root, 'apps/editor/build/handler.js')))
    throw new Error(
      'The editor is not built (apps/editor/build/handler.js is missing). Run the suite through the repository ' +
        'vitest.config.ts (its system project builds it) or run `npx vite build` in apps/editor.',
    );
  const server = testServers()[0]!;
  const database: TestDatabase = await createTestDatabase(server.url);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'apiq-editor-e2e-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST' || (k.startsWith('APIQ_') && k !== 'APIQ_TEST_PG_URLS'))
      continue;
    env[k] = v;
  }
  Object.assign(
    env,
    {
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      APIQ_ROOT: root,
      APIQ_DATA_DIR: dataDir,
      APIQ_MASTER_KEY: randomBytes(32).toString('base64'),
      APIQ_LOG_LEVEL: 'warn',
      APIQ_LEASE_MS: '3000',
      ...(options.allowLoopback === false ? {} : { APIQ_HTTP_ALLOW: '127.0.0.1/32' }),
    },
    options.env,
  );

  const processes: AppProcess[] = [startAppProcess('web', ['web'], env, 'listening')];
  for (let i = 0; i < (options.workers ?? 1); i++)
    processes.push(startAppProcess(`worker-${i + 1}`, ['worker', '--concurrency', '8'], env, 'ready'));
  const logs = () => processes.map((p) => `--- ${p.name} ---\n${p.output()}`).join('\n');

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    })());

  try {
    const [web] = await Promise.all(processes.map((p) => p.up));
    const baseUrl = `http://127.0.0.1:${web!.port}`;
    return { baseUrl, db: database.db, databaseUrl: database.url, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface EditorBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Errors the page logged (console.error, uncaught exceptions, failed requests Chromium reports). */
  consoleErrors: string[];
  /** Accepts console errors matching `pattern` from now on (e.g. the 400 of a refused import). */
  allowConsoleError(pattern: RegExp): void;
  /** Saves `e2e/screenshots/<name>.png` of the page as it is now. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  /** Throws when the page logged errors that were not allowed. */
  assertNoConsoleErrors(): void;
  close(): Promise<void>;
}

export interface OpenBrowserOptions {
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /** Reuse a running Chromium (one per suite) instead of launching one. */
  browser?: Browser;
}

/** Launches the test Chromium (headless, no network chatter). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context and page on the app, recording every console error and page error.
 *
 * @example
 * const ui = await openBrowser(app.baseUrl);
 * await ui.page.goto(`${app.baseUrl}/runs`);
 * await ui.screenshot('runs-list');
 * ui.assertNoConsoleErrors();
 * await ui.close();
 */
export async function openBrowser(baseUrl: string, options: OpenBrowserOptions = {}): Promise<EditorBrowser> {
  const ownBrowser = !options.browser;
  const browser = options.browser ?? (await launchChromium());
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const allowed: RegExp[] = [];
  const record = (text: string) => {
    if (!allowed.some((re) => re.test(text))) consoleErrors.push(text);
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') record(`console.error: ${msg.text()} (${msg.location().url || 'page'})`);
  });
  page.on('pageerror', (err) => record(`uncaught: ${err.stack ?? err.message}`));
  return {
    browser,
    context,
    page,
    consoleErrors,
    allowConsoleError: (pattern) => {
      allowed.push(pattern);
    },
    async screenshot(name, shotOptions = {}) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: shotOptions.fullPage ?? false });
      return file;
    },
    assertNoConsoleErrors() {
      if (consoleErrors.length > 0)
        throw new Error(`The page logged ${consoleErrors.length} error(s):\n${consoleErrors.join('\n')}`);
    },
    async close() {
      await context.close();
      if (ownBrowser) await browser.close();
    },
  };
}

export interface EditorSuite {
  /** The running app (set in beforeAll). */
  readonly app: EditorApp;
  /** The current test's browser (a fresh context per test). */
  readonly ui: EditorBrowser;
  /** Shorthand for `ui.page`. */
  readonly page: Page;
  /** `app.baseUrl` + path. */
  url(pathname: string): string;
}

/**
 * Registers the hooks of an editor browser suite: one app and one Chromium for the file, a fresh
 * browser context for every test, and a test failure when the page logged errors.
 *
 * @example
 * describe('workflow list', () => {
 *   const s = useEditorSuite();
 *   it('creates a workflow', async () => {
 *     await s.page.goto(s.url('/workflows'));
 *     await s.page.getByRole('button', { name: 'New workflow' }).click();
 *   });
 * });
 */
export function useEditorSuite(options: StartEditorAppOptions & { viewport?: OpenBrowserOptions['viewport'] } = {}) {
  let app: EditorApp | undefined;
  let browser: Browser | undefined;
  let ui: EditorBrowser | undefined;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startEditorApp(options), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), app?.stop()]);
  });
  beforeEach(async () => {
    ui = await openBrowser(app!.baseUrl, {
      browser: browser!,
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
  });
  afterEach(async (context) => {
    const current = ui;
    ui = undefined;
    if (!current) return;
    await current.close();
    if (context.task.result?.state === 'fail') {
      // The test failed already; what the page logged is often why.
      if (current.consoleErrors.length > 0)
        process.stderr.write(`page errors during "${context.task.name}":\n${current.consoleErrors.join('\n')}\n`);
      return;
    }
    current.assertNoConsoleErrors();
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use it inside a test, after beforeAll`);
    return value;
  };
  return {
    get app() {
      return need(app, 'the editor app');
    },
    get ui() {
      return need(ui, 'the browser');
    },
    get page() {
      return need(ui, 'the browser').page;
    },
    url: (pathname: string) => `${need(app, 'the editor app').baseUrl}${pathname}`,
  } satisfies EditorSuite;
}
