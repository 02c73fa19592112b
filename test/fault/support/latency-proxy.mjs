// A TCP proxy that holds every chunk back for a configurable time, run as its own process so
// that the test's load (thousands of requests from the Jest process) cannot slow it down: what
// the gateway sees is the latency asked for, not the test's event-loop lag.
// Usage: node latency-proxy.mjs <target host> <target port>; prints {"port":N} once listening;
// IPC messages {"latencyMs":N} change the latency (acknowledged with {"latencyMs":N}).
import { createConnection, createServer } from 'node:net';

const [host, port] = process.argv.slice(2);
let latencyMs = 0;

const server = createServer((client) => {
  const upstream = createConnection({ host, port: Number(port) });
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) s.on('error', drop).on('close', drop);
  // Order is kept: every chunk waits the same time, in sequence.
  const forward = (from, to) =>
    from.on('data', (chunk) => {
      if (latencyMs === 0) to.write(chunk);
      else setTimeout(() => to.write(chunk), latencyMs);
    });
  forward(client, upstream);
  forward(upstream, client);
});

process.on('message', (m) => {
  if (typeof m?.latencyMs === 'number') latencyMs = m.latencyMs;
  process.send?.({ latencyMs });
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
