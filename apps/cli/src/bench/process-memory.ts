import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Linux only: everything is read from /proc. A process that exits between two reads is skipped. */

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A process and all its descendants, found through `/proc/<pid>/task/<tid>/children`.
 *
 * @example
 * processTree(process.pid); // [process.pid, ...children, ...grandchildren]
 */
export function processTree(rootPid: number): number[] {
  const seen = new Set<number>();
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid) || readProc(`/proc/${pid}/status`) === undefined) continue;
    seen.add(pid);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const children = readProc(`/proc/${pid}/task/${tid}/children`) ?? '';
      for (const child of children.split(/\s+/)) if (child) queue.push(Number(child));
    }
  }
  return [...seen];
}

function kbField(text: string | undefined, field: string): number | undefined {
  const match = text?.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) : undefined;
}

/** Resident set size in kB (`VmRSS`), or undefined when the process is gone. */
export function rssKb(pid: number): number | undefined {
  return kbField(readProc(`/proc/${pid}/status`), 'VmRSS');
}

/**
 * Proportional set size in kB: pages shared by several processes are split between them, so
 * the sum over PostgreSQL's processes counts its shared buffers once. Falls back to VmRSS.
 */
export function pssKb(pid: number): number | undefined {
  return kbField(readProc(`/proc/${pid}/smaps_rollup`), 'Pss') ?? rssKb(pid);
}

/** The postmaster's pid from `<pgDataDir>/postmaster.pid`, or undefined when it does not run. */
export function postmasterPid(pgDataDir: string): number | undefined {
  const first = readProc(path.join(pgDataDir, 'postmaster.pid'))?.split('\n')[0];
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The processes of an APIQ instance: the supervisor's tree without PostgreSQL's, and the
 * postmaster's tree (empty when it does not run).
 *
 * @example
 * const { apiq, postgres } = instanceProcesses(supervisorPid, pgDataDir);
 */
export function instanceProcesses(apiqPid: number, pgDataDir: string): { apiq: number[]; postgres: number[] } {
  const pgRoot = postmasterPid(pgDataDir);
  const postgres = pgRoot === undefined ? [] : processTree(pgRoot);
  const inPostgres = new Set(postgres);
  return { apiq: processTree(apiqPid).filter((pid) => !inPostgres.has(pid)), postgres };
}

export interface MemoryPeaks {
  /** Sum of VmRSS over the APIQ supervisor and its child processes, in MB. */
  apiqMb: number;
  /** Sum of PSS over the PostgreSQL server's processes, in MB (0 when not found). */
  postgresMb: number;
}

/**
 * Samples the memory of APIQ (the supervisor's process tree, VmRSS) and of its PostgreSQL
 * (the postmaster's tree, PSS) every `intervalMs`, and keeps the peaks since the last `reset()`.
 *
 * @example
 * const sampler = new MemorySampler({ apiqPid: child.pid, pgDataDir });
 * sampler.start();
 * sampler.reset(); await load(); const { apiqMb } = sampler.peaks();
 * sampler.stop();
 */
export class MemorySampler {
  private timer?: NodeJS.Timeout;
  private peakApiqKb = 0;
  private peakPgKb = 0;

  constructor(private readonly o: { apiqPid: number; pgDataDir: string; intervalMs?: number }) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.o.intervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Starts a new window: peaks restart from the current sample. */
  reset(): void {
    this.peakApiqKb = 0;
    this.peakPgKb = 0;
    this.sample();
  }

  /** The peaks of the current window (with one more sample taken now). */
  peaks(): MemoryPeaks {
    this.sample();
    return { apiqMb: this.peakApiqKb / 1024, postgresMb: this.peakPgKb / 1024 };
  }

  private sample(): void {
    const pids = instanceProcesses(this.o.apiqPid, this.o.pgDataDir);
    let apiq = 0;
    for (const pid of pids.apiq) apiq += rssKb(pid) ?? 0;
    let pg = 0;
    for (const pid of pids.postgres) pg += pssKb(pid) ?? 0;
    this.peakApiqKb = Math.max(this.peakApiqKb, apiq);
    this.peakPgKb = Math.max(this.peakPgKb, pg);
  }
}
