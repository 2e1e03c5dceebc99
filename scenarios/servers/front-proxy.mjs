#!/usr/bin/env node
// A stand-in for a Service in front of replicas, for the load examples (../load-backend-kill.yaml,
// ../fail-load-front-kill.yaml): it forwards each request to its backends in turn, and when a backend cannot be
// reached (refused, reset before an answer) it tries the next one, once each, as a client-side load balancer or a
// proxy with retries on idempotent requests does. One backend killed costs its clients nothing; the proxy killed
// costs every request until it is back.
//
//   node scenarios/servers/front-proxy.mjs --port 18480 --backend 18481 --backend 18482
//
// Prints `listening on <port>` once it accepts connections. No dependencies, so it runs from a bare checkout.
import { Agent, createServer, request as forward } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, backend: { type: 'string', multiple: true } }, strict: true });
const isPort = (text) => Number.isInteger(Number(text)) && Number(text) >= 1 && Number(text) <= 65535;
const backends = values.backend ?? [];
if (!isPort(values.port) || backends.length === 0 || !backends.every(isPort)) {
  process.stderr.write('usage: front-proxy.mjs --port PORT --backend PORT [--backend PORT ...], ports 1-65535\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let next = 0;

/** Sends the request to backends in turn from `first`, moving on when one cannot be reached; 502 when none can. */
function send(request, body, response, first, tried) {
  if (tried === backends.length) {
    response.writeHead(502, { 'content-type': 'text/plain' }).end('no backend answered\n');
    return;
  }
  const port = Number(backends[(first + tried) % backends.length]);
  const upstream = forward({ host: '127.0.0.1', port, method: request.method, path: request.url, headers: request.headers, agent }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', () => {
    if (!response.headersSent) send(request, body, response, first, tried + 1);
    else response.destroy();
  });
  upstream.end(body);
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    next = (next + 1) % backends.length;
    send(request, Buffer.concat(chunks), response, next, 0);
  });
});

// Loopback only: the scenarios load it from the same host, and nothing else should reach a test server.
server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write(`listening on ${values.port}\n`));
server.on('error', (error) => {
  process.stderr.write(`front-proxy: ${error.message}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
