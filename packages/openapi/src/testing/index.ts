export { startMockServer, type MockServer, type MockRequest } from './mock-server.ts';
