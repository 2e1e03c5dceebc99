/**
 * The in-cluster ledger: for a cluster other machines share, each run's journal lives in the cluster too, as a
 * ConfigMap in namespace `rebound-system` (one per run, named from the run id), so that `rebound recover` on any
 * machine sees what a killed run left, and `rebound run` on any machine refuses the cluster until it is undone.
 * The ConfigMap's `journal.json` is the journal file's JSON. Its `rebound.dev/state` label is `open` while the run
 * (or what it left) is there, `recovering` once a recover took it, `reverted` when everything was undone; a
 * reverted record is kept for a day as a trace, then deleted by the next run or recover. A running run rewrites
 * its record every few seconds (the heartbeat) so that a recover elsewhere can tell it is alive. Every write is
 * conditional on the resourceVersion last read: a recover that took a record over makes the run's next write fail,
 * and the run then injects nothing more.
 */
import { hostname } from 'node:os';
import type * as k8s from '@kubernetes/client-node';
import { statusOf, type KubeClients } from '../cluster/kube.js';
import { ReboundError } from '../errors.js';
import { RUN_LABEL } from '../faults/revert-step.js';
import { runsHere, type JournalFile, type JournalMirror } from './journal.js';

/** The namespace of the in-cluster ledger. */
export const LEDGER_NAMESPACE = 'rebound-system';
/** How often a running run rewrites its record, to show it is alive. */
export const HEARTBEAT_MS = 5_000;
/** How long recover watches a record written on another machine for a heartbeat before it undoes the record's changes. */
export const LIVENESS_WAIT_MS = HEARTBEAT_MS * 2 + 2_500;
/** How long a reverted record stays, as a trace of what was undone. */
export const REVERTED_KEEP_MS = 24 * 3_600_000;
/** A write that takes longer than this counts as failed: an injection waits on it. */
const WRITE_TIMEOUT_MS = 10_000;

/** What a record says of its run's changes. */
export type RecordState = 'open' | 'recovering' | 'reverted';
const STATES: readonly RecordState[] = ['open', 'recovering', 'reverted'];

const COMPONENT_LABEL = 'app.kubernetes.io/component';
const MANAGED_LABEL = 'app.kubernetes.io/managed-by';
const STATE_LABEL = 'rebound.dev/state';
const SELECTOR = `${MANAGED_LABEL}=rebound,${COMPONENT_LABEL}=ledger`;
const HOST = 'rebound.dev/host';
const PID = 'rebound.dev/pid';
const STARTED = 'rebound.dev/started-at';
const HEARTBEAT = 'rebound.dev/heartbeat';
const OPEN_CHANGES = 'rebound.dev/open-changes';
const REVERTED_AT = 'rebound.dev/reverted-at';
const RECOVERED_BY = 'rebound.dev/recovered-by';
const DATA_KEY = 'journal.json';

/** The in-cluster ledger could not be read or written. */
export class LedgerError extends ReboundError {}

/** A run's record, as read from the cluster. */
export interface ClusterRecord {
  /** The ConfigMap's name. */
  readonly name: string;
  readonly resourceVersion: string;
  readonly state: RecordState;
  /** The machine of the run. */
  readonly host: string;
  /** The run's last heartbeat (its machine's clock): for people; recover watches the resourceVersion instead. */
  readonly heartbeat: string | undefined;
  readonly revertedAt: string | undefined;
  /** Which recover took the record over: host and pid. */
  readonly recoveredBy: string | undefined;
  readonly journal: JournalFile;
  /** The run's process still runs on this machine. */
  readonly runningHere: boolean;
}

/** Marks a write adds to the record's annotations. */
export interface RecordMarks {
  readonly heartbeat?: string;
  readonly revertedAt?: string;
  readonly recoveredBy?: string;
}

/** This machine, as records name it. */
export function thisHost(): string {
  return hostname();
}

/** The ConfigMap name of a run's record (run ids hold an upper-case T; object names may not). */
export function recordName(runId: string): string {
  return `run-${runId.toLowerCase()}`;
}

/** The ConfigMap that records `journal` in state `state`. */
export function recordObject(journal: JournalFile, state: RecordState, host: string, marks: RecordMarks, resourceVersion?: string): k8s.V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(journal.runId),
      namespace: LEDGER_NAMESPACE,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { [MANAGED_LABEL]: 'rebound', [COMPONENT_LABEL]: 'ledger', [RUN_LABEL]: journal.runId, [STATE_LABEL]: state },
      annotations: {
        [HOST]: host,
        [PID]: String(journal.pid),
        [STARTED]: journal.startedAt,
        [OPEN_CHANGES]: String(journal.entries.length),
        ...(marks.heartbeat === undefined ? {} : { [HEARTBEAT]: marks.heartbeat }),
        ...(marks.revertedAt === undefined ? {} : { [REVERTED_AT]: marks.revertedAt }),
        ...(marks.recoveredBy === undefined ? {} : { [RECOVERED_BY]: marks.recoveredBy }),
      },
    },
    data: { [DATA_KEY]: `${JSON.stringify(journal, null, 2)}\n` },
  };
}

