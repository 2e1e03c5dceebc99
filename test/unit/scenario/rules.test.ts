import { expect } from 'chai';
import { baseScenario, lines, loadData, removeTemporaryFolders, show } from './support.js';

type Doc = ReturnType<typeof baseScenario>;

/** Loads the base scenario after `change`, returning its errors and warnings as `path: message` lines. */
async function check(change: (doc: Doc) => void): Promise<{ errors: string[]; warnings: string[]; valid: boolean; shown: string }> {
  const doc = baseScenario();
  change(doc);
  const result = await loadData(doc);
  return {
    errors: lines(result.errors),
    warnings: lines(result.warnings),
    valid: result.scenario !== undefined,
    shown: show([...result.errors, ...result.warnings]),
  };
}

function spec(doc: Doc): Record<string, unknown> {
  return doc.spec;
}

describe('scenario rules', () => {
  after(removeTemporaryFolders);

  it('accepts the base scenario without issues', async () => {
    const result = await check(() => undefined);
    expect(result.errors, result.shown).to.deep.equal([]);
    expect(result.warnings, result.shown).to.deep.equal([]);
    expect(result.valid).to.equal(true);
  });

  describe('settle < recoveryWithin', () => {
    it('rejects an explicit settle as long as recoveryWithin', async () => {
      const { errors } = await check((doc) => { spec(doc).expect = { recoveryWithin: '10s', settle: '10s' }; });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^spec\.expect\.settle: settle \(10s\) must be shorter than recoveryWithin \(10s\)/);
    });
    it('says when the settle at fault is the default', async () => {
      const { errors } = await check((doc) => { spec(doc).expect = { recoveryWithin: '1s' }; });
      expect(errors.join('\n')).to.contain('settle (1s, the default) must be shorter than recoveryWithin (1s)');
    });
    it('accepts a shorter settle', async () => {
      expect((await check((doc) => { spec(doc).expect = { recoveryWithin: '1s', settle: '999ms' }; })).valid).to.equal(true);
    });
  });

  describe('recoveryWithin > the largest at', () => {
    it('rejects each fault at or after recoveryWithin', async () => {
      const { errors } = await check((doc) => {
        spec(doc).faults = [{ podKill: { selector: 'a=b' } }, { at: '30s', podKill: { selector: 'a=b' } }, { at: '10s', podKill: { selector: 'a=b' } }];
      });
      expect(errors).to.deep.equal(['spec.faults[1].at: at (30s) must be earlier than expect.recoveryWithin (30s) (hint: recoveryWithin must be longer than the largest at)']);
    });
  });

  describe('count, percent and min', () => {
    it('rejects count with percent', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ podKill: { selector: 'a=b', count: 2, percent: 50 } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].podKill.percent: give count or percent, not both']);
    });
    it('rejects count with percent on a deleteObject by selector', async () => {
      const { errors } = await check((doc) => {
        spec(doc).faults = [{ deleteObject: { apiVersion: 'v1', kind: 'ConfigMap', selector: 'a=b', count: 1, percent: 10 } }];
      });
      expect(errors).to.deep.equal(['spec.faults[0].deleteObject.percent: give count or percent, not both']);
    });
    it('rejects count with min in checks', async () => {
      const { errors } = await check((doc) => { spec(doc).steadyState = [{ nodesReady: { count: 3, min: 2 } }]; });
      expect(errors).to.deep.equal(['spec.steadyState[0].nodesReady.min: give count (exactly) or min (at least), not both']);
    });
    for (const percent of [0, 0.5, 101, 150]) {
      it(`rejects percent ${percent}`, async () => {
        const { errors } = await check((doc) => { spec(doc).faults = [{ podKill: { selector: 'a=b', percent } }]; });
        expect(errors).to.deep.equal([`spec.faults[0].podKill.percent: must be between 1 and 100 (got the number ${percent})`]);
      });
    }
    it('accepts percent 1 and 100', async () => {
      expect((await check((doc) => { spec(doc).faults = [{ podKill: { selector: 'a=b', percent: 1 } }, { podDelete: { selector: 'a=b', percent: 100 } }]; })).valid).to.equal(true);
    });
    it('rejects count 0', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ podKill: { selector: 'a=b', count: 0 } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].podKill.count: must be at least 1 (got the number 0)']);
    });
  });

  describe('selectors', () => {
    const bad = 'app in (a,b';
    const placements: [string, (doc: Doc) => void, string][] = [
      ['a pod fault', (doc) => { spec(doc).faults = [{ podKill: { selector: bad } }]; }, 'spec.faults[0].podKill.selector'],
      ['nodesOf', (doc) => { spec(doc).faults = [{ nodeCordon: { nodesOf: bad } }]; }, 'spec.faults[0].nodeCordon.nodesOf'],
      ['a node fault', (doc) => { spec(doc).faults = [{ nodeCordon: { selector: bad } }]; }, 'spec.faults[0].nodeCordon.selector'],
      ['deleteObject', (doc) => { spec(doc).faults = [{ deleteObject: { apiVersion: 'v1', kind: 'Pod', selector: bad } }]; }, 'spec.faults[0].deleteObject.selector'],
      ['podsReady', (doc) => { spec(doc).steadyState = [{ podsReady: { selector: bad } }]; }, 'spec.steadyState[0].podsReady.selector'],
      ['nodesReady', (doc) => { spec(doc).steadyState = [{ nodesReady: { selector: bad } }]; }, 'spec.steadyState[0].nodesReady.selector'],
    ];
    for (const [where, change, path] of placements) {
      it(`checks the syntax of ${where}`, async () => {
        const { errors } = await check(change);
        expect(errors).to.deep.equal([`${path}: invalid selector \`${bad}\`: expected \`,\` or \`)\` in the values of \`app in\``]);
      });
    }
    it('checks metadata.labels keys and values', async () => {
      const { errors } = await check((doc) => { doc.metadata.labels = { 'bad key': 'x', good: 'not ok!' }; });
      expect(errors).to.have.length(2);
      expect(errors[0]).to.match(/^metadata\.labels\["bad key"\]: `bad key` is not a label key/);
      expect(errors[1]).to.match(/^metadata\.labels\.good: `not ok!` is not a label value/);
    });
  });

  describe('processes', () => {
    const operator = { name: 'operator', command: ['./manager'], restart: 'always' };
    it('rejects processKill of a process that does not exist, suggesting the closest', async () => {
      const { errors } = await check((doc) => {
        spec(doc).processes = [operator];
        spec(doc).faults = [{ processKill: { process: 'operatr' } }];
      });
      expect(errors).to.deep.equal(['spec.faults[0].processKill.process: no process named operatr in spec.processes (hint: did you mean operator?)']);
    });
    it('says so when there are no processes at all', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ processKill: { process: 'operator' } }]; });
      expect(errors.join('\n')).to.contain('spec.processes is empty; use pidFile or command');
    });
    it('rejects duplicate process names', async () => {
      const { errors } = await check((doc) => { spec(doc).processes = [operator, { ...operator, restart: 'never' }]; });
      expect(errors).to.deep.equal(['spec.processes[1].name: duplicate process name operator (hint: give each process its own name)']);
    });
    it('rejects an invalid ready.log regular expression', async () => {
      const { errors } = await check((doc) => { spec(doc).processes = [{ ...operator, ready: { log: 'started (' } }]; });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^spec\.processes\[0\]\.ready\.log: invalid regular expression/);
    });
    it('rejects a ready.http that is not an http URL', async () => {
      const { errors } = await check((doc) => { spec(doc).processes = [{ ...operator, ready: { http: 'localhost:8080' } }]; });
      expect(errors).to.deep.equal(['spec.processes[0].ready.http: `localhost:8080` is not an http:// or https:// URL']);
    });
    it('rejects a restart policy outside always | never', async () => {
      const { errors } = await check((doc) => { spec(doc).processes = [{ ...operator, restart: 'OnFailure' }]; });
      expect(errors).to.deep.equal(['spec.processes[0].restart: must be one of always, never (got "OnFailure")']);
    });
    it('rejects an invalid processKill.command regular expression', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ processKill: { command: '[manager' } }]; });
      expect(errors[0]).to.match(/^spec\.faults\[0\]\.processKill\.command: invalid regular expression/);
    });
  });

  describe('object checks', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', name: 'web', jsonPath: '{.status.phase}' };
    it('rejects equals with matches', async () => {
      const { errors } = await check((doc) => { spec(doc).steadyState = [{ object: { ...object, equals: 'Running', matches: 'Run' } }]; });
      expect(errors).to.deep.equal(['spec.steadyState[0].object.matches: give equals or matches, not both']);
    });
    it('rejects neither equals nor matches', async () => {
      const { errors } = await check((doc) => { spec(doc).steadyState = [{ object }]; });
      expect(errors).to.deep.equal(['spec.steadyState[0].object: needs equals (the exact value) or matches (a regular expression)']);
    });
    it('compiles matches as a regular expression', async () => {
      const { errors } = await check((doc) => { spec(doc).steadyState = [{ object: { ...object, matches: '(Run' } }]; });
      expect(errors[0]).to.match(/^spec\.steadyState\[0\]\.object\.matches: invalid regular expression: .*Unterminated group/);
    });
    it('wants kubectl JSONPath braces', async () => {
      const { errors } = await check((doc) => { spec(doc).steadyState = [{ object: { ...object, jsonPath: '.status.phase', equals: 'Running' } }]; });
      expect(errors).to.deep.equal(['spec.steadyState[0].object.jsonPath: `.status.phase` is not kubectl JSONPath (hint: write {.status.phase})']);
    });
  });

  it('takes http:// and https:// URLs in http checks', async () => {
    const { errors, shown } = await check((doc) => {
      spec(doc).steadyState = [{ http: { url: 'http://127.0.0.1:8080/healthz' } }, { http: { url: 'https://web.example.com/healthz' } }];
    });
    expect(errors, shown).to.deep.equal([]);
  });

  it('rejects an http check whose url is not http(s)', async () => {
    const { errors } = await check((doc) => { spec(doc).steadyState = [{ http: { url: 'ftp://example.com/' } }]; });
    expect(errors).to.deep.equal(['spec.steadyState[0].http.url: `ftp://example.com/` is not an http:// or https:// URL']);
  });

  it('rejects a nodeTaint effect Kubernetes does not have', async () => {
    const { errors } = await check((doc) => { spec(doc).faults = [{ nodeTaint: { nodesOf: 'a=b', key: 'k', effect: 'NoExecut' } }]; });
    expect(errors).to.deep.equal(['spec.faults[0].nodeTaint.effect: must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoExecut") (hint: did you mean NoExecute?)']);
  });

  it('rejects scaling a DaemonSet, which has no replicas', async () => {
    const { errors } = await check((doc) => { spec(doc).faults = [{ scale: { kind: 'DaemonSet', name: 'agent', replicas: 0 } }]; });
    expect(errors).to.deep.equal(['spec.faults[0].scale.kind: must be one of Deployment, StatefulSet, ReplicaSet (got "DaemonSet")']);
  });

  describe('namespaces', () => {
    it('rejects kube-system in allowNamespaces', async () => {
      const { errors } = await check((doc) => { spec(doc).allowNamespaces = ['kube-system']; });
      expect(errors).to.deep.equal(['spec.allowNamespaces[0]: faults never touch kube-system']);
    });
    it('rejects kube-system as the scenario namespace', async () => {
      const { errors } = await check((doc) => { spec(doc).namespace = 'kube-system'; });
      expect(errors).to.deep.equal(['spec.namespace: faults never touch kube-system (hint: run the system under test in its own namespace)']);
    });
    it('rejects a fault in kube-system', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ podKill: { selector: 'a=b', namespace: 'kube-system' } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].podKill.namespace: faults never touch kube-system']);
    });
    it('rejects a fault in a namespace not allowed', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ scale: { kind: 'Deployment', name: 'op', namespace: 'ops', replicas: 0 } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].scale.namespace: faults may not touch namespace ops (hint: add ops to spec.allowNamespaces)']);
    });
    it('accepts the scenario namespace and allowNamespaces', async () => {
      const result = await check((doc) => {
        spec(doc).allowNamespaces = ['ops'];
        spec(doc).faults = [{ podKill: { selector: 'a=b', namespace: 'ops' } }, { podKill: { selector: 'a=b', namespace: 'web' } }];
      });
      expect(result.errors, result.shown).to.deep.equal([]);
    });
    it('rejects repeated allowNamespaces', async () => {
      const { errors } = await check((doc) => { spec(doc).allowNamespaces = ['ops', 'ops']; });
      expect(errors).to.deep.equal(['spec.allowNamespaces[1]: repeats entry [0]']);
    });
  });

  describe('node targets', () => {
    it('rejects selector with nodesOf', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ nodeDrain: { selector: 'pool=a', nodesOf: 'app=web' } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].nodeDrain.nodesOf: give selector (node labels) or nodesOf (the nodes of these pods), not both']);
    });
    it('rejects a namespace without nodesOf', async () => {
      const { errors } = await check((doc) => { spec(doc).faults = [{ nodeCordon: { selector: 'pool=a', namespace: 'web' } }]; });
      expect(errors).to.deep.equal(['spec.faults[0].nodeCordon.namespace: namespace applies to the pods of nodesOf; without nodesOf it selects nothing']);
    });
  });

  describe('durations', () => {
    it('rejects a zero timeout, fault duration and http timeout', async () => {
      const { errors } = await check((doc) => {
        spec(doc).timeout = '0s';
        spec(doc).faults = [{ nodeStop: { nodesOf: 'a=b', duration: '0ms' } }];
        spec(doc).steadyState = [{ http: { url: 'http://localhost/', timeout: '0' } }];
      });
      // Issues come in file order.
      expect(errors).to.deep.equal([
        'spec.steadyState[0].http.timeout: must be longer than 0s',
        'spec.faults[0].nodeStop.duration: must be longer than 0s',
        'spec.timeout: must be longer than 0s',
      ]);
    });
    it('accepts maxDisruption: 0s (zero downtime), and still refuses recoveryWithin: 0s', async () => {
      const zeroDowntime = await check((doc) => { spec(doc).expect = { recoveryWithin: '30s', maxDisruption: '0s' }; });
      expect(zeroDowntime.errors).to.deep.equal([]);
      expect(zeroDowntime.warnings).to.deep.equal([]);
      const { errors } = await check((doc) => { spec(doc).expect = { recoveryWithin: '0s', settle: '0s' }; });
      expect(errors).to.include('spec.expect.recoveryWithin: must be longer than 0s');
    });
  });

  it('rejects a scenario with nothing to check', async () => {
    const { errors } = await check((doc) => { delete spec(doc).steadyState; });
    expect(errors).to.deep.equal(['spec: nothing to check: give steadyState, or desiredState to derive it from']);
  });

  describe('warnings', () => {
    it('warns when the timeout cannot fit the trials, and the scenario stays valid', async () => {
      const result = await check((doc) => { spec(doc).trials = 3; spec(doc).timeout = '1m'; });
      expect(result.valid).to.equal(true);
      expect(result.errors).to.deep.equal([]);
      expect(result.warnings).to.deep.equal([
        'spec.timeout: timeout (1m) may end the run before 3 trials of up to 31s each (recoveryWithin + settle) (hint: raise timeout above 1m33s)',
      ]);
    });
    it('does not warn when the timeout fits', async () => {
      expect((await check((doc) => { spec(doc).trials = 3; spec(doc).timeout = '2m'; })).warnings).to.deep.equal([]);
    });
    it('warns when the timeout is exactly what the trials may take, and not 1ms beyond', async () => {
      // 3 trials of recoveryWithin 30s + the default settle 1s: 1m33s at most.
      const at = await check((doc) => { spec(doc).trials = 3; spec(doc).timeout = '1m33s'; });
      expect(at.warnings).to.deep.equal([
        'spec.timeout: timeout (1m33s) may end the run before 3 trials of up to 31s each (recoveryWithin + settle) (hint: raise timeout above 1m33s)',
      ]);
      expect((await check((doc) => { spec(doc).trials = 3; spec(doc).timeout = '1m33s1ms'; })).warnings).to.deep.equal([]);
    });
    it('warns when the default timeout cannot fit many trials', async () => {
      const { warnings } = await check((doc) => { spec(doc).trials = 30; });
      expect(warnings.join('\n')).to.contain('timeout (10m, the default) may end the run before 30 trials');
    });
    it('warns when maxDisruption is not shorter than recoveryWithin', async () => {
      const { warnings } = await check((doc) => { spec(doc).expect = { recoveryWithin: '30s', maxDisruption: '30s' }; });
      expect(warnings).to.deep.equal(['spec.expect.maxDisruption: maxDisruption (30s) is not shorter than recoveryWithin (30s), so it never decides anything']);
    });
    it('warns when a fault holds past recoveryWithin, and not when it ends in time', async () => {
      const { warnings } = await check((doc) => {
        spec(doc).expect = { recoveryWithin: '4m' };
        spec(doc).faults = [{ nodeStop: { selector: 'pool=a', duration: '5m' } }, { at: '30s', nodePause: { selector: 'pool=b', duration: '3m' } }];
      });
      expect(warnings.filter((w) => w.includes('holds until'))).to.deep.equal([
        'spec.faults[0].nodeStop.duration: the fault holds until 5m after injection, not before expect.recoveryWithin (4m) ends: the trial passes only if the system heals while it still holds (hint: that is right for a node the cluster must route around; to measure recovery after the revert, make recoveryWithin longer than at + duration)',
      ]);
    });
    it('warns when a fault holds exactly until recoveryWithin ends, and not when it ends 1ms before', async () => {
      const holding = (duration: string) => check((doc) => {
        spec(doc).expect = { recoveryWithin: '4m' };
        spec(doc).faults = [{ at: '30s', nodeStop: { selector: 'pool=a', duration } }];
      });
      expect((await holding('3m30s')).warnings).to.deep.equal([
        'spec.faults[0].nodeStop.duration: the fault holds until 4m after injection, not before expect.recoveryWithin (4m) ends: the trial passes only if the system heals while it still holds (hint: that is right for a node the cluster must route around; to measure recovery after the revert, make recoveryWithin longer than at + duration)',
      ]);
      expect((await holding('3m29s999ms')).warnings).to.deep.equal([]);
    });
    it('warns about built-in load whose thresholds are empty: it cannot fail a trial', async () => {
      const { warnings } = await check((doc) => { spec(doc).load = { http: { targets: [{ url: 'http://127.0.0.1:8080/q' }], vus: 1 }, thresholds: {} }; });
      expect(warnings).to.deep.equal([
        "spec.load.http: no thresholds: the load is measured and reported, but it cannot fail a trial (hint: add e.g. thresholds: { http_req_failed: ['rate<0.01'] })",
      ]);
    });
    it('warns about a load warm-up of 0s, which judges the requests made while connections open, and not about 1ms', async () => {
      const warmup = (value: string) => check((doc) => {
        spec(doc).load = { http: { targets: [{ url: 'http://127.0.0.1:8080/q' }], vus: 1 }, thresholds: { http_req_failed: ['rate<0.01'] }, warmup: value };
      });
      const zero = await warmup('0s');
      expect(zero.valid).to.equal(true);
      expect(zero.errors).to.deep.equal([]);
      expect(zero.warnings).to.deep.equal(['spec.load.warmup: a warm-up of 0s judges the first requests, made while connections open']);
      expect((await warmup('1ms')).warnings).to.deep.equal([]);
    });
    for (const kind of ['nodeStop', 'nodePause', 'nodeRestart', 'networkPartition', 'nodeDrain']) {
      it(`warns when ${kind} takes percent 100`, async () => {
        const result = await check((doc) => { spec(doc).faults = [{ [kind]: { selector: 'pool=a', percent: 100 } }]; });
        expect(result.valid).to.equal(true);
        expect(result.warnings).to.have.length(1);
        expect(result.warnings[0]).to.match(new RegExp(`^spec\\.faults\\[0\\]\\.${kind}\\.percent: may .* every node: percent 100 picks all the candidates`));
      });
    }
    it('warns when a node fault has neither selector nor nodesOf', async () => {
      const { warnings } = await check((doc) => { spec(doc).faults = [{ nodeStop: {} }]; });
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^spec\.faults\[0\]\.nodeStop: may stop every node: with neither selector nor nodesOf every node is a candidate/);
    });
    it('does not warn for narrowed node faults, nor for cordons', async () => {
      const { warnings } = await check((doc) => {
        spec(doc).faults = [{ nodeStop: { nodesOf: 'app=web' } }, { nodePause: { selector: 'pool=a', percent: 50 } }, { nodeCordon: {} }];
      });
      expect(warnings).to.deep.equal([]);
    });
  });
});
