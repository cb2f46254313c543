import type { NodeDefinition } from './types.ts';
import type { CredentialKindDefinition } from './credentials.ts';
import { genericCredentialKinds } from './generic-credential-kinds.ts';

/** Where a node definition was loaded from, so a worker thread can load it again. */
export interface NodeSource {
  packageName: string;
  /** Absolute path or file URL of the module exporting the definition. */
  module: string;
  exportName: string;
}

export interface CatalogEntry {
  def: NodeDefinition;
  source?: NodeSource;
}

/** Read access to the installed node types. */
export interface NodeCatalog {
  get(type: string, version: number): NodeDefinition | undefined;
  entry(type: string, version: number): CatalogEntry | undefined;
  /** Installed major versions of a type, ascending. */
  versions(type: string): number[];
  list(): CatalogEntry[];
  /** A credential kind by id (generic kinds such as `http_bearer` are always present). */
  credentialKind(id: string): CredentialKindDefinition | undefined;
  credentialKinds(): CredentialKindDefinition[];
}

/** A catalog over a fixed list of definitions (tests, embedded use). */
export function createStaticCatalog(
  entries: Array<NodeDefinition | CatalogEntry>,
  credentialKinds: CredentialKindDefinition[] = [],
): NodeCatalog {
  const kinds = new Map<string, CredentialKindDefinition>();
  for (const k of [...genericCredentialKinds, ...credentialKinds]) kinds.set(k.id, k);
  const byKey = new Map<string, CatalogEntry>();
  for (const e of entries) {
    const entry: CatalogEntry = 'def' in e ? e : { def: e };
    byKey.set(`${entry.def.id}@${entry.def.version}`, entry);
  }
  const all = [...byKey.values()];
  return {
    get: (type, version) => byKey.get(`${type}@${version}`)?.def,
    entry: (type, version) => byKey.get(`${type}@${version}`),
    versions: (type) =>
      all
        .filter((e) => e.def.id === type)
        .map((e) => e.def.version)
        .sort((a, b) => a - b),
    list: () => all,
    credentialKind: (id) => kinds.get(id),
    credentialKinds: () => [...kinds.values()],
  };
}
