/** Credential kinds every HTTP-style node accepts: they belong to no one connector. */
export const GENERIC_KINDS = new Set([
  'api_key_header',
  'api_key_query',
  'http_bearer',
  'http_basic',
  'oauth2_authorization_code',
  'oauth2_client_credentials',
]);

/**
 * The connector icon of each credential kind: the icon of a node type that uses the kind (generic
 * kinds have none; the page shows a neutral icon for them).
 *
 * @example
 * kindIcons([{ icon: '<svg…>', credentials: [{ kind: 'github' }] }]).get('github'); // '<svg…>'
 */
export function kindIcons(nodes: { icon?: string | null; credentials: { kind: string }[] }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of nodes) {
    if (!node.icon) continue;
    for (const { kind } of node.credentials) if (!GENERIC_KINDS.has(kind) && !out.has(kind)) out.set(kind, node.icon);
  }
  return out;
}
