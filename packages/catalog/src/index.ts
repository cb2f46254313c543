export { discoverNodes } from './discover.ts';
export type { DiscoveredCatalog, CatalogProblem } from './discover.ts';
export { findProjectRoot } from './root.ts';
