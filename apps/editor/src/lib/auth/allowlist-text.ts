/**
 * The entries of the allow-list text box: one address or CIDR range per line (commas work too),
 * blank lines and `# comments` ignored, duplicates dropped.
 *
 * @example
 * allowlistEntries('203.0.113.0/24\n\n# office\n2001:db8::/32') // ['203.0.113.0/24', '2001:db8::/32']
 */
export function allowlistEntries(text: string): string[] {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  return [...new Set(entries)];
}
