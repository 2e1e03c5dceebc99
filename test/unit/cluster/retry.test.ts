// The retry policy of every API call, tested against a real HTTP server on 127.0.0.1 that answers with scripted
// sequences (429, 503, dropped connections). This tests the retry wrapper only; integration tests use the real
// API server.
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientsFor, type KubeClients } from '../../../harness/cluster/kube.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../harness/cluster/retry.js';

/** What the scripted server does with one request. */
type Step =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly reset: true; readonly after?: () => void };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly at: number;
  readonly body: string;
}

/** An HTTP server that plays `script` per request path (method + path), falling back to `otherwise`. */
class ScriptedServer {
  readonly seen: Seen[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly script: (request: Seen, count: number) => Step) {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const seen: Seen = { method: request.method ?? '', url: request.url ?? '', at: Date.now(), body };
    this.seen.push(seen);
    const step = this.script(seen, this.seen.length);
    if ('reset' in step) {
      step.after?.();
      request.socket.destroy();
      return;
    }
    response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    response.end(JSON.stringify(step.body ?? {}));
  }
}

const FAST: RetryPolicy = { initialDelayMs: 10, maxDelayMs: 50, budgetMs: 5_000, maxAttempts: 6 };

const namespace = (name: string, labels: Record<string, string> = {}, created = new Date().toISOString()) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, labels, creationTimestamp: created },
});

const status = (code: number, reason: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason });

