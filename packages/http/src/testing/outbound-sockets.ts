import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface OutboundSockets {
  /** Client sockets created in this process since watching started. */
  readonly created: number;
  /** Every address a client socket tried to connect to (`connectionAttempt` events). */
  readonly attempts: ReadonlyArray<{ address: string; port: number }>;
  stop(): void;
}

/**
 * Watches every outbound TCP socket this process creates (through Node's `net.client.socket`
 * diagnostics channel), so a test can prove that a refused request never tried to connect.
 *
 * @example
 * const sockets = watchOutboundSockets();
 * await expect(fetch('http://169.254.169.254/')).rejects.toThrow(BlockedAddressError);
 * expect(sockets.created).toBe(0);
 * sockets.stop();
 */
export function watchOutboundSockets(): OutboundSockets {
  const attempts: Array<{ address: string; port: number }> = [];
  let created = 0;
  const onSocket = (message: unknown) => {
    created += 1;
    const socket = (message as { socket: Socket }).socket;
    socket.on('connectionAttempt', (address: string, port: number) => attempts.push({ address, port }));
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  return {
    get created() {
      return created;
    },
    attempts,
    stop: () => diagnostics.unsubscribe('net.client.socket', onSocket),
  };
}
