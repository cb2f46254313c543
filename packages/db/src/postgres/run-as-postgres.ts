import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/** uid/gid to run PostgreSQL binaries with; empty when not root (they run as the current user). */
export interface PostgresIdentity {
  uid?: number;
  gid?: number;
}

let cached: PostgresIdentity | undefined;

/**
 * PostgreSQL refuses to run as root. As root, its binaries run as the `postgres` system
 * user, which is created when missing (the usual case in minimal containers).
 *
 * @example
 * spawn(initdb, args, { ...postgresIdentity() });
 */
export function postgresIdentity(): PostgresIdentity {
  if (cached) return cached;
  if (userInfo().uid !== 0) return (cached = {});
  let ids = lookupUser('postgres');
  if (!ids) {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
    } catch {
      // the group may exist without the user
    }
    try {
      execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(
        `PostgreSQL cannot run as root and the 'postgres' system user could not be created (${(error as Error).message}). ` +
          'Create it (useradd --system postgres) or run APIQ as a non-root user.',
      );
    }
    ids = lookupUser('postgres');
    if (!ids) throw new Error("The 'postgres' system user was created but cannot be looked up with `id postgres`.");
  }
  return (cached = ids);
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number.parseInt(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }), 10);
    const gid = Number.parseInt(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }), 10);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