/** A record read from the cluster, or why it is not one. */
export function parseRecord(object: k8s.V1ConfigMap, host: string): ClusterRecord | string {
  const name = object.metadata?.name ?? '?';
  const state = object.metadata?.labels?.[STATE_LABEL];
  if (!STATES.includes(state as RecordState)) return `${name}: label ${STATE_LABEL} is ${state === undefined ? 'missing' : `"${state}"`}`;
  const resourceVersion = object.metadata?.resourceVersion;
  if (resourceVersion === undefined) return `${name}: no resourceVersion`;
  const annotations = object.metadata?.annotations ?? {};
  const writer = annotations[HOST];
  if (writer === undefined) return `${name}: annotation ${HOST} is missing`;
  const text = object.data?.[DATA_KEY];
  if (text === undefined) return `${name}: no ${DATA_KEY}`;
  let journal: JournalFile;
  try {
    journal = JSON.parse(text) as JournalFile;
  } catch (error) {
    return `${name}: ${DATA_KEY} is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (journal.version !== 1 || typeof journal.runId !== 'string' || !Array.isArray(journal.entries) || !Array.isArray(journal.command)) {
    return `${name}: ${DATA_KEY} is not a rebound journal`;
  }
  return {
    name,
    resourceVersion,
    state: state as RecordState,
    host: writer,
    heartbeat: annotations[HEARTBEAT],
    revertedAt: annotations[REVERTED_AT],
    recoveredBy: annotations[RECOVERED_BY],
    journal,
    runningHere: writer === host && runsHere(journal),
  };
}

/** Why a call to the API server failed, in a line. */
function reason(error: unknown): string {
  const status = statusOf(error);
  if (status === 403) return 'forbidden (403): the kube user may not read or write ConfigMaps in namespace rebound-system';
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === 'string') return `${status ?? ''} ${message}`.trim();
    } catch {
      // Not a Status: the body as it is.
    }
    return `${status ?? ''} ${body}`.trim();
  }
  return error instanceof Error ? error.message : String(error);
}

/** `call`, or an error after WRITE_TIMEOUT_MS. */
async function bounded<T>(what: string, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the API server within ${WRITE_TIMEOUT_MS / 1000} s`)), WRITE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The in-cluster ledger of one cluster: its records, read and written through the API server. */
export class ClusterLedger {
  readonly host = thisHost();

  constructor(private readonly kube: KubeClients) {}

  /** Every record in the cluster, oldest run first; ConfigMaps that are not readable records are named in `unreadable`. */
  async records(): Promise<{ records: ClusterRecord[]; unreadable: string[] }> {
    let items: k8s.V1ConfigMap[];
    try {
      items = (await bounded('listing the in-cluster ledger', this.kube.core.listNamespacedConfigMap({ namespace: LEDGER_NAMESPACE, labelSelector: SELECTOR }))).items;
    } catch (error) {
      throw new LedgerError(`the in-cluster ledger (ConfigMaps in namespace ${LEDGER_NAMESPACE}) cannot be read: ${reason(error)}`);
    }
    const records: ClusterRecord[] = [];
    const unreadable: string[] = [];
    for (const item of items) {
      const parsed = parseRecord(item, this.host);
      if (typeof parsed === 'string') unreadable.push(`${LEDGER_NAMESPACE}/${parsed}`);
      else records.push(parsed);
    }
    records.sort((a, b) => a.journal.runId.localeCompare(b.journal.runId));
    return { records, unreadable };
  }

  /** A record as it is now; undefined when it is gone. */
  async read(name: string): Promise<ClusterRecord | undefined> {
    let object: k8s.V1ConfigMap;
    try {
      object = await bounded(`reading ${LEDGER_NAMESPACE}/${name}`, this.kube.core.readNamespacedConfigMap({ name, namespace: LEDGER_NAMESPACE }));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new LedgerError(`the in-cluster ledger's ${LEDGER_NAMESPACE}/${name} cannot be read: ${reason(error)}`);
    }
    const parsed = parseRecord(object, this.host);
    if (typeof parsed === 'string') throw new LedgerError(`the in-cluster ledger's ${LEDGER_NAMESPACE}/${parsed}`);
    return parsed;
  }

