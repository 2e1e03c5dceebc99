/** The fidelity benchmark's comparison and gate: signed errors per figure, unmatched replacements, exit reasons. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../../harness/report/result.js';
import type { AuditEvent } from '../../../bench/fidelity/audit.js';
import { compareRun } from '../../../bench/fidelity/compare.js';
import { profileRun } from '../../../bench/fidelity/profile.js';
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
    const compared = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'd' }]), events, { namespace: NS, app: 'web', replicas: 3 });
    const [trial] = compared.trials;
    expect(compared.trials).to.have.length(1);
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
    // What the errors came from, handed on (to the CPU profile's late windows) so that nothing computes it again.
    expect(compared.reported.map((r) => [r.trial, r.injectedAtMs, r.recoveredAtMs])).to.deep.equal([[1, T + 1010, T + 1405]]);
    expect(compared.truths.map((t) => [t.trial, t.deleteReceivedMs, t.deleteCompletedMs, t.recoveredMs]))
      .to.deep.equal([[1, T + 998, T + 1000, T + 1400]]);
    expect(compared.truths[0]?.phases.get('d')).to.deep.include({ created: T + 1020, ready: T + 1200, endpointReady: T + 1300 });
  });

  it('counts a replacement rebound did not find, one the audit log never created, and a created pod rebound missed', () => {
    const none = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: null }]), events, { namespace: NS, app: 'web', replicas: 3 }).trials[0];
    expect(none.unmatched).to.have.length(2);
    expect(none.unmatched[0]).to.match(/no replacement for web-a/);
    expect(none.unmatched[1]).to.match(/pod d was created during the trial/);
    const ghost = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'zz' }]), events, { namespace: NS, app: 'web', replicas: 3 }).trials[0];
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

describe('bench fidelity late stamps (the CPU profile against the comparison\'s truths)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-profile-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  // The process's time origin is T on the wall clock and 0 on the monotonic one: a sample at 1_002_000 us is T + 1002 ms.
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'onEvent', url: 'file:///repo/dist/harness/run/observer.js', lineNumber: 40 }, children: [4] },
      { id: 4, callFrame: { functionName: 'parse', url: 'file:///repo/node_modules/yaml/parse.js', lineNumber: 9 } },
    ],
    // Idle at 1000 ms, in parse (under onEvent) at 1002 and 1002.5, idle at 1005; the next sample at 1010.5.
    startTime: 0, samples: [2, 4, 4, 2, 2], timeDeltas: [1_000_000, 2000, 500, 2500, 5500],
  };

  it('divides the late injectedAt (heard 10.5 ms after the DELETE\'s answer) into idle, running and not sampled', () => {
    writeFileSync(join(dir, 'CPU.20261202.100000.4242.0.001.cpuprofile'), JSON.stringify(profile));
    writeFileSync(join(dir, 'clock-mark-4242.json'), JSON.stringify({ pid: 4242, timeOriginWallMs: T, timeOriginMonotonicUs: 0 }));
    const compared = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'd' }]), events, { namespace: NS, app: 'web', replicas: 3 });
    const profiled = profileRun('run', dir, compared);
    // Stamped: injectedAt, and the replacement's created, running and endpointReady (scheduled has no time; deleted and
    // ready are left out). Only injectedAt is more than 10 ms late: 1010 + 0.5 of rounding against 1000.
    expect(profiled?.stamps).to.equal(4);
    expect(profiled?.windows).to.have.length(1);
    const [window] = profiled?.windows ?? [];
    expect(window).to.deep.include({ trial: 1, stamp: 'injectedAt (the DELETE answered)', lateMs: 10.5 });
    // Each sample covers at most 1 ms after it: idle 1 + 1, running 0.5 + 1 (charged to rebound's innermost function).
    expect(window?.idleMs).to.be.closeTo(2, 1e-9);
    expect(window?.runningMs).to.be.closeTo(1.5, 1e-9);
    expect(window?.notSampledMs).to.be.closeTo(7, 1e-9);
    expect(window?.running).to.deep.equal({ 'onEvent dist/harness/run/observer.js:41': 1.5 });
  });

  it('says a run without a profile and its clock mark was not profiled', () => {
    const compared = compareRun('run', result([{ pod: 'web-a', podUid: 'a', uid: 'd' }]), events, { namespace: NS, app: 'web', replicas: 3 });
    expect(profileRun('run', join(dir, 'missing'), compared)).to.equal(undefined);
    writeFileSync(join(dir, 'CPU.20261202.100000.4242.0.001.cpuprofile'), JSON.stringify(profile));
    expect(profileRun('run', dir, compared)).to.equal(undefined);
  });
});
