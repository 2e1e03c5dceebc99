import { expect } from 'chai';
import { parseRecord, recordName, recordObject, type ClusterRecord, type RecordState } from '../../../harness/run/cluster-journal.js';
import type { FoundJournal, JournalEntry, JournalFile } from '../../../harness/run/journal.js';
import { blockingRuns, describeRun, openRuns } from '../../../harness/run/open-runs.js';

const HOST = 'ci-runner-1';

function journal(runId: string, entries: readonly JournalEntry[], pid = 4242): JournalFile {
  return {
    version: 1, runId, pid, command: ['node', 'bin/rebound.js', 'run', 'x.yaml'], startedAt: '2026-12-02T07:00:00.000Z',
    cluster: { provider: 'kubeconfig', name: 'staging', kubeconfig: '/home/a/.kube/config', context: 'staging' }, entries,
  };
}

const cordon: JournalEntry = { id: 1, stage: 'fault', label: 'revert nodeCordon (node-1)', steps: [{ op: 'uncordon', node: 'node-1' }] };
const scalePlanned: JournalEntry = { id: 2, stage: 'fault', label: 'revert scale', steps: [] };
const scaleExact: JournalEntry = { ...scalePlanned, steps: [{ op: 'scale', kind: 'Deployment', namespace: 'ns', name: 'web', replicas: 3 }] };
const namespace: JournalEntry = { id: 3, stage: 'namespace', label: 'delete namespace ns', steps: [{ op: 'deleteNamespace', name: 'ns', runId: 'r1' }] };

function onDisk(file: JournalFile, flags: Partial<Pick<FoundJournal, 'running' | 'stale'>> = {}): FoundJournal {
  return { file: `/ledger/${file.runId}.json`, journal: file, running: flags.running ?? false, stale: flags.stale ?? false };
}

/** A record as the API server gives it back: through the ConfigMap rebound writes and the parser recover uses. */
function inCluster(file: JournalFile, state: RecordState, host: string, heartbeat = '2026-12-02T07:01:00.000Z'): ClusterRecord {
  const object = recordObject(file, state, host, { heartbeat });
  const parsed = parseRecord({ ...object, metadata: { ...object.metadata, resourceVersion: '17' } }, HOST);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('open runs: journals on disk and records in the cluster, merged', () => {
  it('one run found in both places is one run, its changes the union by id, the disk\'s version first', () => {
    // The disk knows the exact scale step and that the namespace is gone; the cluster was behind on both.
    const disk = onDisk(journal('20261202T070000-aaaaaa', [cordon, scaleExact]));
    const record = inCluster(journal('20261202T070000-aaaaaa', [scalePlanned, namespace]), 'open', HOST);
    const runs = openRuns([disk], [record], HOST);
    expect(runs).to.have.length(1);
    expect(runs[0]?.journal.entries).to.deep.equal([cordon, scaleExact, namespace]);
    expect(runs[0]?.disk).to.equal(disk);
    expect(runs[0]?.record?.name).to.equal('run-20261202t070000-aaaaaa');
    expect(runs[0]?.liveness).to.equal('ended');
  });

  it('a record of another machine is a run elsewhere, which blocks a new run whether or not it still goes', () => {
    const runs = openRuns([], [inCluster(journal('20261202T070000-bbbbbb', [cordon]), 'open', 'laptop-7')], HOST);
    expect(runs.map((r) => r.liveness)).to.deep.equal(['elsewhere']);
    expect(blockingRuns(runs).map((r) => r.runId)).to.deep.equal(['20261202T070000-bbbbbb']);
    expect(describeRun(runs[0])).to.equal('run 20261202T070000-bbbbbb on laptop-7 (pid 4242, started 2026-12-02T07:00:00.000Z, last heartbeat 2026-12-02T07:01:00.000Z)');
  });

  it('a reverted record empties the run, even when a journal of it is still on this disk', () => {
    const runs = openRuns([onDisk(journal('20261202T070000-cccccc', [cordon]))], [inCluster(journal('20261202T070000-cccccc', []), 'reverted', 'laptop-7')], HOST);
    expect(runs[0]?.reverted).to.equal(true);
    expect(runs[0]?.journal.entries).to.deep.equal([]);
    expect(runs[0]?.liveness).to.equal('ended');
    expect(blockingRuns(runs)).to.deep.equal([]);
  });

  it('a run going on this machine, a stale journal and an empty one do not block; a recovering record does', () => {
    const runs = openRuns([
      onDisk(journal('20261202T070000-dddddd', [cordon]), { running: true }),
      onDisk(journal('20261202T070000-eeeeee', [cordon]), { stale: true }),
      onDisk(journal('20261202T070000-ffffff', [])),
    ], [inCluster(journal('20261202T070000-gggggg', [namespace]), 'recovering', HOST)], HOST);
    expect(runs.map((r) => [r.runId, r.liveness, r.stale])).to.deep.equal([
      ['20261202T070000-dddddd', 'here', false],
      ['20261202T070000-eeeeee', 'ended', true],
      ['20261202T070000-ffffff', 'ended', false],
      ['20261202T070000-gggggg', 'ended', false],
    ]);
    expect(blockingRuns(runs).map((r) => r.runId)).to.deep.equal(['20261202T070000-gggggg']);
  });

  it('a record never counts as stale: it lives in the cluster it describes', () => {
    const runs = openRuns([onDisk(journal('20261202T070000-hhhhhh', [cordon]), { stale: true })], [inCluster(journal('20261202T070000-hhhhhh', [cordon]), 'open', HOST)], HOST);
    expect(runs[0]?.stale).to.equal(false);
    expect(blockingRuns(runs)).to.have.length(1);
  });
});

describe('records of the in-cluster ledger', () => {
  it('hold the journal file\'s JSON, and the run, state, machine and changes count where kubectl shows them', () => {
    const file = journal('20261202T070000-aaaaaa', [cordon, namespace]);
    const object = recordObject(file, 'open', HOST, { heartbeat: '2026-12-02T07:00:05.000Z' });
    expect(object.metadata?.name).to.equal(recordName(file.runId));
    expect(object.metadata?.namespace).to.equal('rebound-system');
    expect(object.metadata?.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'rebound', 'app.kubernetes.io/component': 'ledger', 'rebound.dev/run': file.runId, 'rebound.dev/state': 'open' });
    expect(object.metadata?.annotations).to.include({ 'rebound.dev/host': HOST, 'rebound.dev/pid': '4242', 'rebound.dev/open-changes': '2', 'rebound.dev/heartbeat': '2026-12-02T07:00:05.000Z' });
    expect(JSON.parse(object.data?.['journal.json'] ?? '')).to.deep.equal(file);
  });

  it('that are not readable say why, naming the ConfigMap', () => {
    const good = recordObject(journal('20261202T070000-aaaaaa', []), 'open', HOST, {});
    const withRv = { ...good, metadata: { ...good.metadata, resourceVersion: '1' } };
    expect(parseRecord({ ...withRv, metadata: { ...withRv.metadata, labels: {} } }, HOST)).to.equal('run-20261202t070000-aaaaaa: label rebound.dev/state is missing');
    expect(parseRecord({ ...withRv, data: { 'journal.json': '{' } }, HOST)).to.match(/^run-20261202t070000-aaaaaa: journal.json is not JSON/);
    expect(parseRecord({ ...withRv, data: { 'journal.json': '{"version":2}' } }, HOST)).to.equal('run-20261202t070000-aaaaaa: journal.json is not a rebound journal');
    expect(parseRecord({ ...withRv, data: {} }, HOST)).to.equal('run-20261202t070000-aaaaaa: no journal.json');
  });
});
