import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcessAlive } from './process-alive.ts';

const STALE_AFTER_MS = 5 * 60_000;

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL), so that several
 * processes never do the same one-time work at once. A lock left by a dead process, or
 * older than five minutes, is taken over.
 *
 * @example
 * await withFileLock('.apiq/pg.lock', () => startServer());
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await lockHolder(lockPath);
    if (holder.stale) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${lockPath} (held by pid ${holder.pid}). If no such process is running, delete the file.`,
      );
    }
    await delay(100);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function lockHolder(lockPath: string): Promise<{ pid: number; stale: boolean }> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number.parseInt(text, 10);
    // An empty file is a lock being written right now, unless it is old.
    if (!Number.isInteger(pid)) return { pid: -1, stale: Date.now() - info.mtimeMs > 10_000 };
    return { pid, stale: !isProcessAlive(pid) || Date.now() - info.mtimeMs > STALE_AFTER_MS };
  } catch {
    return { pid: -1, stale: false }; // just released; retry
  }
}
