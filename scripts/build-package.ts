// Builds the publishable copy of a workspace package: the repository runs packages from their
// TypeScript sources, but Node and test runners do not load `.ts` from node_modules, so what goes
// to the npm registry is compiled ESM with declarations, in `<package>/dist/`.
//
//   tsx scripts/build-package.ts packages/http packages/sdk          # → packages/*/dist
//   tsx scripts/build-package.ts packages/sdk --out-dir /tmp/built   # → /tmp/built/sdk
//   npm publish packages/sdk/dist
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface PackageJson {
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  keywords?: string[];
  repository?: string | { type?: string; url: string; directory?: string };
  homepage?: string;
  engines?: Record<string, string>;
  workspaces?: string[];
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Where a workspace export (`./src/foo.ts`) lands in the published package. */
interface CompiledExport {
  subpath: string;
  source: string;
  js: string;
  dts: string;
}

/** A build that cannot be done, with what to do about it. */
export class BuildError extends Error {}

async function readJson(file: string): Promise<PackageJson> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PackageJson;
  } catch (err) {
    throw new BuildError(`cannot read ${relative(REPO, file)}: ${(err as Error).message}`);
  }
}

/**
 * Maps the workspace `exports` (TypeScript sources under `src/`) to the compiled files.
 *
 * @example
 * compiledExports('@apiq/sdk', { '.': './src/index.ts', './testing': './src/testing.ts' });
 * // [{ subpath: '.', source: 'src/index.ts', js: './index.js', dts: './index.d.ts' }, …]
 */
export function compiledExports(name: string, exports: PackageJson['exports']): CompiledExport[] {
  if (!exports || typeof exports !== 'object' || Object.keys(exports).length === 0) {
    throw new BuildError(
      `${name}: package.json has no "exports" map; list the entry points, e.g. { ".": "./src/index.ts" }`,
    );
  }
  return Object.entries(exports).map(([subpath, target]) => {
    const match = typeof target === 'string' ? /^\.\/src\/(.+)\.ts$/.exec(target) : null;
    if (!match) {
      throw new BuildError(
        `${name}: export "${subpath}" must point at a TypeScript source under src/ (e.g. "./src/index.ts"), not ${JSON.stringify(target)}`,
      );
    }
    return { subpath, source: `src/${match[1]}.ts`, js: `./${match[1]}.js`, dts: `./${match[1]}.d.ts` };
  });
}

/** Versions of the workspace packages by name, to turn `"@apiq/http": "*"` into `^0.1.0`. */
async function workspaceVersions(root: PackageJson): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  for (const pattern of root.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? (await readdir(join(REPO, pattern.slice(0, -2)), { withFileTypes: true }))
          .filter((d) => d.isDirectory())
          .map((d) => join(REPO, pattern.slice(0, -2), d.name))
      : [join(REPO, pattern)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const pkg = await readJson(join(dir, 'package.json'));
      if (pkg.name && pkg.version) versions.set(pkg.name, pkg.version);
    }
  }
  return versions;
}

/** Rewrites `./foo.ts` to `./foo.js` in declaration files, which `rewriteRelativeImportExtensions` leaves alone. */
const rewriteDeclarationSpecifiers: ts.TransformerFactory<ts.SourceFile | ts.Bundle> = (context) => {
  const f = context.factory;
  const rewrite = (spec: ts.Expression | undefined) =>
    spec && ts.isStringLiteral(spec) && /^\.\.?\//.test(spec.text) && /(?<!\.d)\.ts$/.test(spec.text)
      ? f.createStringLiteral(spec.text.replace(/\.ts$/, '.js'))
      : undefined;
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isImportDeclaration(node)) {
      const spec = rewrite(node.moduleSpecifier);
      if (spec) return f.updateImportDeclaration(node, node.modifiers, node.importClause, spec, node.attributes);
    } else if (ts.isExportDeclaration(node)) {
      const spec = rewrite(node.moduleSpecifier);
      if (spec)
        return f.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          spec,
          node.attributes,
        );
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = rewrite(node.argument.literal as ts.Expression);
      if (spec) {
        const argument = f.updateLiteralTypeNode(node.argument, spec);
        const typeArguments = node.typeArguments?.map((t) => ts.visitNode(t, visit) as ts.TypeNode);
        return f.updateImportTypeNode(node, argument, node.attributes, node.qualifier, typeArguments, node.isTypeOf);
      }
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (file) => ts.visitNode(file, visit) as ts.SourceFile | ts.Bundle;
};

/** Compiles the entry points (and what they import) from `<dir>/src` into `outDir`; throws with tsc's messages. */
function compile(name: string, dir: string, entries: string[], outDir: string): void {
  const base = ts.readConfigFile(join(REPO, 'tsconfig.base.json'), (file) => ts.sys.readFile(file));
  if (base.error) throw new BuildError(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, REPO);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    rewriteRelativeImportExtensions: true,
    rootDir: join(dir, 'src'),
    outDir,
    sourceMap: false,
    declarationMap: false,
    incremental: false,
  };
  const host = ts.createCompilerHost(options);
  const program = ts.createProgram({
    rootNames: entries.map((e) => join(dir, e)),
    options,
    host,
  });
  const emitted = program.emit(undefined, undefined, undefined, undefined, {
    afterDeclarations: [rewriteDeclarationSpecifiers],
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => REPO,
      getNewLine: () => '\n',
    });
    throw new BuildError(`${name}: TypeScript reported ${errors.length} error(s); fix them and build again:\n${text}`);
  }
  const tests = program
    .getSourceFiles()
    .filter((s) => s.fileName.startsWith(dir + sep) && /\.test\.ts$/.test(s.fileName));
  if (tests.length > 0) {
    throw new BuildError(
      `${name}: an entry point imports a test file (${relative(REPO, tests[0]!.fileName)}); it must not be published`,
    );
  }
}

