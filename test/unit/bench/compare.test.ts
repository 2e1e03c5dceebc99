/** The fidelity benchmark's comparison and gate: signed errors per figure, unmatched replacements, exit reasons. */
import { expect } from 'chai';
import type { RunResult } from '../../../harness/report/result.js';
import type { AuditEvent } from '../../../bench/fidelity/audit.js';
import { compareRun } from '../../../bench/fidelity/compare.js';
import { fidelityTable, gateFailures } from '../../../bench/fidelity/report.js';

const NS = 'fid';
const T = Date.parse('2026-12-02T10:00:00Z');
const iso = (at: number): string => new Date(T + at).toISOString();

function pod(uid: string, ready: boolean, terminating = false): unknown {
  return {
    kind: 'Pod',
    metadata: { name: `web-${uid}`, uid, labels: { app: 'web' }, ...(terminating ? { deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 } : {}) },
    spec: { nodeName: 'node-1' },
    status: ready ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } : { phase: 'Pending' },
  };
}

function write(at: number, verb: string, resource: string, body: unknown, subresource?: string): AuditEvent {
  const name = (body as { metadata?: { name?: string } }).metadata?.name;
  return {
    verb, stage: 'ResponseComplete', user: 'u', resource, subresource, namespace: NS, name, code: 200,
    receivedMs: T + at - 2, completedMs: T + at, requestObject: undefined, responseObject: body,
  };
}

const slice = (uids: string[]): unknown => ({
  kind: 'EndpointSlice', metadata: { name: 's', labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: uids.map((uid) => ({ addresses: [uid], conditions: { ready: true }, targetRef: { kind: 'Pod', uid } })),
});
const deployment = (available: number): unknown => ({
  kind: 'Deployment', metadata: { name: 'web', generation: 1 }, status: { observedGeneration: 1, updatedReplicas: 3, availableReplicas: available },
});

/** a, b, c; a killed (DELETE received at 998), d created at 1020, ready at 1200, behind the Service at 1300; available at 1400. */
const events: AuditEvent[] = [
  write(0, 'create', 'pods', pod('a', true)), write(1, 'create', 'pods', pod('b', true)), write(2, 'create', 'pods', pod('c', true)),
  write(3, 'update', 'endpointslices', slice(['a', 'b', 'c'])), write(4, 'update', 'deployments', deployment(3), 'status'),
  write(1000, 'delete', 'pods', pod('a', true, true)),
  write(1010, 'update', 'endpointslices', slice(['b', 'c'])),
  write(1020, 'create', 'pods', pod('d', false)),
  write(1050, 'update', 'deployments', deployment(2), 'status'),
  write(1200, 'patch', 'pods', pod('d', true), 'status'),
  write(1300, 'update', 'endpointslices', slice(['b', 'c', 'd'])),
  write(1400, 'update', 'deployments', deployment(3), 'status'),
];

function result(replacements: { pod: string; podUid: string; uid: string | null }[]): RunResult {
  const trial = {
    trial: 1, t0: iso(900), injectedAt: iso(1010), recoveredAt: iso(1405), recoveryTimeMs: 395,
    faults: [{ index: 0, kind: 'podKill', atMs: 0, injectedAt: iso(1010), summary: '', targets: [{ kind: 'Pod', name: 'web-a' }], error: null }],
    replacements: replacements.map((r) => ({
      pod: { name: r.pod, uid: r.podUid, node: 'node-1' },
      replacement: r.uid === null ? null : { name: `web-${r.uid}`, uid: r.uid, node: 'node-1' },
      owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' },
      phasesMs: {},
      at: { deleted: iso(1003), created: iso(1025), scheduled: null, running: iso(1201), ready: iso(1201), endpointReady: iso(1302) },
    })),
  };
  return {
    scenarios: [{ namespace: NS, startedAt: iso(0), finishedAt: iso(5000), expect: { settleMs: 1000 }, trials: [trial] }],
  } as unknown as RunResult;
}

describe('bench fidelity comparison', () => {
  it('gives rebound minus the audit log per figure, the recovery as durations', () => {
    const [trial] = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'd' }]), events, { namespace: NS, app: 'web', replicas: 3 });
    expect(trial.unmatched).to.deep.equal([]);
    expect(trial.errors.injectedAt).to.be.closeTo(12, 1e-6); // 1010 against the DELETE received at 998
    expect(trial.errors['injectedAt-vs-done']).to.be.closeTo(10, 1e-6);
    expect(trial.errors.recoveredAt).to.be.closeTo(5, 1e-6); // the Deployment's status at 1400 was the last write
    expect(trial.errors.recovery).to.be.closeTo(395 - 402, 1e-6);
    expect(trial.errors['recovery-vs-done']).to.be.closeTo(395 - 400, 1e-6); // the truth from the DELETE's answer at 1000
    expect(trial.errors['phase:deleted']).to.be.closeTo(3, 1e-6);
    expect(trial.errors['phase:created']).to.be.closeTo(5, 1e-6);
    expect(trial.errors['phase:ready']).to.be.closeTo(1, 1e-6);
    expect(trial.errors['phase:endpointReady']).to.be.closeTo(2, 1e-6);
    expect(trial.errors['phase:scheduled']).to.equal(undefined); // rebound gave no time for it
  });

  it('counts a replacement rebound did not find, one the audit log never created, and a created pod rebound missed', () => {
    const none = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: null }]), events, { namespace: NS, app: 'web', replicas: 3 })[0];
    expect(none.unmatched).to.have.length(2);
    expect(none.unmatched[0]).to.match(/no replacement for web-a/);
    expect(none.unmatched[1]).to.match(/pod d was created during the trial/);
    const ghost = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'zz' }]), events, { namespace: NS, app: 'web', replicas: 3 })[0];
    expect(ghost.unmatched.join('\n')).to.match(/replacement zz of web-a was not created in the audit log/);
  });

  it('fails the bench on a recovery p99 over 50 ms or any unmatched replacement, and passes otherwise', () => {
    const comparison = (recovery: number) => ({ run: 'r', trial: 1, errors: { recovery }, unmatched: [], note: null });
    const good = fidelityTable([comparison(10), comparison(-49)], ['r']).summaries;
    expect(gateFailures(good, 0)).to.deep.equal([]);
    expect(gateFailures(good, 1)).to.deep.equal(['1 replacement(s) unmatched']);
    const bad = fidelityTable([comparison(10), comparison(-60)], ['r']).summaries;
    expect(gateFailures(bad, 0)[0]).to.match(/p99 of recovery 59\.\d ms is worse than 50 ms/);
    expect(gateFailures(fidelityTable([], ['r']).summaries, 0)).to.deep.equal(['no trial could be compared']);
  });
});
