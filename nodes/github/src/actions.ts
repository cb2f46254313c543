import { defineNode, z } from '@apiq/sdk';
import { githubIcon } from './icon.ts';
import { listGitHub } from './list.ts';
import { cursorParam, limitParam, repoPath, repositoryParam } from './params.ts';
import { callGitHub } from './request.ts';

const credentials = [{ kind: 'github', required: true, description: 'A token that can access the repository' }];

/** Opens an issue in a GitHub repository. */
export const createIssue = defineNode({
  id: 'github.create_issue',
  title: 'Create issue (GitHub)',
  description:
    'Opens a new issue in a GitHub repository with a title, body, labels and assignees; returns the issue with its number and URL.',
  keywords: ['github', 'issue', 'create', 'open', 'bug', 'ticket', 'report', 'task', 'repository', 'git'],
  category: 'app',
  icon: githubIcon,
  credentials,
  params: z.strictObject({
    repository: repositoryParam,
    title: z
      .string({ error: 'title is required, e.g. "Checkout fails for EU cards"' })
      .min(1, 'title is required, e.g. "Checkout fails for EU cards"')
      .max(256, 'title is too long (GitHub allows 256 characters)')
      .describe('Issue title'),
    body: z.string().optional().describe('Issue text (Markdown)'),
    labels: z.array(z.string().min(1)).optional().describe('Label names, e.g. ["bug"]'),
    assignees: z.array(z.string().min(1)).optional().describe('GitHub logins to assign'),
    milestone: z.number().int().positive().optional().describe('Milestone number'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const { repository, ...fields } = ctx.params;
    const res = await callGitHub(ctx, { method: 'POST', path: `${repoPath(repository)}/issues`, body: fields });
    return { output: res.body };
  },
});

/** Adds a comment to an issue or pull request. */
export const createComment = defineNode({
  id: 'github.create_comment',
  title: 'Comment on issue or pull request (GitHub)',
  description:
    'Adds a comment to a GitHub issue or pull request (they share numbers); returns the comment with its id and URL.',
  keywords: ['github', 'comment', 'reply', 'issue', 'pull request', 'pr', 'discussion', 'note', 'post'],
  category: 'app',
  icon: githubIcon,
  credentials,
  params: z.strictObject({
    repository: repositoryParam,
    issueNumber: z
      .number({ error: 'issueNumber must be the issue or pull request number, e.g. 42' })
      .int('issueNumber must be a whole number')
      .positive('issueNumber must be positive')
      .describe('Issue or pull request number'),
    body: z
      .string({ error: 'body is required: the comment text (Markdown)' })
      .min(1, 'body is required: the comment text (Markdown)')
      .describe('Comment text (Markdown)'),
  }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const { repository, issueNumber, body } = ctx.params;
    const res = await callGitHub(ctx, {
      method: 'POST',
      path: `${repoPath(repository)}/issues/${issueNumber}/comments`,
      body: { body },
    });
    return { output: res.body };
  },
});

/** Lists a repository's pull requests. */
export const listPullRequests = defineNode({
  id: 'github.list_pull_requests',
  title: 'List pull requests (GitHub)',
  description:
    'Lists pull requests of a GitHub repository (open, closed or all; filtered by base or head branch), following pages up to a limit.',
  keywords: ['github', 'pull request', 'pull requests', 'pr', 'prs', 'list', 'merge request', 'review', 'open'],
  category: 'app',
  icon: githubIcon,
  credentials,
  params: z.strictObject({
    repository: repositoryParam,
    state: z.enum(['open', 'closed', 'all']).default('open').describe('Which pull requests'),
    base: z.string().min(1).optional().describe('Only those merging into this branch, e.g. "main"'),
    head: z.string().min(1).optional().describe('Only those from this branch, as "user:branch"'),
    sort: z.enum(['created', 'updated', 'popularity', 'long-running']).default('created'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    limit: limitParam(30),
    cursor: cursorParam,
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const { repository, limit, cursor, ...filters } = ctx.params;
    const page = await listGitHub(ctx, `${repoPath(repository)}/pulls`, filters, limit, cursor);
    return { output: { ...page } };
  },
});

/** Reads a repository's details. */
export const getRepository = defineNode({
  id: 'github.get_repository',
  title: 'Get repository (GitHub)',
  description:
    'Reads a GitHub repository: description, default branch, visibility, stars, forks, open issues count, topics and URLs.',
  keywords: ['github', 'repository', 'repo', 'get', 'details', 'info', 'stars', 'default branch', 'metadata'],
  category: 'app',
  icon: githubIcon,
  credentials,
  params: z.strictObject({ repository: repositoryParam }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const res = await callGitHub(ctx, { method: 'GET', path: repoPath(ctx.params.repository) });
    return { output: res.body };
  },
});