  /** Creates a run's record (and the namespace, the first time). */
  async create(journal: JournalFile, marks: RecordMarks): Promise<ClusterRecord> {
    const name = recordName(journal.runId);
    try {
      await bounded(`creating namespace ${LEDGER_NAMESPACE}`, this.kube.core.createNamespace({
        body: { metadata: { name: LEDGER_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'rebound', [COMPONENT_LABEL]: 'ledger' } } },
      })).catch((error: unknown) => {
        // There already, or not ours to create: the ConfigMap's create says whether rebound may write there.
        if (statusOf(error) !== 409 && statusOf(error) !== 403) throw error;
      });
      const created = await bounded(`creating ${LEDGER_NAMESPACE}/${name}`, this.kube.core.createNamespacedConfigMap({
        namespace: LEDGER_NAMESPACE, body: recordObject(journal, 'open', this.host, marks), fieldManager: 'rebound',
      }));
      return this.parsed(created);
    } catch (error) {
      throw new LedgerError(`the in-cluster ledger's ${LEDGER_NAMESPACE}/${name} cannot be written: ${reason(error)}`);
    }
  }

  /**
   * Rewrites a record if nobody changed it since `record` was read: a conflict throws with status 409 (see
   * `isConflict`), any other failure a LedgerError.
   */
  async replace(record: ClusterRecord, journal: JournalFile, state: RecordState, marks: RecordMarks): Promise<ClusterRecord> {
    try {
      const replaced = await bounded(`writing ${LEDGER_NAMESPACE}/${record.name}`, this.kube.core.replaceNamespacedConfigMap({
        name: record.name, namespace: LEDGER_NAMESPACE, body: recordObject(journal, state, record.host, marks, record.resourceVersion), fieldManager: 'rebound',
      }));
      return this.parsed(replaced);
    } catch (error) {
      if (isConflict(error)) throw error;
      throw new LedgerError(`the in-cluster ledger's ${LEDGER_NAMESPACE}/${record.name} cannot be written: ${reason(error)}`);
    }
  }

  /** Deletes the reverted records older than REVERTED_KEEP_MS; returns how many. */
  async forgetReverted(records: readonly ClusterRecord[], now: number): Promise<number> {
    let forgotten = 0;
    for (const record of records) {
      if (record.state !== 'reverted') continue;
      const at = Date.parse(record.revertedAt ?? '');
      if (Number.isNaN(at) || now - at < REVERTED_KEEP_MS) continue;
      try {
        await bounded(`deleting ${LEDGER_NAMESPACE}/${record.name}`, this.kube.core.deleteNamespacedConfigMap({
          name: record.name, namespace: LEDGER_NAMESPACE, body: { preconditions: { resourceVersion: record.resourceVersion } },
        }));
        forgotten += 1;
      } catch {
        // Someone else's delete, or a change since: the next run tries again.
      }
    }
    return forgotten;
  }

  private parsed(object: k8s.V1ConfigMap): ClusterRecord {
    const parsed = parseRecord(object, this.host);
    if (typeof parsed === 'string') throw new Error(`the API server gave back ${parsed}`);
    return parsed;
  }
}

/** The write lost to a newer one (the resourceVersion precondition failed). */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409;
}

/**
 * A running run's record: its journal mirrored into the cluster, written in order (each write carries the whole
 * journal, the latest at the time it goes out), with a heartbeat every HEARTBEAT_MS.
 */
export class ClusterJournal implements JournalMirror {
  private chain: Promise<unknown> = Promise.resolve();
  private current: ClusterRecord | undefined;
  private latest: JournalFile | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Set when a recover took the record over: this run changes nothing more. */
  private lost: string | undefined;

  constructor(private readonly ledger: ClusterLedger) {}

  write(content: JournalFile): Promise<void> {
    this.latest = content;
    return this.enqueue('open');
  }

  close(content: JournalFile): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.latest = content;
    // Nothing left: the record says reverted, and stays a day as a trace. Something left: it stays open, its
    // heartbeat stopped, for a recover on any machine.
    return this.enqueue(content.entries.length === 0 ? 'reverted' : 'open');
  }

  private enqueue(state: RecordState): Promise<void> {
    const next = this.chain.then(() => this.put(state));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async put(state: RecordState): Promise<void> {
    if (this.lost !== undefined) throw new LedgerError(this.lost);
    const content = this.latest;
    if (content === undefined) return;
    const now = new Date().toISOString();
    const marks: RecordMarks = { heartbeat: now, ...(state === 'reverted' ? { revertedAt: now } : {}) };
    if (this.current === undefined) {
      this.current = await this.ledger.create(content, marks);
      this.heartbeat = setInterval(() => { if (this.heartbeat !== undefined) this.enqueue('open').catch(() => undefined); }, HEARTBEAT_MS);
      this.heartbeat.unref();
      return;
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        this.current = await this.ledger.replace(this.current, content, state, marks);
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
        // A write of ours that timed out may have landed after all; anything else is a recover taking over.
        const found = await this.ledger.read(this.current.name);
        if (attempt === 0 && found !== undefined && found.state === 'open' && found.host === this.ledger.host && found.journal.pid === process.pid && found.recoveredBy === undefined) {
          this.current = found;
          continue;
        }
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        this.lost = `the in-cluster ledger's ${LEDGER_NAMESPACE}/${this.current.name} was taken over${found?.recoveredBy ? ` by the recover of ${found.recoveredBy}` : ''}; this run changes nothing more in the cluster`;
        throw new LedgerError(this.lost);
      }
    }
  }
}
