/**
 * Saves `text` as a file through the browser's download (no server round trip).
 *
 * @example
 * downloadFile('orders.apiq.json', JSON.stringify(bundle, null, 2));
 */
export function downloadFile(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A file name from a display name: "Orders → Slack!" becomes "orders-slack".
 *
 * @example
 * `${fileSlug(workflow.name)}.apiq.json`
 */
export function fileSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'workflow';
}
