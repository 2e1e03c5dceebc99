import { expect } from 'chai';
import { ReboundError } from '../../../harness/errors.js';
import {
  checkSchema,
  didYouMean,
  formatIssue,
  formatPath,
  ScenarioInvalidError,
  type ValidationIssue,
} from '../../../harness/scenario/issues.js';
import { baseScenario } from './support.js';

const issue = (overrides: Partial<ValidationIssue> = {}): ValidationIssue => ({
  file: 'scenarios/web.yaml', line: 12, column: 7, path: 'spec.faults[0].podKil', message: 'unknown fault kind `podKil`', severity: 'error', ...overrides,
});

/** The schema findings for the base scenario after `change`, as `path: message (hint)` lines. */
function findings(change: (doc: ReturnType<typeof baseScenario>) => void): string[] {
  const doc = baseScenario();
  change(doc);
  return checkSchema(doc).map((f) => `${formatPath(f.path)}: ${f.message}${f.hint === undefined ? '' : ` (hint: ${f.hint})`}`);
}

describe('scenario issues', () => {
  describe('formatting', () => {
    it('formats file:line:col: path: message', () => {
      expect(formatIssue(issue())).to.equal('scenarios/web.yaml:12:7: spec.faults[0].podKil: unknown fault kind `podKil`');
    });
    it('appends the hint', () => {
      expect(formatIssue(issue({ hint: 'did you mean podKill?' }))).to.equal('scenarios/web.yaml:12:7: spec.faults[0].podKil: unknown fault kind `podKil` (hint: did you mean podKill?)');
    });
    it('leaves out an empty path', () => {
      expect(formatIssue(issue({ path: '', line: 1, column: 1, message: 'no such file' }))).to.equal('scenarios/web.yaml:1:1: no such file');
    });
    it('writes paths with dots and indexes, quoting keys that are not plain words', () => {
      expect(formatPath(['spec', 'faults', 1, 'podKill', 'count'])).to.equal('spec.faults[1].podKill.count');
      expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).to.equal('metadata.labels["app.kubernetes.io/name"]');
      expect(formatPath([])).to.equal('');
    });
  });

  describe('did you mean', () => {
    const kinds = ['podKill', 'podDelete', 'nodeStop', 'nodeRestart'];
    it('suggests the closest candidate for a typo', () => {
      expect(didYouMean('podKil', kinds)).to.equal('did you mean podKill?');
      expect(didYouMean('nodestop', kinds)).to.equal('did you mean nodeStop?');
      expect(didYouMean('nodeRestrat', kinds)).to.equal('did you mean nodeRestart?');
    });
    it('stays quiet when nothing is close', () => {
      expect(didYouMean('x', ['at'])).to.equal(undefined);
      expect(didYouMean('chaosMonkey', kinds)).to.equal(undefined);
      expect(didYouMean('anything', [])).to.equal(undefined);
    });
  });

  describe('schema findings', () => {
    it('gives one finding for an unknown fault kind, with did-you-mean', () => {
      expect(findings((doc) => { doc.spec.faults = [{ podKil: { selector: 'a=b' } }]; })).to.deep.equal([
        'spec.faults[0].podKil: unknown fault kind `podKil` (hint: did you mean podKill?)',
      ]);
    });
    it('lists the kinds when nothing is close', () => {
      const [only, ...rest] = findings((doc) => { doc.spec.faults = [{ chaos: {} }]; });
      expect(rest).to.deep.equal([]);
      expect(only).to.match(/^spec\.faults\[0\]\.chaos: unknown fault kind `chaos` \(hint: expected one of `podKill`, .* or `processKill`\)$/);
    });
    it('gives one finding for a fault with two kinds, at the second', () => {
      expect(findings((doc) => { doc.spec.faults = [{ podKill: { selector: 'a=b' }, nodeStop: {} }]; })).to.deep.equal([
        'spec.faults[0].nodeStop: a fault has exactly one kind, found `podKill` and `nodeStop` (hint: write each fault as its own list entry)',
      ]);
    });
    it('gives one finding for a fault with no kind', () => {
      expect(findings((doc) => { doc.spec.faults = [{ at: '5s' }]; })).to.deep.equal([
        'spec.faults[0]: missing the fault kind: one of `podKill`, `podDelete`, `containerKill`, `nodeStop`, `nodeRestart`, `nodePause`, `nodeDrain`, `nodeCordon`, `nodeTaint`, `networkPartition`, `deleteObject`, `scale`, `patch`, `rollout` or `processKill`',
      ]);
    });
    it('reports only the problems of the kind written', () => {
      expect(findings((doc) => { doc.spec.faults = [{ at: 'soon', nodeTaint: { key: 'k', effect: 'NoSchedule', count: -1 } }]; })).to.deep.equal([
        'spec.faults[0].at: `soon` is not a duration; expected a duration such as 500ms, 30s, 5m, 1h or 1m30s (units h, m, s, ms; decimals like 1.5s allowed)',
        'spec.faults[0].nodeTaint.count: must be at least 1 (got the number -1)',
      ]);
    });
    it('gives one finding for an unknown check kind', () => {
      expect(findings((doc) => { doc.spec.steadyState = [{ podReady: { selector: 'a=b' } }]; })).to.deep.equal([
        'spec.steadyState[0].podReady: unknown check kind `podReady` (hint: did you mean podsReady?)',
      ]);
    });
    it('says how to write a fault or a source given as a bare word, and only when the word is one of their keys', () => {
      const kinds = '`podKill`, `podDelete`, `containerKill`, `nodeStop`, `nodeRestart`, `nodePause`, `nodeDrain`, `nodeCordon`, `nodeTaint`, '
        + '`networkPartition`, `deleteObject`, `scale`, `patch`, `rollout` or `processKill`';
      expect(findings((doc) => { doc.spec.faults = ['podKill', 'boom']; })).to.deep.equal([
        `spec.faults[0]: must be a map with the fault kind as its key: ${kinds} (got "podKill") (hint: write \`podKill: { ... }\`)`,
        `spec.faults[1]: must be a map with the fault kind as its key: ${kinds} (got "boom")`,
      ]);
      expect(findings((doc) => { doc.spec.faults = [{ at: '1s' }]; })).to.deep.equal([`spec.faults[0]: missing the fault kind: one of ${kinds}`]);
      // A file is named by a path, not a map.
      expect(findings((doc) => { doc.spec.desiredState = ['file', 'inline']; })).to.deep.equal([
        'spec.desiredState[0]: must be a map with one of `file` or `inline` (got "file") (hint: write `file: ...`)',
        'spec.desiredState[1]: must be a map with one of `file` or `inline` (got "inline") (hint: write `inline: { ... }`)',
      ]);
    });
    it('names both the words and the map a value may be', () => {
      expect(findings((doc) => { doc.spec.faults = [{ rollout: { kind: 'Deployment', name: 'web', set: { image: { web: 'web:2' } }, rollback: 5 } }]; })).to.deep.equal([
        'spec.faults[0].rollout.rollback: must be `onStall` or `never`, or a map with `after` (got the number 5)',
      ]);
    });
    it('says both bounds of a number bounded both ways, and how to leave an empty steady state out', () => {
      expect(findings((doc) => { doc.spec.faults = [{ podKill: { selector: 'a=b', percent: 150 } }]; doc.spec.steadyState = []; })).to.deep.equal([
        'spec.steadyState: must not be empty (hint: leave steadyState out to derive it from desiredState)',
        'spec.faults[0].podKill.percent: must be between 1 and 100 (got the number 150)',
      ]);
    });
    it('points a misplaced or misspelled key at the key itself, not its value', () => {
      const doc = baseScenario();
      doc.spec.faults = [{ deleteObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', percent: 10 } }, { podKil: { selector: 'a=b' } }, { at: '1s' }];
      expect(checkSchema(doc).map((f) => [formatPath(f.path), f.at, f.severity])).to.have.deep.members([
        ['spec.faults[0].deleteObject.percent', 'key', 'error'],
        ['spec.faults[1].podKil', 'key', 'error'],
        ['spec.faults[2]', 'key', 'error'],
      ]);
    });
    it('says which alternative a field goes with', () => {
      expect(findings((doc) => { doc.spec.faults = [{ deleteObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', percent: 10 } }]; })).to.deep.equal([
        'spec.faults[0].deleteObject.percent: `percent` cannot be used with `name` (hint: `percent` goes with `selector`)',
      ]);
    });
    it('rejects two alternatives at once', () => {
      expect(findings((doc) => { doc.spec.desiredState = [{ file: 'a.yaml', inline: {} }]; })).to.deep.equal([
        'spec.desiredState[0].inline: `file` and `inline` cannot be used together; give one',
      ]);
    });
    it('suggests a field of an alternative', () => {
      expect(findings((doc) => { doc.spec.desiredState = [{ fil: 'a.yaml' }]; })).to.deep.equal([
        'spec.desiredState[0].fil: unknown field `fil` (hint: did you mean file?)',
      ]);
    });
    it('says where a field written at the wrong level belongs', () => {
      expect(findings((doc) => { doc.spec.faults = [{ podKill: { selector: 'a=b', at: '1s' } }]; })).to.deep.equal([
        'spec.faults[0].podKill.at: unknown field `at` (hint: `at` goes one level up, next to `podKill`)',
      ]);
      expect(findings((doc) => { doc.spec.faults = [{ podKill: { selector: 'a=b' }, percent: 50 }]; })).to.deep.equal([
        'spec.faults[0].percent: unknown field `percent` (hint: `percent` goes inside `podKill`)',
      ]);
    });
    it('rejects unknown fields everywhere, but not inside inline manifests', () => {
      expect(findings((doc) => {
        doc.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, anything: { goes: true } } }];
        doc.spec.load = { http: { targets: [{ url: 'http://127.0.0.1:1/' }], vus: 3 }, thresholds: { http_req_failed: ['rate<0.01'] } };
      })).to.deep.equal([]);
      // spec.load was free-form once; a k6 option written at its top level now says where it belongs.
      expect(findings((doc) => {
        doc.spec.load = { script: 'x.js', vus: 3, stages: [{ duration: '1m', target: 10 }] };
      })).to.deep.equal([
        'spec.load.script: unknown field `script` (hint: `script` goes inside `k6`)',
        'spec.load.vus: unknown field `vus` (hint: `vus` goes inside `http`)',
        'spec.load.stages: unknown field `stages` (hint: known fields: warmup, maxRequests, http, k6, thresholds)',
      ]);
      expect(findings((doc) => { (doc as Record<string, unknown>).status = {}; doc.metadata.nmae = 'x'; })).to.deep.equal([
        'status: unknown field `status` (hint: known fields: apiVersion, kind, metadata, spec)',
        'metadata.nmae: unknown field `nmae` (hint: did you mean name?)',
      ]);
    });
    it('checks the shape of load thresholds', () => {
      expect(findings((doc) => { doc.spec.load = { thresholds: { http_req_failed: 'rate<0.01' } }; })).to.deep.equal([
        'spec.load.thresholds.http_req_failed: must be a list (got "rate<0.01")',
      ]);
    });
    it('explains a number where a duration or string is expected', () => {
      expect(findings((doc) => { doc.spec.expect = { recoveryWithin: 30 }; doc.metadata.labels = { tier: 1 }; })).to.deep.equal([
        'metadata.labels.tier: must be a string (got the number 1) (hint: quote it: "1")',
        'spec.expect.recoveryWithin: must be a duration such as 30s (got the number 30) (hint: add a unit, e.g. 30s)',
      ]);
    });
    it('explains an empty value', () => {
      expect(findings((doc) => { doc.spec.expect = null; })).to.deep.equal([
        'spec.expect: must be a map (got nothing (null)) (hint: an empty value is null; write the value, or leave the field out)',
      ]);
    });
    it('rejects the wrong apiVersion and kind', () => {
      expect(findings((doc) => { doc.apiVersion = 'rebound.dev/v1'; doc.kind = 'Scenarios'; })).to.deep.equal([
        'apiVersion: must be rebound.dev/v1alpha1 (got "rebound.dev/v1")',
        'kind: must be Scenario (got "Scenarios")',
      ]);
    });
    it('checks names, kinds and apiVersions', () => {
      expect(findings((doc) => {
        doc.spec.steadyState = [{ workloadAvailable: { kind: 'Deploymnet', name: 'Web' } }, { object: { apiVersion: 'apps', kind: 'pod', name: 'x', jsonPath: '{.a}', equals: 1 } }];
      })).to.deep.equal([
        'spec.steadyState[0].workloadAvailable.kind: must be one of Deployment, StatefulSet, ReplicaSet, DaemonSet (got "Deploymnet") (hint: did you mean Deployment?)',
        "spec.steadyState[0].workloadAvailable.name: `Web` is not a valid object name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        'spec.steadyState[1].object.apiVersion: `apps` is not an apiVersion: write v1, apps/v1 or <group>/<version> such as example.com/v1alpha1',
        'spec.steadyState[1].object.kind: `pod` is not a kind: kinds are written in CamelCase, e.g. Deployment',
      ]);
    });
    it('names a kind that is CamelCase only in part, and a name one character too long', () => {
      const long = `a${'b'.repeat(62)}c`; // 64 characters: a DNS-1123 label has at most 63
      expect(findings((doc) => {
        doc.metadata.name = long;
        doc.spec.steadyState = [
          { object: { apiVersion: 'v1', kind: 'xPod', name: 'x', jsonPath: '{.a}', equals: '1' } },
          { object: { apiVersion: 'v1', kind: 'Pod-x', name: 'x', jsonPath: '{.a}', equals: '1' } },
        ];
      })).to.deep.equal([
        `metadata.name: \`${long}\` is not a DNS-1123 label: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
        'spec.steadyState[0].object.kind: `xPod` is not a kind: kinds are written in CamelCase, e.g. Deployment',
        'spec.steadyState[1].object.kind: `Pod-x` is not a kind: kinds are written in CamelCase, e.g. Deployment',
      ]);
    });
    it('takes names as long as Kubernetes allows, and not a character longer', () => {
      const named = (scenario: string, object: string): string[] => findings((doc) => {
        doc.metadata.name = scenario;
        doc.spec.steadyState = [{ workloadAvailable: { kind: 'Deployment', name: object } }];
      });
      expect(named('a'.repeat(63), 'b'.repeat(253))).to.deep.equal([]);
      expect(named('a'.repeat(63), 'b'.repeat(254))).to.deep.equal([
        `spec.steadyState[0].workloadAvailable.name: \`${'b'.repeat(254)}\` is not a valid object name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
      ]);
    });
  });

  describe('ScenarioInvalidError', () => {
    it('is a ReboundError with exit code 2, naming the file and the count, with the issues as details', () => {
      const error = new ScenarioInvalidError([{ file: 'scenarios/web.yaml', errors: [issue(), issue({ line: 20, hint: 'h' })] }]);
      expect(error).to.be.instanceOf(ReboundError);
      expect(error.exitCode).to.equal(2);
      expect(error.name).to.equal('ScenarioInvalidError');
      expect(error.message).to.equal('scenarios/web.yaml is not a valid scenario (2 errors)');
      expect(error.details).to.deep.equal([
        'scenarios/web.yaml:12:7: spec.faults[0].podKil: unknown fault kind `podKil`',
        'scenarios/web.yaml:20:7: spec.faults[0].podKil: unknown fault kind `podKil` (hint: h)',
      ]);
    });
    it('sums up several files', () => {
      const error = new ScenarioInvalidError([
        { file: 'a.yaml', errors: [issue({ file: 'a.yaml' })] },
        { file: 'b.yaml', errors: [issue({ file: 'b.yaml' }), issue({ file: 'm.yaml' })] },
        { file: 'ok.yaml', errors: [] },
      ]);
      expect(error.message).to.equal('2 scenario files are invalid (3 errors): a.yaml, b.yaml');
      expect(error.issues).to.have.length(3);
    });
  });
});
