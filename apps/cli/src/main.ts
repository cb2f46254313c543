import { Command, CommanderError } from 'commander';
import { CliError } from './context.ts';
import { validateCommand } from './commands/validate.ts';
import { runCommand } from './commands/run.ts';
import { exportCommand, importCommand } from './commands/transfer.ts';
import { startCommand } from './commands/start.ts';
import { runsActionCommand, runsListCommand, runsShowCommand } from './commands/runs.ts';
import { webCommand, workerCommand } from './commands/serve.ts';

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
    .action(startCommand);
  program
    .command('web')
    .description('run only the web server (webhooks, health, editor)')
    .option('-p, --port <port>')
    .option('--host <host>')
    .action(webCommand);
  program
    .command('worker')
    .description('run an executor against the configured database (add capacity)')
    .option('--concurrency <n>', 'runs at once')
    .option('--threads <n>', 'worker threads for node code')
    .action(workerCommand);
  program
    .command('run <file>')
    .description('run a workflow file once and print every step')
    .option('-i, --input <json>', 'input for the trigger, as JSON')
    .option('--json', 'print the run as JSON')
    .option('--timeout <ms>', 'how long to wait for the run')
    .action(async (file, opts) => exitWith(await runCommand(file, opts)));
  program
    .command('validate <file>')
    .description('check a workflow file')
    .option('--json', 'print the result as JSON')
    .action(async (file, opts) => exitWith(await validateCommand(file, opts)));
  program
    .command('export')
    .description('export workflows as JSON')
    .option('-w, --workflow <name-or-id>')
    .option('-o, --out <file>')
    .action(async (opts) => exitWith(await exportCommand(opts)));
  program
    .command('import <file>')
    .description('import workflows from an export or a workflow file')
    .option('--activate', 'activate the imported workflows')
    .action(async (file, opts) => exitWith(await importCommand(file, opts)));
  const runs = program.command('runs').description('list, inspect and control runs');
  runs
    .command('list')
    .description('newest runs first')
    .option('-w, --workflow <name-or-id>')
    .option('-s, --status <status>', 'queued, running, waiting, succeeded, failed, cancelled or dead')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json')
    .action(async (opts) => exitWith(await runsListCommand(opts)));
  runs
    .command('show <id>')
    .description('a run and its step attempts, as JSON')
    .action(async (id) => exitWith(await runsShowCommand(id)));
  for (const action of ['cancel', 'pause', 'resume', 'retry'] as const) {
    runs
      .command(`${action} <id>`)
      .description(`${action} a run`)
      .action(async (id) => exitWith(await runsActionCommand(action, id)));
  }
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
