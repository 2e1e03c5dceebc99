/**
 * The echo operator: for every Echo in one namespace it owns a ConfigMap and a Deployment named echo-<name>, puts
 * them back when they are deleted or changed, and reports the Deployment's readiness in the Echo's status.
 *
 * Run it the way `make run` runs an operator under development, from the host against a cluster:
 *   node dist/scenarios/operators/echo/controller.js --namespace demo --kubeconfig ~/.kube/config
 * See README.md next to this file for the flags and how rebound's scenarios use it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import {
  ECHO, FIELD_MANAGER, MANAGED_BY_LABEL, USAGE, UsageError, controllingEchoName, desiredConfigMap, desiredDeployment,
  desiredStatus, isStoredEcho, ownedName, parseSettings, readyCondition, sameStatus, type Echo, type Settings,
} from './echo.js';

/** Every write is a server-side apply that takes back fields someone else changed (drift). */
const APPLY = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

/** How long to wait before listing again after a failed list or watch; doubles up to the maximum. */
const BACKOFF_MS = { first: 500, max: 10_000 };

/** A watch that ends sooner than this after its list counts as failed, and is retried after the back-off. */
const MIN_WATCH_MS = 1_000;

/** How long SIGTERM waits for the watch loops to notice before the process exits anyway. */
const STOP_GRACE_MS = 3_000;

/** How long to wait before retrying an Echo whose reconcile failed. */
const RETRY_MS = 1_000;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function logError(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** The HTTP status of a client-node error, when it has one. */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
    if (typeof code === 'number') return code;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

/** A one-line description of an error: the API server's own message when it sent a Status. */
function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'body' in error) {
    const body = (error).body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      const status = JSON.parse(text) as { message?: unknown };
      if (typeof status.message === 'string') return `${httpStatusOf(error) ?? ''} ${status.message}`.trim();
    } catch {
      // not a Status; fall through to the error's own message
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Echo names waiting to be reconciled, one at a time. A name queued while it waits is reconciled once, and one
 * queued while it is being reconciled is reconciled again afterwards, so no change is missed.
 */
class WorkQueue {
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(
    private readonly reconcile: (name: string) => Promise<void>,
    private readonly delayMs: number,
    private readonly stopping: AbortSignal,
  ) {}

  add(name: string): void {
    if (this.stopping.aborted) return;
    this.pending.add(name);
    this.draining ??= this.drain();
  }

  /** Resolves once the reconcile under way, if any, has finished. */
  async idle(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0 && !this.stopping.aborted) {
        // The delay comes before the name is taken, so changes that arrive meanwhile fold into one reconcile.
        if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: this.stopping });
        const [name] = this.pending;
        if (name === undefined) break;
        this.pending.delete(name);
        await this.reconcile(name);
      }
    } catch (error) {
      if (!this.stopping.aborted) throw error;
    } finally {
      // Cleared with no await after the loop's last check, so add() can never see a drain that is about to end.
      this.draining = undefined;
    }
  }
}

/** One kind of object the operator watches, and which Echo each of its objects concerns. */
interface WatchedKind {
  readonly name: string;
  readonly path: string;
  readonly labelSelector?: string;
  list(): Promise<{ items: readonly k8s.KubernetesObject[]; resourceVersion: string }>;
  echoNameOf(object: k8s.KubernetesObject): string | undefined;
}

/** The Echo operator for one namespace. */
class EchoOperator {
  private readonly stopping = new AbortController();
  private readonly watches = new Set<AbortController>();
  private readonly established = new Set<string>();
  private readyAnnounced = false;
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly queue: WorkQueue;
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly watch: k8s.Watch;
  private readonly kinds: readonly WatchedKind[];

  constructor(config: k8s.KubeConfig, private readonly settings: Settings) {
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.apps = config.makeApiClient(k8s.AppsV1Api);
    this.custom = config.makeApiClient(k8s.CustomObjectsApi);
    this.watch = new k8s.Watch(config);
    this.queue = new WorkQueue((name) => this.reconcileLogged(name), settings.reconcileDelayMs, this.stopping.signal);
    const namespace = settings.namespace;
    const owned = `${MANAGED_BY_LABEL}=${FIELD_MANAGER}`;
    this.kinds = [
      {
        name: ECHO.plural,
        path: `/apis/${ECHO.group}/${ECHO.version}/namespaces/${namespace}/${ECHO.plural}`,
        list: async () => {
          const list = await this.custom.listNamespacedCustomObject({
            group: ECHO.group, version: ECHO.version, namespace, plural: ECHO.plural,
          }) as k8s.KubernetesListObject<k8s.KubernetesObject>;
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
        },
        echoNameOf: (object) => object.metadata?.name,
      },
      {
        name: 'configmaps',
        path: `/api/v1/namespaces/${namespace}/configmaps`,
        labelSelector: owned,
        list: async () => {
          const list = await this.core.listNamespacedConfigMap({ namespace, labelSelector: owned });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
        },
        echoNameOf: controllingEchoName,
      },
      {
        name: 'deployments',
        path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
        labelSelector: owned,
        list: async () => {
          const list = await this.apps.listNamespacedDeployment({ namespace, labelSelector: owned });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
        },
        echoNameOf: controllingEchoName,
      },
    ];
  }

