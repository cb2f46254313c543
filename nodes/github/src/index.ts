export { githubCredential } from './credential.ts';
export { createIssue, createComment, listPullRequests, getRepository } from './actions.ts';
export { githubApiCall } from './api-call.ts';
export { githubOnEvent, githubIssueOpened, githubPullRequestOpened } from './event-triggers.ts';
export { githubNewItemsPolling } from './poll-trigger.ts';
export { verifyGitHubSignature, signGitHubBody } from './webhook-signature.ts';
