/**
 * The API server's audit log as the fidelity benchmark reads it: one JSON event per line, the writes of a cluster
 * brought up with `cluster up --audit-detail` carrying their request and response bodies. Timestamps keep their
 * microseconds (Date.parse would drop them).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The parts of an audit event the benchmark uses. */
export interface AuditEvent {
  readonly verb: string;
  readonly stage: string;
  readonly user: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly code: number | undefined;
  /** requestReceivedTimestamp, ms since the epoch with a fraction (microseconds). */
  readonly receivedMs: number;
  /** stageTimestamp of ResponseComplete: the write is done. */
  readonly completedMs: number;
  readonly requestObject: unknown;
  readonly responseObject: unknown;
}

interface RawEvent {
  verb?: string;
  stage?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
  requestObject?: unknown;
  responseObject?: unknown;
}

const MICRO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/** An RFC 3339 time with up to nanoseconds as ms since the epoch, fraction kept. */
export function microTimeMs(text: string): number {
  const match = MICRO_TIME.exec(text);
  if (!match) throw new Error(`not an audit timestamp: ${text}`);
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`);
  return Date.parse(`${match[1]}Z`) + fraction * 1000;
}

/** Parses audit lines: the ResponseComplete events only (one per finished request). */
export function parseAudit(text: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const raw = JSON.parse(line) as RawEvent;
    if (raw.stage !== 'ResponseComplete' || raw.requestReceivedTimestamp === undefined || raw.stageTimestamp === undefined) continue;
    events.push({
      verb: raw.verb ?? '',
      stage: raw.stage,
      user: raw.user?.username ?? '',
      resource: raw.objectRef?.resource ?? '',
      subresource: raw.objectRef?.subresource,
      namespace: raw.objectRef?.namespace,
      name: raw.objectRef?.name,
      code: raw.responseStatus?.code,
      receivedMs: microTimeMs(raw.requestReceivedTimestamp),
      completedMs: microTimeMs(raw.stageTimestamp),
      requestObject: raw.requestObject,
      responseObject: raw.responseObject,
    });
  }
  return events;
}

/** The bytes of `file` from `offset` on (the part a run added); an error if the log was rotated meanwhile. */
export function readAuditFrom(file: string, offset: number): string {
  const size = statSync(file).size;
  if (size < offset) {
    throw new Error(`${file} shrank from ${offset} to ${size} bytes during the run (rotated at --audit-log-maxsize): run the bench on a fresh cluster`);
  }
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
