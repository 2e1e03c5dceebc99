/**
 * The ledger's journal on disk: what a run changed in a cluster and has not undone yet, written before each change
 * (fsynced, replaced atomically) under ~/.rebound/ledger/<run id>.json, and emptied as the changes are undone. A
 * run that ends, however it ends short of SIGKILL, removes its journal; a killed run leaves it for
 * `rebound recover`, and `rebound run` refuses a cluster that has one. On a cluster other machines share, every
 * write is mirrored into the cluster as well (harness/run/cluster-journal.ts), so that their `recover` sees it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ProviderKind } from '../cluster/provider.js';
import type { RevertStep } from '../faults/revert-step.js';
import { commandLine } from '../util/command-line.js';
import { reboundHome } from '../util/paths.js';

/** What kind of change an undo step undoes; undone in the order of UNDO_ORDER (ledger.ts). */
export type UndoStage = 'fault' | 'process' | 'object' | 'namespace';

/** Which cluster a journal's changes were made in. */
export interface JournalCluster {
  readonly provider: ProviderKind;
  readonly name: string;
  readonly kubeconfig: string;
  readonly context?: string;
  /** A local or kind cluster's creation time: the same name created anew is another cluster. */
  readonly createdAt?: string;
}

/** One change not undone yet. */
export interface JournalEntry {
  readonly id: number;
  readonly stage: UndoStage;
  readonly label: string;
  readonly steps: readonly RevertStep[];
}

/** A journal file's content. */
export interface JournalFile {
  readonly version: 1;
  readonly runId: string;
  readonly pid: number;
  /** The run's command line, to tell its process from another that reused its pid. */
  readonly command: readonly string[];
  readonly startedAt: string;
  readonly cluster: JournalCluster;
  readonly entries: readonly JournalEntry[];
}

/** Which cluster a handle is, as journals name it. */
export function journalIdentity(cluster: {
  readonly provider: ProviderKind;
  readonly name: string;
  readonly kubeconfig: string;
  readonly context?: string;
  readonly createdAt?: string;
}): JournalCluster {
  return {
    provider: cluster.provider,
    name: cluster.name,
    kubeconfig: resolve(cluster.kubeconfig),
    ...(cluster.context === undefined ? {} : { context: cluster.context }),
    ...(cluster.createdAt === undefined ? {} : { createdAt: cluster.createdAt }),
  };
}

/** The folder of every journal. */
export function journalDir(): string {
  return join(reboundHome(), 'ledger');
}

