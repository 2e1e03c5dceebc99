/** The peers beside rebound in the fidelity bench: their figures against the audit truth, the journal, the venv. */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../../bench/fidelity/audit.js';
import { peersTable } from '../../../bench/peers/bench-peers.js';
import { readJournal } from '../../../bench/peers/chaostoolkit.js';
import { comparePeer, peerRows } from '../../../bench/peers/compare.js';
import type { PeerRun } from '../../../bench/peers/peer.js';
import { ensurePeersVenv, PeersSetupError, venvDir } from '../../../bench/peers/setup.js';
import { auditEvents, deployment, T } from './audit-events.js';

const NS = 'peer-ns';

function pod(uid: string, ready = true, terminating = false): unknown {
  return {
    kind: 'Pod',
    metadata: { name: `web-${uid}`, uid, labels: { app: 'web' }, ...(terminating ? { deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 } : {}) },
    spec: { nodeName: 'node-1' },
    status: ready ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } : { phase: 'Pending' },
  };
}

/** A slice as the API server returns one without endpoints: the field left out. */
function slice(uids: string[]): unknown {
  const base = { kind: 'EndpointSlice', metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } } };
  if (uids.length === 0) return base;
  return { ...base, endpoints: uids.map((uid) => ({ addresses: [uid], conditions: { ready: true }, targetRef: { uid } })) };
}

const event = auditEvents(NS);

/** The workload comes up (its slice first without endpoints); web-a is killed at 1000 (received at 999), d ready behind the Service at 1400. */
const EVENTS: AuditEvent[] = [
  event(0, 'create', 'endpointslices', slice([])),
  event(1, 'create', 'pods', pod('a')), event(2, 'create', 'pods', pod('b')), event(3, 'create', 'pods', pod('c')),
  event(4, 'update', 'endpointslices', slice(['a', 'b', 'c'])), event(5, 'update', 'deployments', deployment(3), { subresource: 'status' }),
  event(1000, 'delete', 'pods', pod('a', true, true)),
  event(1010, 'update', 'endpointslices', slice(['b', 'c'])),
  event(1020, 'create', 'pods', pod('d', false)),
  event(1050, 'update', 'deployments', deployment(2), { subresource: 'status' }),
  event(1200, 'patch', 'pods', pod('d'), { subresource: 'status' }),
  event(1300, 'update', 'deployments', deployment(3), { subresource: 'status' }),
  event(1400, 'update', 'endpointslices', slice(['b', 'c', 'd'])),
];

function run(trials: { start: number; figure: number | null }[]): PeerRun {
  return {
    peer: 'krkn-lib', namespace: NS, startedAtMs: T, startupMs: 0, finishedAtMs: T + 5000,
    trials: trials.map((t, i) => ({ trial: i + 1, windowStartMs: T + t.start, wallMs: 300, verdict: 'recovered', figures: { total_recovery_time: t.figure }, detail: {} })),
  };
}

describe('bench peers', () => {
  it('sets a peer\'s figure against the audit truth: from the DELETE received to the last write that made the checks hold', () => {
    const [compared] = comparePeer(run([{ start: 500, figure: 300 }]), EVENTS, { app: 'web', replicas: 3 });
    expect(compared.pod).to.equal('web-a');
    expect(compared.truthMs).to.equal(1400 - 999);
    expect(compared.errors.total_recovery_time).to.equal(300 - 401);
    expect(compared.note).to.equal(null);
  });

  it('gives a trial without a DELETE in its window no truth, and says so', () => {
    const compared = comparePeer(run([{ start: 500, figure: 300 }, { start: 2000, figure: 300 }]), EVENTS, { app: 'web', replicas: 3 });
    expect(compared[1].pod).to.equal(null);
    expect(compared[1].errors).to.deep.equal({});
    expect(compared[1].note).to.match(/no DELETE/);
  });

  it('puts rebound\'s row first and each peer\'s error as a multiple of rebound\'s', () => {
    const rows = peerRows(comparePeer(run([{ start: 500, figure: 601 }]), EVENTS, { app: 'web', replicas: 3 }));
    expect(rows).to.have.length(1);
    expect(rows[0].error?.p50).to.equal(200);
    const text = peersTable([{ who: 'rebound', figure: 'recoveryTimeMs', trials: 1, error: { n: 1, p50: 20, p99: 40, max: 40, bias: 0 },
      wallP50Ms: 100, wallMaxMs: 100, verdicts: { PASS: 1 } }, ...rows]);
    expect(text).to.match(/\| krkn-lib +\| total_recovery_time .*\| 10\.0x +\| 5\.0x +\|/);
  });

  it('reads a Chaos Toolkit journal: its verdict and the action start to the end of the hypothesis after it (UTC without a zone)', () => {
    const reading = readJournal(JSON.stringify({
      status: 'completed', deviated: true, duration: 2.5,
      run: [{ activity: { name: 'kill-one-pod' }, status: 'succeeded', start: '2026-12-02T10:00:00.100000', end: '2026-12-02T10:00:00.150000', duration: 0.05 }],
      steady_states: { before: null, after: { steady_state_met: false, probes: [
        { activity: { name: 'a' }, status: 'succeeded', start: '2026-12-02T10:00:00.160000', end: '2026-12-02T10:00:00.400000', duration: 0.24 },
        { activity: { name: 'b' }, status: 'succeeded', start: '2026-12-02T10:00:00.400000', end: '2026-12-02T10:00:00.450000', duration: 0.05 },
      ] } },
    }));
    expect(reading.verdict).to.equal('completed, deviated');
    expect(reading.figures['action start to hypothesis end']).to.equal(350);
    expect(readJournal('{"status": "aborted"}').figures['action start to hypothesis end']).to.equal(null);
  });

  it('fails the venv\'s setup with a PeersSetupError when there is no Python to build it, and marks nothing complete', () => {
    const home = mkdtempSync(join(tmpdir(), 'rebound-peers-'));
    const saved = { home: process.env.REBOUND_HOME, python: process.env.REBOUND_PEERS_PYTHON };
    process.env.REBOUND_HOME = home;
    process.env.REBOUND_PEERS_PYTHON = join(home, 'no-such-python3.12');
    try {
      expect(venvDir()).to.match(/peers-venv-py3\.12-krkn-lib-7\.0\.3-chaostoolkit-1\.21\.4-chaostoolkit-kubernetes-0\.39\.0$/);
      expect(() => ensurePeersVenv(() => undefined)).to.throw(PeersSetupError, /no-such-python3\.12/);
      expect(existsSync(join(venvDir(), '.rebound-complete'))).to.equal(false);
    } finally {
      for (const [key, value] of [['REBOUND_HOME', saved.home], ['REBOUND_PEERS_PYTHON', saved.python]] as const) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
      rmSync(home, { recursive: true, force: true });
    }
  });
});
