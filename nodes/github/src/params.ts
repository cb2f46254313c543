import { z } from '@apiq/sdk';

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** `owner/name`, e.g. `octocat/hello-world`. */
export const repositoryParam = z
  .string({ error: 'repository is required: "owner/name", e.g. "octocat/hello-world"' })
  .trim()
  .regex(REPOSITORY, 'repository must be "owner/name", e.g. "octocat/hello-world" (no URL, no .git)')
  .describe('Repository as owner/name, e.g. "octocat/hello-world"');

/** The API path of a repository, with each part URL-encoded. */
export function repoPath(repository: string): string {
  const [owner, name] = repository.split('/') as [string, string];
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

export const limitParam = (fallback: number) =>
  z
    .number({ error: 'limit must be a number of items' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(1000, 'limit must be at most 1000; use cursor to read further')
    .default(fallback)
    .describe('Most items to return (pages are followed up to this many)');

export const cursorParam = z
  .string()
  .optional()
  .describe('Continue a previous list: its nextCursor output. Empty: start at the beginning');

/** The webhook URL path a GitHub trigger listens on, below `/webhook/`. */
export const webhookPathParam = (fallback: string) =>
  z
    .string({ error: `path must be the webhook URL path, e.g. "${fallback}"` })
    .min(1, `path must not be empty, e.g. "${fallback}"`)
    .max(200, 'path is too long (max 200 characters)')
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])*$/,
      `path must use letters, digits and / _ . - with no leading slash, empty or "." segments, e.g. "${fallback}"`,
    )
    .default(fallback)
    .describe(`The webhook URL path: deliveries go to <APIQ URL>/webhook/<path>. Default "${fallback}"`);
