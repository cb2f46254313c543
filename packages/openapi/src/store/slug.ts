/**
 * A URL- and CLI-friendly name: lower case, words joined by dashes.
 *
 * @example
 * slugify('Swagger Petstore - OpenAPI 3.0'); // → 'swagger-petstore-openapi-3-0'
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'api';
}

/**
 * Words of an operation id and its tags, for search: `issues/create` → `issues create`,
 * `getPetById` → `get pet by id`.
 *
 * @example
 * searchKeywords('getPetById', ['pet']); // → 'get pet by id pet'
 */
export function searchKeywords(operationId: string, tags: string[]): string {
  const words = (text: string) =>
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .replace(/[^A-Za-z0-9]+/g, ' ')
      .trim()
      .toLowerCase();
  return [words(operationId), ...tags.map(words)].filter(Boolean).join(' ');
}
