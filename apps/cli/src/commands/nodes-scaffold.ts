import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The names a new node package is built from, all derived from one kebab-case name. */
export interface ScaffoldNames {
  /** `acme-tickets` */
  name: string;
  /** `apiq-node-acme-tickets` */
  packageName: string;
  /** `acme_tickets`: the node id namespace and the credential kind id */
  namespace: string;
  /** `Acme Tickets` */
  title: string;
  /** `acmeTickets` */
  camel: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Derives the names of a scaffold from `acme-tickets` (or `apiq-node-acme-tickets`); returns a
 * message instead when the name cannot be used.
 *
 * @example
 * scaffoldNames('acme-tickets'); // { packageName: 'apiq-node-acme-tickets', namespace: 'acme_tickets', ... }
 */
export function scaffoldNames(input: string): ScaffoldNames | string {
  const name = input.trim().replace(/^apiq-node-/, '');
  if (!NAME.test(name) || name.length > 40) {
    return `node package name ${JSON.stringify(input)} must be lower-case words joined by "-" (at most 40 characters), e.g. "acme-tickets"`;
  }
  const words = name.split('-');
  return {
    name,
    packageName: `apiq-node-${name}`,
    namespace: words.join('_'),
    title: words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
    camel: words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join(''),
  };
}

/**
 * The version range of `@apiq/sdk` a new package asks for: `^` the version of the SDK this APIQ
 * runs (the workspace package, or the published one when APIQ is installed from the registry).
 *
 * @example
 * sdkVersionRange(); // '^0.1.0'
 */
export function sdkVersionRange(): string {
  const entry = createRequire(import.meta.url).resolve('@apiq/sdk');
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@apiq/sdk' && pkg.version) return `^${pkg.version}`;
    } catch {
      // no package.json here: look one level up
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the package.json of @apiq/sdk above ${entry}`);
  }
}

/** The files of a new node package, by relative path. */
export function scaffoldFiles(n: ScaffoldNames, sdkRange = sdkVersionRange()): Record<string, string> {
  return {
    'package.json': packageJson(n, sdkRange),
    'tsconfig.json': tsconfig(),
    '.prettierrc.json': '{ "singleQuote": true, "printWidth": 120, "trailingComma": "all" }\n',
    'icon.svg': icon(),
    'src/index.ts': indexTs(n),
    'src/index.test.ts': indexTestTs(n),
    'README.md': readme(n),
  };
}

// The SDK is a peer: a plugin uses the definitions, schemas and errors of the APIQ that loads it.
// typescript and @types/node are for `npm run typecheck` (tsconfig.json has `types: ["node"]`).
function packageJson(n: ScaffoldNames, sdkRange: string): string {
  const pkg = {
    name: n.packageName,
    version: '0.1.0',
    description: `APIQ nodes for ${n.title}.`,
    type: 'module',
    license: 'MIT',
    keywords: ['apiq', 'apiq-node', n.name],
    exports: { '.': './src/index.ts' },
    files: ['src', '!src/**/*.test.ts', 'icon.svg', 'README.md'],
    apiq: { nodes: ['./src/index.ts'] },
    engines: { node: '>=20.19' },
    scripts: { test: 'vitest run', typecheck: 'tsc --noEmit' },
    peerDependencies: { '@apiq/sdk': sdkRange },
    devDependencies: { '@apiq/sdk': sdkRange, '@types/node': '^20.19.0', typescript: '^6.0.3', vitest: '^4.1.0' },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function tsconfig(): string {
  return `{
  "compilerOptions": {
    "target": "ES2023",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "allowImportingTsExtensions": true,
    "noEmit": true,
    "strict": true,
    "skipLibCheck": true,
    "verbatimModuleSyntax": true,
    "types": ["node"]
  },
  "include": ["src"]
}
`;
}

function icon(): string {
  return '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="3" y="3" width="18" height="18" rx="4"/><path d="M8 12h8M12 8v8"/></svg>\n';
}

function indexTs(n: ScaffoldNames): string {
  return `import { readFileSync } from 'node:fs';
import {
  applyCredentialAuth,
  credentialBaseUrl,
  defineCredentialKind,
  defineNode,
  errorForStatus,
  FatalError,
  RetryableError,
  z,
  type Json,
} from '@apiq/sdk';

const icon = readFileSync(new URL('../icon.svg', import.meta.url), 'utf8');

/** The API token of a ${n.title} account, sent as \`Authorization: Bearer <token>\`. */
export const ${n.camel}Token = defineCredentialKind({
  id: '${n.namespace}',
  title: '${n.title}',
  description: 'An API token of your ${n.title} account.',
  fields: z.object({
    apiToken: z.string().min(1, 'apiToken is required').describe('API token'),
    baseUrl: z.url().optional().describe('API base URL (optional)'),
  }),
  secret: ['apiToken'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {apiToken}' } },
  baseUrl: 'https://api.${n.name}.example',
  test: { method: 'GET', path: '/me' },
});

/** Gets one item by its id. */
export const getItem = defineNode({
  id: '${n.namespace}.get_item',
  version: 1,
  title: 'Get item (${n.title})',
  description: 'Gets one item from ${n.title} by its id and returns it as JSON.',
  keywords: ['${n.name.replace(/-/g, ' ')}', 'item', 'get', 'read', 'fetch'],
  category: 'app',
  icon,
  credentials: [{ kind: '${n.namespace}', required: true, description: '${n.title} API token' }],
  params: z.strictObject({
    itemId: z.string().min(1, 'itemId is required, e.g. "42"').describe('Item id'),
  }),
  idempotent: true,
  async run({ params, credentials, fetch, signal }) {
    const values = credentials.${n.namespace};
    if (!values) throw new FatalError('this step needs a ${n.title} credential: select one for this node');
    const base = credentialBaseUrl(${n.camel}Token, values)!;
    const url = new URL(\`items/\${encodeURIComponent(params.itemId)}\`, base.endsWith('/') ? base : \`\${base}/\`);
    const headers = new Headers({ accept: 'application/json' });
    applyCredentialAuth(${n.camel}Token, values, url, headers);
    const target = \`GET /items/\${params.itemId}\`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal });
    } catch (err) {
      // A refused address will be refused again; anything else may be a passing network problem.
      const message = \`${n.title} \${target}: \${(err as Error).message}\`;
      if ((err as { code?: string }).code === 'APIQ_SSRF_BLOCKED') throw new FatalError(message);
      throw new RetryableError(message);
    }
    if (!res.ok) {
      const text = (await res.text()).slice(0, 200);
      const message = \`${n.title} answered \${res.status} to \${target}: \${text}\`;
      throw errorForStatus(res.status, message, res.headers.get('retry-after'));
    }
    return { output: (await res.json()) as Json };
  },
});
`;
}

function indexTestTs(n: ScaffoldNames): string {
  return `import { rejectionOf, runNode, startTestApi, type TestApi } from '@apiq/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getItem } from './index.ts';

let api: TestApi;
beforeEach(async () => {
  // A local server standing in for the ${n.title} API: it records every request.
  api = await startTestApi({
    'GET /items/:id': (req) =>
      req.headers.authorization === 'Bearer test-token'
        ? { json: { id: req.params.id, title: 'Printer on fire' } }
        : { status: 401, json: { error: 'invalid token' } },
  });
});
afterEach(async () => {
  await api.close();
});

const credentials = (apiToken = 'test-token') => ({ ${n.namespace}: { apiToken, baseUrl: api.url } });

describe('${n.namespace}.get_item', () => {
  it('gets the item with the token and returns it', async () => {
    const { result } = await runNode(getItem, { params: { itemId: '42' }, credentials: credentials(), api });
    expect(result).toEqual({ output: { id: '42', title: 'Printer on fire' } });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/items/42' });
    expect(api.requests[0]!.headers.authorization).toBe('Bearer test-token');
  });

  it('fails without retrying when the token is refused', async () => {
    const err = await rejectionOf<{ kind: string; message: string }>(
      runNode(getItem, { params: { itemId: '42' }, credentials: credentials('wrong'), api }),
    );
    expect(err.kind).toBe('fatal');
    expect(err.message).toMatch(/answered 401 to GET \\/items\\/42/);
  });

  it('asks for an item id', async () => {
    await expect(runNode(getItem, { params: {}, credentials: credentials(), api })).rejects.toThrow(/itemId/);
  });
});
`;
}

function readme(n: ScaffoldNames): string {
  return `# ${n.packageName}

APIQ nodes for ${n.title}.

| node | what it does |
|---|---|
| \`${n.namespace}.get_item\` (v1) | Gets one item by its id and returns it as JSON |

Credential kind \`${n.namespace}\`: an API token (sent as \`Authorization: Bearer <token>\`) and an
optional base URL (default \`https://api.${n.name}.example\`).

## Develop

\`\`\`sh
npm install          # @apiq/sdk, vitest, typescript
npm test             # runs src/index.test.ts against a local stand-in for the API
npm run typecheck    # tsc --noEmit
\`\`\`

If \`npm install\` answers 404 for \`@apiq/sdk\`, the SDK is not on the npm registry yet: install
the SDK tarballs built from an APIQ checkout instead, as APIQ's node guide (docs/nodes.md) shows:
\`npm install --save-dev <apiq-http-*.tgz> <apiq-sdk-*.tgz>\`.

The package ships its TypeScript sources: APIQ loads them as they are, there is no build step.

The test starts a real HTTP server on 127.0.0.1 with \`startTestApi\` from \`@apiq/sdk/testing\`,
runs the node with \`runNode\` and checks both the request the server received and the output.

## Install into APIQ

\`\`\`sh
cd /path/to/apiq && npm install ${n.packageName}
\`\`\`

Restart APIQ: the node appears in the palette; \`apiq nodes list\` shows it (or why it did not load).

## Versions

A breaking change to the params or the output gets a new major node version: keep the
\`version: 1\` definition, add a \`version: 2\` one next to it, and publish a new major package
version. Workflows pinned to v1 keep running v1.
`;
}
