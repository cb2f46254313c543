// The local upstream of the W3 benchmark: answers every request with {"ok":true}. It runs in its
// own process so that serving it does not share the benchmark's event loop. Reports its port
// over IPC; exits when its parent goes away.
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true }));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
