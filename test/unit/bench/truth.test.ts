/** The fidelity benchmark's truth: audit timestamps to the microsecond, and the steady state replayed write by write. */
import { expect } from 'chai';
import { microTimeMs, parseAudit, type AuditEvent } from '../../../bench/fidelity/audit.js';
import { truthOf, type ReportedTrial } from '../../../bench/fidelity/truth.js';
import { auditEvents, deployment, T } from './audit-events.js';

const NS = 'fid';

function pod(uid: string, options: { ready?: boolean; node?: string | null; terminating?: boolean } = {}): unknown {
  return {
    kind: 'Pod',
    metadata: { name: `web-${uid}`, uid, labels: { app: 'web' }, ...(options.terminating === true ? { deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 } : {}) },
    spec: options.node === null ? {} : { nodeName: options.node ?? 'node-1' },
    status: options.ready === false ? { phase: 'Pending' } : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function slice(uids: string[]): unknown {
  return {
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: uids.map((uid) => ({ addresses: [uid], conditions: { ready: true }, targetRef: { kind: 'Pod', uid } })),
  };
}

const event = auditEvents(NS);

/** Three pods a, b, c behind the Service, available; a is killed at 1000 and replaced by d. */
function killAndReplace(lastWrite: 'slice' | 'deployment'): AuditEvent[] {
  const sliceAt = lastWrite === 'slice' ? 1400 : 1300;
  const deploymentAt = lastWrite === 'slice' ? 1300 : 1400;
  return [
    event(0, 'create', 'pods', pod('a')), event(1, 'create', 'pods', pod('b')), event(2, 'create', 'pods', pod('c')),
    event(3, 'update', 'endpointslices', slice(['a', 'b', 'c'])), event(4, 'update', 'deployments', deployment(3), { subresource: 'status' }),
    event(1000, 'delete', 'pods', pod('a', { terminating: true })),
    event(1010, 'update', 'endpointslices', slice(['b', 'c'])),
    event(1020, 'create', 'pods', pod('d', { ready: false, node: null })),
    event(1030, 'create', 'bindings', {}, { resource: 'pods', subresource: 'binding', name: 'web-d', responseObject: { kind: 'Status' } }),
    event(1050, 'update', 'deployments', deployment(2), { subresource: 'status' }),
    event(1200, 'patch', 'pods', pod('d'), { subresource: 'status' }),
    event(sliceAt, 'update', 'endpointslices', slice(['b', 'c', 'd'])),
    event(deploymentAt, 'update', 'deployments', deployment(3), { subresource: 'status' }),
  ];
}

const trial: ReportedTrial = {
  trial: 1, injectedAtMs: T + 1000, recoveredAtMs: T + 1402, windowEndMs: T + 5000, killedPods: ['web-a'], stoppedNodes: [], replacements: [],
};

describe('bench fidelity truth', () => {
  it('keeps the microseconds of audit timestamps', () => {
    // Epoch milliseconds as doubles keep about a quarter of a microsecond.
    expect(microTimeMs('2026-12-02T10:00:00.123456Z') - T).to.be.closeTo(123.456, 1e-3);
    expect(microTimeMs('2026-12-02T10:00:01Z') - T).to.equal(1000);
    expect(() => microTimeMs('yesterday')).to.throw(/not an audit timestamp/);
  });

  it('reads only the ResponseComplete stage of audit lines', () => {
    const line = (stage: string) => JSON.stringify({
      stage, verb: 'delete', objectRef: { resource: 'pods', namespace: NS, name: 'p' },
      requestReceivedTimestamp: '2026-12-02T10:00:00.000100Z', stageTimestamp: '2026-12-02T10:00:00.002300Z',
    });
    const events = parseAudit(`${line('ResponseStarted')}\n${line('ResponseComplete')}\n`);
    expect(events).to.have.length(1);
    expect(events[0].completedMs - events[0].receivedMs).to.be.closeTo(2.2, 1e-3);
  });

  for (const last of ['slice', 'deployment'] as const) {
    it(`takes the last write that made every check hold (${last} last) as the recovery`, () => {
      const [truth] = truthOf(killAndReplace(last), { namespace: NS, app: 'web', replicas: 3 }, [trial]);
      expect(truth.why).to.equal(null);
      expect(truth.deleteReceivedMs).to.equal(T + 999);
      expect(truth.recoveredMs).to.equal(T + 1400);
      const phases = truth.phases.get('d');
      expect(phases).to.deep.include({ created: T + 1020, scheduled: T + 1030, running: T + 1200, ready: T + 1200 });
      expect(phases?.endpointReady).to.equal(T + (last === 'slice' ? 1400 : 1300));
      expect(truth.created.map((p) => p.uid)).to.deep.equal(['d']);
    });
  }

  it('says so when the steady state never broke or never held again', () => {
    const events = killAndReplace('slice');
    const unbroken = truthOf(events.slice(0, 5), { namespace: NS, app: 'web', replicas: 3 }, [trial])[0];
    expect(unbroken.recoveredMs).to.equal(null);
    expect(unbroken.why).to.match(/never broke/);
    const stillBroken = truthOf(events.slice(0, -1), { namespace: NS, app: 'web', replicas: 3 }, [trial])[0];
    expect(stillBroken.recoveredMs).to.equal(null);
    expect(stillBroken.why).to.match(/did not hold again/);
  });

  it('does not count the pods and endpoints of a stopped node, from rebound\'s injection on', () => {
    const events = [
      event(0, 'create', 'pods', pod('a', { node: 'node-2' })), event(1, 'create', 'pods', pod('b')), event(2, 'create', 'pods', pod('c')),
      event(3, 'update', 'endpointslices', slice(['a', 'b', 'c'])), event(4, 'update', 'deployments', deployment(3), { subresource: 'status' }),
      event(9000, 'create', 'pods', pod('d')),
      event(9100, 'update', 'endpointslices', slice(['a', 'b', 'c', 'd'])),
    ];
    const stop: ReportedTrial = { ...trial, killedPods: [], stoppedNodes: ['node-2'], windowEndMs: T + 20_000 };
    const [truth] = truthOf(events, { namespace: NS, app: 'web', replicas: 3 }, [stop]);
    expect(truth.deleteReceivedMs).to.equal(null);
    expect(truth.recoveredMs).to.equal(T + 9100);
  });
});
