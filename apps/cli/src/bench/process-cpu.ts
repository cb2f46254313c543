import { readFileSync } from 'node:fs';
import { instanceProcesses } from './process-memory.ts';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const TICK_MS = 10;

/**
 * User plus system CPU time a process (all its threads) has used, in ms, from `/proc/<pid>/stat`;
 * undefined when the process is gone.
 *
 * @example
 * cpuMs(process.pid); // e.g. 1230
 */
export function cpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may contain spaces: utime is the 14th field.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * TICK_MS : undefined;
}

export interface CpuUse {
  /** CPU time of the APIQ supervisor's process tree (web, executor, worker threads), in ms. */
  apiqMs: number;
  /** CPU time of the PostgreSQL server's processes, in ms (0 when not found). */
  postgresMs: number;
}

/**
 * Measures the CPU time APIQ and its PostgreSQL use over a window: `start()`, run the load, then
 * `stop()`. A process that starts during the window counts from zero; one that ends during it
 * is not counted (a backend that lives for less than the window uses little).
 *
 * @example
 * const meter = new CpuMeter({ apiqPid, pgDataDir });
 * meter.start(); await load(); const { apiqMs, postgresMs } = meter.stop();
 */
export class CpuMeter {
  private before = new Map<number, number>();

  constructor(private readonly o: { apiqPid: number; pgDataDir: string }) {}

  start(): void {
    this.before = new Map();
    const { apiq, postgres } = instanceProcesses(this.o.apiqPid, this.o.pgDataDir);
    for (const pid of [...apiq, ...postgres]) this.before.set(pid, cpuMs(pid) ?? 0);
  }

  stop(): CpuUse {
    const { apiq, postgres } = instanceProcesses(this.o.apiqPid, this.o.pgDataDir);
    const used = (pids: Iterable<number>) => {
      let ms = 0;
      for (const pid of pids) {
        const now = cpuMs(pid);
        if (now !== undefined) ms += now - (this.before.get(pid) ?? 0);
      }
      return ms;
    };
    return { apiqMs: used(apiq), postgresMs: used(postgres) };
  }
}
