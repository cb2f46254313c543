import { discoverNodes, findProjectRoot } from '@apiq/catalog';
import type { NodeCatalog } from '@apiq/sdk';

let catalog: Promise<NodeCatalog> | undefined;

/** The real installed catalog (core nodes and connectors), loaded once per test file. */
export function installedCatalog(): Promise<NodeCatalog> {
  catalog ??= discoverNodes(findProjectRoot());
  return catalog;
}