/** Writes `file` whole, durably: a temporary file fsynced, renamed over it, and the folder fsynced. */
function writeDurably(file: string, content: string): void {
  const dir = journalDir();
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Where a journal is mirrored besides the disk: the cluster itself (harness/run/cluster-journal.ts). Writes carry
 * the whole journal, so a later write makes up for one that failed.
 */
export interface JournalMirror {
  /** Resolves once the mirror holds `content`; rejects when it could not be written. */
  write(content: JournalFile): Promise<void>;
  /** The run is over: `content` is what it leaves (nothing when it undid everything). */
  close(content: JournalFile): Promise<void>;
}

/** Whether the process that wrote `journal` runs on this machine still (a pid may be reused: its command must match). */
export function runsHere(journal: Pick<JournalFile, 'pid' | 'command'>): boolean {
  const now = commandLine(journal.pid);
  return journal.pid !== process.pid && now !== undefined && now.join('\0') === journal.command.join('\0');
}

/** The journal of the run in this process. */
export class Journal {
  private entries: JournalEntry[] = [];
  private nextId = 1;
  private readonly file: string;
  private readonly header: Omit<JournalFile, 'entries'>;
  private mirror: JournalMirror | undefined;

  constructor(cluster: JournalCluster) {
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
    this.file = join(journalDir(), `${runId}.json`);
    this.header = {
      version: 1,
      runId,
      pid: process.pid,
      command: commandLine(process.pid) ?? process.argv,
      startedAt: new Date().toISOString(),
      cluster,
    };
    this.write();
  }

  /** The run's id: the journal's file name, and the value of the run label on what the run creates. */
  get runId(): string {
    return this.header.runId;
  }

  /** What the journal holds now, as its file has it. */
  content(): JournalFile {
    return { ...this.header, entries: this.entries };
  }

  /** Mirrors the journal into `mirror` from now on; resolves once the mirror holds it. */
  async mirrorInto(mirror: JournalMirror): Promise<void> {
    await mirror.write(this.content());
    this.mirror = mirror;
  }

  /**
   * Writes a change down, on disk at once; returns its id, and when there is a mirror, `mirrored`: resolves once
   * the mirror holds it too, rejects when it could not be written there.
   */
  add(stage: UndoStage, label: string, steps: readonly RevertStep[]): { id: number; mirrored: Promise<void> } {
    const id = this.nextId;
    this.nextId += 1;
    this.entries.push({ id, stage, label, steps });
    this.write();
    return { id, mirrored: this.mirror ? this.mirror.write(this.content()) : Promise.resolve() };
  }

  /** Replaces a change's steps once it is known exactly what it changed. */
  update(id: number, steps: readonly RevertStep[]): void {
    this.entries = this.entries.map((e) => (e.id === id ? { ...e, steps } : e));
    this.write();
    this.mirrorLater();
  }

  /** The change was undone (or never happened). */
  remove(id: number): void {
    this.entries = this.entries.filter((e) => e.id !== id);
    this.write();
    this.mirrorLater();
  }

  /**
   * At the run's end: gone from the disk when everything was undone, else kept for `rebound recover`; the mirror
   * told either way. Returns a problem with the mirror for the run to show, rather than throwing over its result.
   */
  async close(): Promise<string | undefined> {
    if (this.entries.length === 0) rmSync(this.file, { force: true });
    try {
      await this.mirror?.close(this.content());
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * After an update or a removal: the disk already holds it, and a failed write to the mirror is made up for by the
   * next one (every write carries the whole journal). A mirror behind by a removal only makes a later recover repeat
   * an undo step, which is safe.
   */
  private mirrorLater(): void {
    this.mirror?.write(this.content()).catch(() => undefined);
  }

  private write(): void {
    writeDurably(this.file, `${JSON.stringify(this.content() satisfies JournalFile, null, 2)}\n`);
  }
}

/** A journal found on disk, and whether the run that wrote it still runs. */
export interface FoundJournal {
  readonly file: string;
  readonly journal: JournalFile;
  readonly running: boolean;
  /** Written in an earlier cluster of the same name, deleted since: its changes went with it. */
  readonly stale: boolean;
}

function sameName(a: JournalCluster, b: JournalCluster): boolean {
  if (a.provider !== b.provider) return false;
  return a.provider === 'kubeconfig' ? a.kubeconfig === b.kubeconfig && (a.context ?? '') === (b.context ?? '') : a.name === b.name;
}

/** The journals of a cluster, oldest first; unreadable files are named in `unreadable`. */
export function journalsOf(cluster: JournalCluster): { found: FoundJournal[]; unreadable: string[] } {
  let names: string[];
  try {
    names = readdirSync(journalDir()).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { found: [], unreadable: [] };
  }
  const found: FoundJournal[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const file = join(journalDir(), name);
    let journal: JournalFile;
    try {
      journal = JSON.parse(readFileSync(file, 'utf8')) as JournalFile;
      if (journal.version !== 1 || !Array.isArray(journal.entries)) throw new Error('not a rebound journal');
    } catch {
      unreadable.push(file);
      continue;
    }
    if (!sameName(journal.cluster, cluster)) continue;
    const running = runsHere(journal);
    const stale = journal.cluster.createdAt !== undefined && cluster.createdAt !== undefined && journal.cluster.createdAt !== cluster.createdAt;
    found.push({ file, journal, running, stale });
  }
  return { found, unreadable };
}

/** Removes the journals of a local or kind cluster that is gone; returns how many changes they held. */
export function forgetJournals(provider: 'local' | 'kind', name: string): number {
  const { found } = journalsOf({ provider, name, kubeconfig: '' });
  let changes = 0;
  for (const journal of found.filter((f) => !f.running)) {
    changes += journal.journal.entries.length;
    rmSync(journal.file, { force: true });
  }
  return changes;
}

/** Rewrites a journal found on disk with the entries still open (removes it when none is). */
export function rewriteJournal(found: FoundJournal, entries: readonly JournalEntry[]): void {
  if (entries.length === 0) rmSync(found.file, { force: true });
  else writeDurably(found.file, `${JSON.stringify({ ...found.journal, entries }, null, 2)}\n`);
}