  /** Runs until stop(); resolves when every watch loop has ended. */
  async run(): Promise<void> {
    await Promise.all(this.kinds.map((kind) => this.keepWatching(kind)));
  }

  /** Stops watching, waits for the reconcile under way and resolves. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const controller of this.watches) controller.abort();
    for (const timer of this.retries) clearTimeout(timer);
    await this.queue.idle();
  }

  /**
   * List, then watch from the list's resourceVersion, and start over whenever the watch ends, whatever the reason:
   * client-node's Watch ends on server timeouts, on 410 Gone and on dropped connections alike, sometimes without an
   * error, and nothing restarts it by itself. Every list queues every Echo again, which doubles as a resync.
   */
  private async keepWatching(kind: WatchedKind): Promise<void> {
    let backoffMs = BACKOFF_MS.first;
    while (!this.stopping.signal.aborted) {
      let failure: unknown;
      const since = performance.now();
      try {
        const { items, resourceVersion } = await kind.list();
        for (const item of items) this.enqueue(kind.echoNameOf(item));
        failure = await this.watchOnce(kind, resourceVersion, () => {
          backoffMs = BACKOFF_MS.first;
          this.established.add(kind.name);
          // Printed once, when all watches are up: from then on no change to an Echo or what it owns is missed.
          if (this.established.size === this.kinds.length && !this.readyAnnounced) {
            this.readyAnnounced = true;
            log('echo-operator ready');
          }
        });
      } catch (error) {
        failure = error;
      }
      if (this.stopping.signal.aborted) return;
      // A watch that ends cleanly but at once (a proxy that closes streams, say) is a failure too: without the
      // back-off the loop would list the API server as fast as it answers.
      if ((failure === undefined || failure === null) && performance.now() - since < MIN_WATCH_MS) {
        failure = new Error('the watch ended as soon as it started');
      }
      if (failure === undefined || failure === null) {
        log(`watch ${kind.name} ended; listing again`);
        continue;
      }
      logError(`watch ${kind.name} failed: ${describe(failure)}; listing again in ${backoffMs} ms`);
      try {
        await sleep(backoffMs, undefined, { signal: this.stopping.signal });
      } catch {
        return;
      }
      backoffMs = Math.min(backoffMs * 2, BACKOFF_MS.max);
    }
  }