describe('API calls retry with bounded backoff', () => {
  let dir: string;
  let server: ScriptedServer | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rebound-retry-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function clients(script: (request: Seen, count: number) => Step, policy: RetryPolicy = FAST): Promise<KubeClients> {
    server = new ScriptedServer(script);
    const port = await server.listen();
    const file = join(dir, `kubeconfig-${port}`);
    await writeFile(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters: [{name: test, cluster: {server: "http://127.0.0.1:' + String(port) + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: test, user: {token: "t"}}]',
      'contexts: [{name: test, context: {cluster: test, user: test}}]', '',
    ].join('\n'));
    return clientsFor(file, undefined, { retry: policy });
  }

  it('retries 503, 502, 500 and 504 until the server answers', async () => {
    const codes = [503, 502, 500, 504];
    const kube = await clients((_, count) => (count <= codes.length ? { status: codes[count - 1] ?? 500, body: status(503, 'ServiceUnavailable') } : { status: 200, body: namespace('a') }));
    const read = await kube.core.readNamespace({ name: 'a' });
    expect(read.metadata?.name).to.equal('a');
    expect(server?.seen.length).to.equal(5);
  });

  it('retries 429 no sooner than its Retry-After', async () => {
    const kube = await clients((_, count) => (count === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: status(429, 'TooManyRequests') } : { status: 200, body: namespace('a') }),
      { ...FAST, maxDelayMs: 2000 });
    await kube.core.readNamespace({ name: 'a' });
    const [first, second] = server?.seen ?? [];
    expect(server?.seen.length).to.equal(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).to.be.at.least(1000);
  });

  it('gives back a 429 whose Retry-After is beyond the longest delay at once', async () => {
    const kube = await clients(() => ({ status: 429, headers: { 'retry-after': '120' }, body: status(429, 'TooManyRequests') }));
    const error = await kube.core.readNamespace({ name: 'a' }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(429);
    expect(server?.seen.length).to.equal(1);
  });

  it('never retries other 4xx answers', async () => {
    for (const code of [400, 403, 404, 409, 422]) {
      const kube = await clients(() => ({ status: code, body: status(code, 'No') }));
      const error = await kube.core.readNamespace({ name: 'a' }).then(() => undefined, (e: unknown) => e);
      expect((error as { code?: number }).code, `HTTP ${code}`).to.equal(code);
      expect(server?.seen.length, `HTTP ${code}`).to.equal(1);
      await server?.close();
      server = undefined;
    }
  });

  it('never retries an eviction the disruption budget refused (429 is its answer)', async () => {
    const kube = await clients(() => ({ status: 429, body: status(429, 'TooManyRequests') }));
    const error = await kube.core.createNamespacedPodEviction({ name: 'p', namespace: 'n', body: { metadata: { name: 'p', namespace: 'n' } } }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(429);
    expect(server?.seen.length).to.equal(1);
  });

  it('retries a dropped connection (reset, socket hang up)', async () => {
    const kube = await clients((_, count) => (count <= 2 ? { reset: true } : { status: 200, body: namespace('a') }));
    const read = await kube.core.readNamespace({ name: 'a' });
    expect(read.metadata?.name).to.equal('a');
    expect(server?.seen.length).to.equal(3);
  });

  it('retries a refused connection until the server is there', async () => {
    // A port nobody listens on: every attempt is refused, and the error comes back once the bounds are reached.
    const probe = new ScriptedServer(() => ({ status: 200 }));
    const port = await probe.listen();
    await probe.close();
    const file = join(dir, 'kubeconfig-refused');
    await writeFile(file, `apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {token: "t"}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\n`);
    let retries = 0;
    const kube = clientsFor(file, undefined, { retry: FAST, onRetry: () => { retries += 1; } });
    const error = await kube.core.readNamespace({ name: 'a' }).then(() => undefined, (e: unknown) => e);
    expect(String((error as Error).message ?? error)).to.match(/ECONNREFUSED/);
    expect(retries).to.equal(FAST.maxAttempts - 1);
  });

  it('stops after the most attempts and gives back the last answer', async () => {
    const kube = await clients(() => ({ status: 503, body: status(503, 'ServiceUnavailable') }));
    const error = await kube.core.readNamespace({ name: 'a' }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(503);
    expect(server?.seen.length).to.equal(FAST.maxAttempts);
  });

  it('takes a create whose answer was lost as done when the object that exists is ours', async () => {
    const labels = { 'app.kubernetes.io/managed-by': 'rebound', 'rebound.dev/run': 'r1' };
    let created: ReturnType<typeof namespace> | undefined;
    const kube = await clients((request) => {
      if (request.method === 'POST' && created === undefined) {
        return { reset: true, after: () => { created = namespace('ns-1', labels); } };
      }
      if (request.method === 'POST') return { status: 409, body: status(409, 'AlreadyExists') };
      return created ? { status: 200, body: created } : { status: 404, body: status(404, 'NotFound') };
    });
    const answer = await kube.core.createNamespace({ body: { metadata: { name: 'ns-1', labels } } });
    expect(answer.metadata?.uid).to.equal('uid-ns-1');
    expect(server?.seen.map((s) => s.method)).to.deep.equal(['POST', 'POST', 'GET']);
  });

  it('takes a create the server timed out on (504) but committed as done when the object is ours', async () => {
    const labels = { 'rebound.dev/run': 'r3' };
    let created: ReturnType<typeof namespace> | undefined;
    const kube = await clients((request) => {
      if (request.method === 'POST' && created === undefined) {
        created = namespace('ns-4', labels);
        return { status: 504, body: status(504, 'Timeout') };
      }
      if (request.method === 'POST') return { status: 409, body: status(409, 'AlreadyExists') };
      return { status: 200, body: created };
    });
    const answer = await kube.core.createNamespace({ body: { metadata: { name: 'ns-4', labels } } });
    expect(answer.metadata?.uid).to.equal('uid-ns-4');
  });

  it('keeps the conflict when the object that exists is not ours', async () => {
    const labels = { 'rebound.dev/run': 'r2' };
    let first = true;
    const kube = await clients((request) => {
      if (request.method === 'POST' && first) {
        first = false;
        return { reset: true };
      }
      if (request.method === 'POST') return { status: 409, body: status(409, 'AlreadyExists') };
      // Someone else's namespace of that name, made long before.
      return { status: 200, body: namespace('ns-2', { 'rebound.dev/run': 'other' }, '2020-01-01T00:00:00Z') };
    });
    const error = await kube.core.createNamespace({ body: { metadata: { name: 'ns-2', labels } } }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(409);
  });

  it('keeps the conflict of a create that never reached the server before', async () => {
    const kube = await clients(() => ({ status: 409, body: status(409, 'AlreadyExists') }));
    const error = await kube.core.createNamespace({ body: { metadata: { name: 'ns-3' } } }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(409);
    expect(server?.seen.length).to.equal(1);
  });

  it('takes a delete whose answer was lost and which now answers 404 as done', async () => {
    let deleted = false;
    const kube = await clients((request) => {
      if (request.method === 'DELETE' && !deleted) return { reset: true, after: () => { deleted = true; } };
      return { status: 404, body: status(404, 'NotFound') };
    });
    await kube.core.deleteNamespacedPod({ name: 'p', namespace: 'n', body: { preconditions: { uid: 'u' } } });
    expect(server?.seen.map((s) => s.method)).to.deep.equal(['DELETE', 'DELETE']);
    // The precondition travels with every attempt.
    expect(server?.seen.every((s) => JSON.parse(s.body).preconditions.uid === 'u')).to.equal(true);
  });

  it('gives back the 404 of a delete that was never carried out', async () => {
    const kube = await clients(() => ({ status: 404, body: status(404, 'NotFound') }));
    const error = await kube.core.deleteNamespacedPod({ name: 'p', namespace: 'n' }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(404);
  });

  it('backs off exponentially with jitter, bounded by the longest delay', () => {
    const policy = DEFAULT_RETRY_POLICY;
    expect(backoffDelay(policy, 1, undefined, () => 0)).to.equal(50);
    expect(backoffDelay(policy, 1, undefined, () => 1)).to.equal(100);
    expect(backoffDelay(policy, 3, undefined, () => 1)).to.equal(400);
    expect(backoffDelay(policy, 10, undefined, () => 1)).to.equal(2000);
    expect(backoffDelay(policy, 10, undefined, () => 0)).to.equal(1000);
    expect(backoffDelay(policy, 1, 1500, () => 0)).to.equal(1500);
    expect(backoffDelay(policy, 1, 60_000, () => 0)).to.equal(2000);
  });
});
