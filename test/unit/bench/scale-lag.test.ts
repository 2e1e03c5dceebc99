import { expect } from 'chai';
import type { AuditEvent } from '../../../bench/fidelity/audit.js';
import { firstWrites, lagsOf, lagSummary } from '../../../bench/scale/lag.js';
import type { RunResult } from '../../../harness/report/result.js';

function write(verb: string, name: string | undefined, completedMs: number, subresource?: string, namespace = 'scale'): AuditEvent {
  return {
    verb, stage: 'ResponseComplete', user: 'u', resource: 'pods', subresource, namespace, name, code: 201,
    receivedMs: completedMs - 1, completedMs, requestObject: undefined, responseObject: undefined,
  };
}

const T = Date.parse('2026-12-02T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function result(replacements: { pod: string; replacement: string | null; at: Record<string, number | null> }[]): RunResult {
  return {
    scenarios: [{
      trials: [{
        replacements: replacements.map((r) => ({
          pod: { name: r.pod, uid: `uid-${r.pod}`, node: null },
          replacement: r.replacement === null ? null : { name: r.replacement, uid: `uid-${r.replacement}`, node: 'node-1' },
          owner: { kind: 'ReplicaSet', name: 'rs', uid: 'rs' },
          phasesMs: {},
          at: Object.fromEntries(Object.entries(r.at).map(([k, v]) => [k, v === null ? null : iso(v)])),
        })),
      }],
    }],
  } as unknown as RunResult;
}

describe('scale bench: event lag against a Metadata-level audit log', () => {
  const events = [
    write('delete', 'old-1', T + 10),
    write('delete', 'old-1', T + 50),
    write('create', undefined, T + 20),
    write('create', 'new-1', T + 30, 'binding'),
    write('patch', 'new-1', T + 40, 'status'),
    write('patch', 'new-1', T + 90, 'status'),
    write('delete', 'old-2', T + 12),
    write('create', 'stray', T + 35, 'binding'),
    write('create', 'before', T + 5, 'binding'),
    write('create', 'other-ns', T + 36, 'binding', 'elsewhere'),
  ];

  it('takes the first write of each step per pod, in the namespace only; a create without a name counts for nothing', () => {
    const writes = firstWrites(events, 'scale');
    expect(writes.get('old-1')).to.deep.equal({ deleted: T + 10 });
    expect(writes.get('new-1')).to.deep.equal({ scheduled: T + 30, running: T + 40, ready: T + 40 });
    expect(writes.has('other-ns')).to.equal(false);
    expect([...writes.keys()]).to.not.include(undefined);
  });

  it('gives rebound minus the audit log per step, and every replacement rebound or the audit log cannot match', () => {
    const outcome = lagsOf(result([
      { pod: 'old-1', replacement: 'new-1', at: { deleted: T + 12, created: T + 25, scheduled: T + 33, running: T + 47, ready: T + 47 } },
      { pod: 'old-2', replacement: null, at: { deleted: T + 13 } },
      { pod: 'old-3', replacement: 'ghost', at: { deleted: null } },
    ]), firstWrites(events, 'scale'));
    expect(outcome.lags.deleted).to.deep.equal([2]);
    expect(outcome.lags.created).to.deep.equal([]);
    expect(outcome.lags.scheduled).to.deep.equal([3]);
    expect(outcome.lags.running).to.deep.equal([7]);
    expect(outcome.lags.ready).to.deep.equal([7]);
    expect(outcome.replacements).to.equal(3);
    expect(outcome.withoutReplacement).to.deep.equal(['old-2']);
    expect(outcome.notInAudit).to.deep.equal(['ghost']);
    // Bound after the first kill, listed by no replacement; the pod bound before the kill is not a replacement.
    expect(outcome.unlisted).to.deep.equal(['stray']);
  });

  it('summarizes lags', () => {
    expect(lagSummary([])).to.deep.equal({ n: 0, p50: null, p99: null, max: null });
    const s = lagSummary(Array.from({ length: 101 }, (_, i) => i));
    expect(s).to.deep.equal({ n: 101, p50: 50, p99: 99, max: 100 });
  });
});