  /** One watch request; resolves when it ends, with its error (null or undefined when it just ended). */
  private watchOnce(kind: WatchedKind, resourceVersion: string, onEstablished: () => void): Promise<unknown> {
    return new Promise((resolve) => {
      let ended = false;
      let controller: AbortController | undefined;
      let errorEvent: unknown;
      const onEvent = (type: string, object: unknown) => {
        if (type === 'ERROR') {
          // A Status in the stream, e.g. 410 Gone when resourceVersion is too old: drop this watch and list again.
          errorEvent = new Error(`error event: ${JSON.stringify(object)}`);
          controller?.abort();
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.enqueue(kind.echoNameOf(object as k8s.KubernetesObject));
        }
      };
      const onDone = (error: unknown) => {
        ended = true;
        if (controller !== undefined) this.watches.delete(controller);
        resolve(errorEvent ?? error);
      };
      // Servers end watches after a while anyway; a randomized timeout of 5 to 10 minutes (as client-go's
      // reflector uses) keeps the restarts of many operators from lining up.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      const query = {
        resourceVersion, allowWatchBookmarks: true, timeoutSeconds,
        ...(kind.labelSelector === undefined ? {} : { labelSelector: kind.labelSelector }),
      };
      this.watch.watch(kind.path, query, onEvent, onDone).then((started) => {
        controller = started;
        if (ended) return;
        this.watches.add(started);
        if (this.stopping.signal.aborted || errorEvent !== undefined) started.abort();
        else onEstablished();
      }, (error: unknown) => {
        if (!ended) resolve(error);
      });
    });
  }

  private enqueue(name: string | undefined): void {
    if (name !== undefined) this.queue.add(name);
  }

  /** Reconciles one Echo and logs one line saying what it found or what went wrong. */
  private async reconcileLogged(name: string): Promise<void> {
    const started = performance.now();
    const key = `${this.settings.namespace}/${name}`;
    try {
      const outcome = await this.reconcile(name);
      log(`reconcile ${key}: ${outcome} (${Math.round(performance.now() - started)} ms)`);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      logError(`reconcile ${key} failed: ${describe(error)}; retrying in ${RETRY_MS} ms`);
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        this.enqueue(name);
      }, RETRY_MS);
      this.retries.add(timer);
    }
  }

  /** Brings one Echo's ConfigMap and Deployment to what it asks for, then writes its status. */
  private async reconcile(name: string): Promise<string> {
    const namespace = this.settings.namespace;
    const echo = await this.readEcho(name);
    // What it owned is deleted by the garbage collector, through the owner references: nothing to do.
    if (echo === undefined) return 'Echo gone, its objects are left to the garbage collector';
    if (!isStoredEcho(echo)) throw new Error('the API server returned an Echo without name, namespace or uid');

    // The planted bug of --ignore-drift configmap-message: an existing ConfigMap is never written, drifted or not.
    const leaveConfigMap = this.settings.ignoreDrift === 'configmap-message' && await this.configMapExists(name);
    if (!leaveConfigMap) {
      await this.core.patchNamespacedConfigMap(
        { name: ownedName(name), namespace, body: desiredConfigMap(echo), fieldManager: FIELD_MANAGER, force: true }, APPLY);
    }
    // The applied Deployment comes back as stored, status included, so its readiness needs no second read.
    const deployment = await this.apps.patchNamespacedDeployment(
      { name: ownedName(name), namespace, body: desiredDeployment(echo, this.settings.echoImage), fieldManager: FIELD_MANAGER, force: true }, APPLY);

    const status = desiredStatus(echo, deployment, new Date());
    const changed = !sameStatus(echo.status, status);
    if (changed) {
      await this.custom.patchNamespacedCustomObjectStatus({
        group: ECHO.group, version: ECHO.version, namespace, plural: ECHO.plural, name,
        body: { apiVersion: ECHO.apiVersion, kind: ECHO.kind, metadata: { name, namespace }, status },
        fieldManager: FIELD_MANAGER, force: true,
      }, APPLY);
    }
    const ready = readyCondition(status);
    return `${leaveConfigMap ? 'deployment' : 'configmap and deployment'} ${ownedName(name)} applied, ${status.readyReplicas ?? 0} ready, `
      + `Ready=${ready?.status ?? 'Unknown'} (${ready?.reason ?? 'none'})${changed ? ', status written' : ''}`;
  }

  private async configMapExists(name: string): Promise<boolean> {
    try {
      await this.core.readNamespacedConfigMap({ name: ownedName(name), namespace: this.settings.namespace });
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw error;
    }
  }

  private async readEcho(name: string): Promise<Echo | undefined> {
    try {
      return await this.custom.getNamespacedCustomObject({
        group: ECHO.group, version: ECHO.version, namespace: this.settings.namespace, plural: ECHO.plural, name,
      }) as Echo;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

function kubeConfigFor(settings: Settings): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  if (settings.kubeconfig === undefined) config.loadFromDefault();
  else config.loadFromFile(settings.kubeconfig);
  return config;
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  const operator = new EchoOperator(kubeConfigFor(settings), settings);
  log(`echo-operator starting: namespace ${settings.namespace}, reconcile delay ${settings.reconcileDelayMs} ms`
    + `${settings.ignoreDrift === undefined ? '' : `, ignoring drift of ${settings.ignoreDrift} (planted bug)`}`);
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const running = operator.run();
  log(`echo-operator stopping on ${await signalled}`);
  await operator.stop();
  // A list request in flight is not cancellable; do not let one to an unreachable server hold the exit up.
  await Promise.race([running, sleep(STOP_GRACE_MS)]);
  log('echo-operator stopped');
  return 0;
}

// Exit explicitly: client-node's keep-alive agents can hold the event loop open after the watches are gone.
main().then((code) => process.exit(code), (error: unknown) => {
  logError(`echo-operator crashed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