/** The package.json of the published copy: compiled exports, real version ranges, public. */
function publishedPackageJson(
  pkg: PackageJson,
  root: PackageJson,
  dir: string,
  exportsMap: CompiledExport[],
  versions: Map<string, string>,
): Record<string, unknown> {
  const name = pkg.name!;
  const dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies ?? {}).map(([dep, range]) => {
      const version = versions.get(dep);
      return [dep, version && (range === '*' || range.startsWith('workspace:')) ? `^${version}` : range];
    }),
  );
  const repository =
    typeof root.repository === 'string'
      ? { type: 'git', url: root.repository, directory: relative(REPO, dir).split(sep).join('/') }
      : root.repository
        ? { ...root.repository, directory: relative(REPO, dir).split(sep).join('/') }
        : undefined;
  return {
    name,
    version: pkg.version,
    description: pkg.description,
    keywords: pkg.keywords,
    license: pkg.license ?? root.license,
    ...(repository ? { repository } : {}),
    ...(root.homepage ? { homepage: root.homepage } : {}),
    type: 'module',
    engines: root.engines,
    exports: {
      ...Object.fromEntries(exportsMap.map((e) => [e.subpath, { types: e.dts, default: e.js }])),
      './package.json': './package.json',
    },
    types: exportsMap.find((e) => e.subpath === '.')?.dts,
    files: ['**/*.js', '**/*.d.ts', 'README.md', 'LICENSE'],
    dependencies,
    ...(pkg.peerDependencies ? { peerDependencies: pkg.peerDependencies } : {}),
    ...(pkg.peerDependenciesMeta ? { peerDependenciesMeta: pkg.peerDependenciesMeta } : {}),
    publishConfig: { access: 'public' },
  };
}

/** Moves a finished build into place; across file systems by copying. */
async function replaceDir(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}

/**
 * Builds the publishable copy of the workspace package in `dir` into `outDir` (default
 * `<dir>/dist`): compiled `.js` and `.d.ts` for every export and what it imports (tests left out),
 * a package.json pointing at them and the README. Nothing is written when compilation fails.
 *
 * @example
 * await buildPackage('packages/sdk'); // → packages/sdk/dist, publish with `npm publish packages/sdk/dist`
 */
export async function buildPackage(dir: string, outDir = join(dir, 'dist')): Promise<{ name: string; outDir: string }> {
  const pkgDir = resolve(dir);
  const out = resolve(outDir);
  const pkg = await readJson(join(pkgDir, 'package.json'));
  if (!pkg.name || !pkg.version)
    throw new BuildError(`${relative(REPO, pkgDir)}/package.json needs a name and a version`);
  const root = await readJson(join(REPO, 'package.json'));
  const exportsMap = compiledExports(pkg.name, pkg.exports);
  const staging = await mkdtemp(join(tmpdir(), 'apiq-build-'));
  try {
    compile(
      pkg.name,
      pkgDir,
      exportsMap.map((e) => e.source),
      staging,
    );
    for (const e of exportsMap) {
      if (!existsSync(join(staging, e.js)) || !existsSync(join(staging, e.dts))) {
        throw new BuildError(`${pkg.name}: export "${e.subpath}" compiled to no ${e.js} / ${e.dts}`);
      }
    }
    const manifest = publishedPackageJson(pkg, root, pkgDir, exportsMap, await workspaceVersions(root));
    await writeFile(join(staging, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    if (existsSync(join(pkgDir, 'README.md'))) await cp(join(pkgDir, 'README.md'), join(staging, 'README.md'));
    if (existsSync(join(REPO, 'LICENSE'))) await cp(join(REPO, 'LICENSE'), join(staging, 'LICENSE'));
    await replaceDir(staging, out);
    return { name: pkg.name, outDir: out };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const dirs: string[] = [];
  let outRoot: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out-dir') {
      outRoot = argv[++i];
      if (!outRoot) throw new BuildError('--out-dir needs a directory, e.g. --out-dir /tmp/apiq-packages');
    } else dirs.push(argv[i]!);
  }
  if (dirs.length === 0) {
    throw new BuildError('usage: tsx scripts/build-package.ts <package-dir>... [--out-dir <dir>] (e.g. packages/sdk)');
  }
  for (const dir of dirs) {
    const target = outRoot ? join(outRoot, basename(resolve(dir))) : undefined;
    const built = await buildPackage(dir, target);
    process.stdout.write(`built ${built.name} → ${relative(process.cwd(), built.outDir) || '.'}\n`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `build-package: ${err instanceof BuildError ? err.message : String((err as Error).stack ?? err)}\n`,
      );
      process.exit(1);
    },
  );
}
