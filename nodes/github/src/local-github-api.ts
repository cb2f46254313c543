import type { ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer, type RecordedRequest } from '@apiq/http/testing';

/**
 * For tests: a real HTTP server on 127.0.0.1 that speaks the part of the GitHub REST API the
 * connector uses (repositories, issues, comments, pull requests), with bearer-token auth, GitHub's
 * error bodies, `per_page`/`page` pagination and `Link` headers.
 */
export interface LocalGitHubApi {
  origin: string;
  requests: RecordedRequest[];
  repos: Map<string, LocalRepo>;
  /** Answers the next request with this status, body and headers instead. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  addIssue(repository: string, fields: { title: string; createdAt?: string; pullRequest?: boolean }): Issue;
  close(): Promise<void>;
}

export interface LocalRepo {
  id: number;
  full_name: string;
  issues: Issue[];
  comments: Array<Record<string, unknown>>;
}

type Issue = Record<string, unknown> & { id: number; number: number; created_at: string };

const user = { login: 'octocat', id: 1, type: 'User', html_url: 'https://github.com/octocat' };

export async function startLocalGitHubApi(o: { token: string; repositories: string[] }): Promise<LocalGitHubApi> {
  const repos = new Map<string, LocalRepo>();
  o.repositories.forEach((name, i) => repos.set(name, { id: 1000 + i, full_name: name, issues: [], comments: [] }));
  let failure: { status: number; body: unknown; headers: Record<string, string> } | undefined;
  let ids = 5000;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let origin = '';

  const addIssue: LocalGitHubApi['addIssue'] = (repository, fields) => {
    const repo = repos.get(repository)!;
    const number = repo.issues.length + 1;
    clock += 60_000;
    const created = fields.createdAt ?? new Date(clock).toISOString();
    const html = `https://github.com/${repository}/${fields.pullRequest ? 'pull' : 'issues'}/${number}`;
    const issue: Issue = {
      id: ++ids,
      node_id: `I_${ids}`,
      url: `${origin}/repos/${repository}/issues/${number}`,
      html_url: html,
      number,
      state: 'open',
      title: fields.title,
      body: null,
      user,
      labels: [],
      assignees: [],
      comments: 0,
      created_at: created,
      updated_at: created,
      closed_at: null,
      ...(fields.pullRequest
        ? {
            pull_request: { url: `${origin}/repos/${repository}/pulls/${number}`, html_url: html },
            head: { ref: `feature-${number}`, label: `octocat:feature-${number}` },
            base: { ref: 'main', label: 'octocat:main' },
            draft: false,
            merged_at: null,
          }
        : {}),
    };
    repo.issues.push(issue);
    return issue;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const server: LocalServer = await startLocalServer((req, res) => {
    if (failure) {
      const f = failure;
      failure = undefined;
      return send(res, f.status, f.body, f.headers);
    }
    if (req.headers.authorization !== `Bearer ${o.token}`)
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    const url = new URL(req.url, 'http://localhost');
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const repo = m ? repos.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`) : undefined;
    if (!m || !repo)
      return send(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    const rest = m[3] ?? '';
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    if (req.method === 'GET' && rest === '')
      return send(res, 200, {
        id: repo.id,
        node_id: `R_${repo.id}`,
        name: repo.full_name.split('/')[1],
        full_name: repo.full_name,
        private: false,
        owner: user,
        html_url: `https://github.com/${repo.full_name}`,
        description: 'My first repository on GitHub!',
        default_branch: 'main',
        stargazers_count: 80,
        forks_count: 9,
        open_issues_count: repo.issues.filter((i) => i.state === 'open').length,
        topics: ['octocat'],
        visibility: 'public',
      });
    if (req.method === 'POST' && rest === '/issues') {
      if (typeof body.title !== 'string' || body.title === '')
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
          documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
          status: '422',
        });
      const issue = addIssue(repo.full_name, { title: body.title });
      Object.assign(issue, {
        body: body.body ?? null,
        labels: ((body.labels as string[] | undefined) ?? []).map((name, i) => ({ id: i + 1, name, color: 'd73a4a' })),
        assignees: ((body.assignees as string[] | undefined) ?? []).map((login) => ({ login })),
      });
      return send(res, 201, issue, { location: String(issue.url) });
    }
    const comment = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (req.method === 'POST' && comment) {
      const issue = repo.issues.find((i) => i.number === Number(comment[1]));
      if (!issue) return send(res, 404, { message: 'Not Found', status: '404' });
      const created = {
        id: ++ids,
        node_id: `IC_${ids}`,
        html_url: `${String(issue.html_url)}#issuecomment-${ids}`,
        issue_url: issue.url,
        body: body.body,
        user,
        created_at: new Date(clock).toISOString(),
        updated_at: new Date(clock).toISOString(),
      };
      repo.comments.push(created);
      issue.comments = Number(issue.comments) + 1;
      return send(res, 201, created);
    }
    if (req.method === 'GET' && (rest === '/pulls' || rest === '/issues')) {
      const q = url.searchParams;
      const state = q.get('state') ?? 'open';
      let list = repo.issues.filter(
        (i) => (rest === '/issues' || i.pull_request) && (state === 'all' || i.state === state),
      );
      if (q.get('base')) list = list.filter((i) => (i.base as { ref: string } | undefined)?.ref === q.get('base'));
      list = [...list].sort((a, b) => a.created_at.localeCompare(b.created_at));
      if ((q.get('direction') ?? 'desc') === 'desc') list.reverse();
      const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
      const page = Number(q.get('page') ?? 1);
      const last = Math.max(1, Math.ceil(list.length / perPage));
      const links: string[] = [];
      const link = (p: number, rel: string) => {
        const u = new URL(`${origin}${url.pathname}`);
        q.forEach((v, k) => u.searchParams.set(k, v));
        u.searchParams.set('page', String(p));
        links.push(`<${u.href}>; rel="${rel}"`);
      };
      if (page < last) link(page + 1, 'next');
      if (page < last) link(last, 'last');
      if (page > 1) link(page - 1, 'prev');
      const items =
        rest === '/pulls'
          ? list.map((i) => ({ ...i, url: `${origin}/repos/${repo.full_name}/pulls/${i.number}` }))
          : list;
      return send(
        res,
        200,
        items.slice((page - 1) * perPage, page * perPage),
        links.length ? { link: links.join(', ') } : {},
      );
    }
    return send(res, 404, { message: 'Not Found', status: '404' });
  });
  origin = server.origin;
  return {
    origin,
    requests: server.requests,
    repos,
    failNext: (status, body, headers = {}) => void (failure = { status, body, headers }),
    addIssue,
    close: () => server.close(),
  };
}
