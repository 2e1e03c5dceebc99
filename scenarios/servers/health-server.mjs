#!/usr/bin/env node
// A stand-in for a service on the harness's host, for scenarios whose steady state is an `http` check (see
// ../http-health.yaml): GET /healthz answers 200 while the process runs, and nothing answers once it is killed.
//
//   node scenarios/servers/health-server.mjs --port 18475     (or PORT=18475)
//
// Prints `listening on <port>` once it accepts connections, so a log-line readiness probe works as well as an
// http one. No dependencies, so it runs from a bare checkout.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true });
const portText = values.port ?? process.env.PORT;
const port = Number(portText);
if (portText === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: health-server.mjs --port PORT (or the PORT environment variable), 1-65535\n');
  process.exit(2);
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'GET' && path === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

// Loopback only: the scenario checks it from the same host, and nothing else should reach a test server.
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
server.on('error', (error) => {
  process.stderr.write(`health-server: ${error.message}\n`);
  process.exit(1);
});

// Keep-alive connections would hold close() open; a stopping test server owes its clients nothing.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
