import { Command, CommanderError } from 'commander';
import { CliError } from './context.ts';

// Commands are imported when they run: the `apiq start` supervisor then holds only what it
// needs to start and watch its processes, not the web server, the engine and the API.
const start = () => import('./commands/start.ts');
const serve = () => import('./commands/serve.ts');
const status = () => import('./commands/status.ts');
const run = () => import('./commands/run.ts');
const validate = () => import('./commands/validate.ts');
const transfer = () => import('./commands/transfer.ts');
const plan = () => import('./commands/plan.ts');
const runsCommands = () => import('./commands/runs.ts');
const nodesCommands = () => import('./commands/nodes.ts');

export async function main(argv: string[]): Promise<void> {
  const program = new Command('apiq')
    .description('APIQ: connect APIs, build workflows, run them durably.')
    .showHelpAfterError()
    .exitOverride();
  const exitWith = (code: number) => {
    process.exitCode = code;
  };
  program
    .command('start')
    .description('start APIQ (embedded PostgreSQL, web server and executors)')
    .option('-p, --port <port>', 'HTTP port (default 3000 or $PORT)')
    .option('--workers <n>', 'executor processes (default 1)')
    .action(async (opts) => (await start()).startCommand(opts));
  program
    .command('web')
    .description('run only the web server (webhooks, health, editor)')
    .option('-p, --port <port>')
    .option('--host <host>')
    .action(async (opts) => (await serve()).webCommand(opts));
  program
    .command('worker')
    .description('run an executor against the configured database (add capacity)')
    .option('--concurrency <n>', 'runs at once')
    .option('--threads <n>', 'worker threads for node code')
    .action(async (opts) => (await serve()).workerCommand(opts));
  program
    .command('status')
    .description('readiness: database, queue lag, executors, scheduler (exit 1 when not ok)')
    .option('--json', 'print the report as JSON')
    .option('--url <url>', "a running instance's address (default: the configured database)")
    .action(async (opts) => exitWith(await (await status()).statusCommand(opts)));
  program
    .command('run <file>')
    .description('run a workflow file once and print every step')
    .option('-i, --input <json>', 'input for the trigger, as JSON')
    .option('--json', 'print the run as JSON')
    .option('--timeout <ms>', 'how long to wait for the run')
    .action(async (file, opts) => exitWith(await (await run()).runCommand(file, opts)));
  program
    .command('validate <file>')
    .description('check a workflow file')
    .option('--json', 'print the result as JSON')
    .action(async (file, opts) => exitWith(await (await validate()).validateCommand(file, opts)));
  program
    .command('export')
    .description('export workflows as JSON')
    .option('-w, --workflow <name-or-id>')
    .option('-o, --out <file>')
    .action(async (opts) => exitWith(await (await transfer()).exportCommand(opts)));
  program
    .command('import <file>')
    .description('import workflows from an export or a workflow file')
    .option('--activate', 'activate the imported workflows')
    .action(async (file, opts) => exitWith(await (await transfer()).importCommand(file, opts)));
  program
    .command('plan <prompt>')
    .description('propose a workflow from a sentence (the configured model, or the offline planner)')
    .option('--json', 'print the proposal as JSON')
    .option('--out <file>', 'write the proposed workflow graph to a file')
    .option('--edit <file>', 'change this workflow instead of starting a new one')
    .action(async (prompt, opts) => exitWith(await (await plan()).planCommand(prompt, opts)));
  const runs = program.command('runs').description('list, inspect and control runs');
  runs
    .command('list')
    .description('newest runs first')
    .option('-w, --workflow <name-or-id>')
    .option('-s, --status <status>', 'queued, running, waiting, succeeded, failed, cancelled or dead')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json')
    .action(async (opts) => exitWith(await (await runsCommands()).runsListCommand(opts)));
  runs
    .command('show <id>')
    .description('a run and its step attempts, as JSON')
    .action(async (id) => exitWith(await (await runsCommands()).runsShowCommand(id)));
  for (const action of ['cancel', 'pause', 'resume', 'retry'] as const) {
    runs
      .command(`${action} <id>`)
      .description(`${action} a run`)
      .action(async (id) => exitWith(await (await runsCommands()).runsActionCommand(action, id)));
  }
  program
    .command('vault')
    .description('manage the credential vault')
    .command('rotate-key')
    .description(
      're-encrypt every credential with a new master key (APIQ_NEW_MASTER_KEY, or a new key file); resumable',
    )
    .option('--batch-size <n>', 'credentials per transaction', '100')
    .action(async (opts) => {
      const { vaultRotateKeyCommand } = await import('./commands/vault.ts');
      exitWith(await vaultRotateKeyCommand(opts));
    });
  const nodes = program.command('nodes').description('list installed node types, scaffold a node package');
  nodes
    .command('list')
    .description('installed node types (id@version) and packages that failed to load')
    .option('--json', 'print as JSON')
    .action(async (opts) => exitWith(await (await nodesCommands()).nodesListCommand(opts)));
  nodes
    .command('new <name>')
    .description('scaffold a node package: definition, one action, a test, README and icon')
    .option('--dir <path>', 'where to create it (default nodes/<name> of the APIQ directory)')
    .action(async (name, opts) => exitWith(await (await nodesCommands()).nodesNewCommand(name, opts)));
  const openapi = program.command('openapi').description('import OpenAPI / Swagger specs and search their operations');
  const openapiCommands = () => import('./commands/openapi.ts');
  openapi
    .command('import <file-or-url>')
    .description('import a spec (JSON or YAML; OpenAPI 3.0/3.1, Swagger 2.0); importing again replaces it')
    .option('--name <name>', 'display name (default: the spec title)')
    .option('--slug <slug>', 'short name used by other commands (default: from the name)')
    .option('--json', 'print { operations, skipped, ... } as JSON')
    .action(async (source, opts) => exitWith(await (await openapiCommands()).openapiImportCommand(source, opts)));
  openapi
    .command('refresh <spec>')
    .description('re-fetch a spec imported from a URL (nothing is downloaded when its ETag is unchanged)')
    .option('--force', 'download even when the ETag is unchanged')
    .option('--json')
    .action(async (spec, opts) => exitWith(await (await openapiCommands()).openapiRefreshCommand(spec, opts)));
  openapi
    .command('list')
    .description('the imported specs')
    .option('--json')
    .action(async (opts) => exitWith(await (await openapiCommands()).openapiListCommand(opts)));
  openapi
    .command('search <query>')
    .description('imported operations matching the words, best first')
    .option('-n, --limit <n>', 'how many', '10')
    .option('--json')
    .action(async (query, opts) => exitWith(await (await openapiCommands()).openapiSearchCommand(query, opts)));
  openapi
    .command('ready [id]')
    .description('list the ready connections (JSONPlaceholder, HTTPBin, Petstore), or import one')
    .option('--json')
    .action(async (id, opts) => exitWith(await (await openapiCommands()).openapiReadyCommand(id, opts)));
  program
    .command('bench')
    .description('benchmark webhook workflows (prints figures)')
    .option('--json', 'print only JSON rows')
    .option('--duration <s>', 'seconds per load step', '10')
    .option('--workloads <ids>', 'only these workloads, comma-separated (w1,w2,w2-set,w3)')
    .option('--concurrency <list>', 'only these concurrencies, comma-separated (default 1,10,50)')
    .action(async (opts) => {
      const { benchCommand } = await import('./commands/bench.ts');
      exitWith(await benchCommand(opts));
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
