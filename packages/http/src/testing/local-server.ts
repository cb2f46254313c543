import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface LocalServer {
  /** e.g. `http://127.0.0.1:40123` or `http://[::1]:40123` (no trailing slash). */
  origin: string;
  port: number;
  /** Every request received, in order, with its body. */
  requests: RecordedRequest[];
  /** TCP connections accepted (a keep-alive client reuses one). */
  connections: number;
  close(): Promise<void>;
}

export type LocalHandler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

/**
 * Starts a real HTTP server on a loopback address and an ephemeral port, recording what it
 * receives. For tests only: it stands in for an external API.
 *
 * @example
 * const server = await startLocalServer((req, res) => res.end('ok'));
 * await fetch(`${server.origin}/hello`);
 * server.requests[0].url; // → '/hello'
 * await server.close();
 */
export async function startLocalServer(handler: LocalHandler, host = '127.0.0.1'): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      new Promise<void>((resolve) => resolve(handler(recorded, res))).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  const state = { connections: 0 };
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
