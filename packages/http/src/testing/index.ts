export { startLocalServer } from './local-server.ts';
export type { LocalServer, LocalHandler, RecordedRequest } from './local-server.ts';
export { watchOutboundSockets } from './outbound-sockets.ts';
export type { OutboundSockets } from './outbound-sockets.ts';
