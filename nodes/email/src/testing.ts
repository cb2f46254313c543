// For tests of workflows using this connector: the local server that stands in for its API.
export * from './smtp-test-server.ts';
