import { expect } from 'chai';
import type { ValidationIssue } from '../../../harness/scenario/issues.js';
import { loadText, removeTemporaryFolders, show } from './support.js';

/** A scenario around `spec` (YAML lines indented under `spec:`), and the position of `marker`'s first letter in it. */
function scenario(spec: string): string {
  return `apiVersion: rebound.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: positions\nspec:\n${spec}`;
}

function positionOf(text: string, marker: string): { line: number; column: number } {
  const index = text.indexOf(marker);
  if (index < 0) throw new Error(`${marker} is not in the text`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The one issue whose message contains `message`, with its position. */
function issue(issues: readonly ValidationIssue[], message: string): ValidationIssue {
  const found = issues.filter((i) => i.message.includes(message));
  expect(found, show(issues)).to.have.length(1);
  return found[0];
}

/**
 * Findings about a key that is there but should not be, or about a mapping that lacks one, point at the key (the
 * line and column of its name): the place an editor should jump to. One that pointed at the value would be the same
 * line with another column, or the next line.
 */
describe('scenario findings point at the key they are about', () => {
  after(removeTemporaryFolders);

  const cases: { what: string; spec: string; message: string; at: string }[] = [
    {
      what: 'a namespace on a node fault without nodesOf',
      spec: '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n'
        + '    - nodeCordon:\n        selector: type=kwok\n        namespace: web\n  expect:\n    recoveryWithin: 30s\n',
      message: 'namespace applies to the pods of nodesOf',
      at: 'namespace: web\n  expect',
    },
    {
      what: 'an object check with neither equals nor matches',
      spec: '  namespace: web\n  steadyState:\n    - object:\n        apiVersion: apps/v1\n        kind: Deployment\n        name: web\n        jsonPath: "{.status.readyReplicas}"\n'
        + '  faults:\n    - podKill: { selector: app=web }\n  expect:\n    recoveryWithin: 30s\n',
      message: 'needs equals (the exact value) or matches',
      at: 'object:',
    },
    {
      what: 'rolloutWithin without a rollout fault',
      spec: '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - podKill: { selector: app=web }\n'
        + '  expect:\n    recoveryWithin: 30s\n    rolloutWithin: 20s\n',
      message: 'rolloutWithin needs a rollout fault to time',
      at: 'rolloutWithin: 20s',
    },
    {
      what: 'a JSON Patch operation that takes no value',
      spec: '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - patch:\n'
        + '        apiVersion: apps/v1\n        kind: Deployment\n        name: web\n        type: json\n        patch:\n          - op: remove\n            path: /spec/paused\n'
        + '            value: true\n  expect:\n    recoveryWithin: 30s\n',
      message: 'remove takes no value',
      at: 'value: true',
    },
    {
      what: 'a JSON Patch add without a value',
      spec: '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - patch:\n'
        + '        apiVersion: apps/v1\n        kind: Deployment\n        name: web\n        type: json\n        patch:\n          - op: add\n            path: /spec/paused\n'
        + '  expect:\n    recoveryWithin: 30s\n',
      message: 'add needs a value',
      at: 'op: add',
    },
  ];

  // One rule each: a finding at the key where the value starts elsewhere (on the next line, or further along it).
  const podKill = '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - podKill: { selector: app=web }\n'
    + '  expect:\n    recoveryWithin: 30s\n';
  const http = '  load:\n    http:\n      targets: [ { url: "http://127.0.0.1:8080/q" } ]\n';
  const web = '  desiredState:\n    - inline: { apiVersion: apps/v1, kind: Deployment, metadata: { name: web }, spec: { replicas: 2 } }\n';
  const rollout = (params: string): string => `  namespace: web\n${web}  faults:\n    - rollout:\n        name: web\n${params}  expect:\n    recoveryWithin: 30s\n`;
  cases.push(
    { what: 'a load with neither http nor k6', spec: `${podKill}  load:\n    warmup: 1s\n`, message: 'needs http (the built-in driver) or k6', at: 'load:' },
    { what: 'a load with both http and k6', spec: `${podKill}${http}      vus: 1\n    k6:\n      script: load.js\n`, message: 'give http or k6, not both', at: 'load:' },
    { what: 'built-in load with neither rate nor vus', spec: `${podKill}${http}    thresholds: { http_req_failed: ["rate<0.01"] }\n`, message: 'needs rate', at: 'http:' },
    {
      what: 'maxInFlight with vus', spec: `${podKill}${http}      vus: 2\n      maxInFlight: 5\n    thresholds: { http_req_failed: ["rate<0.01"] }\n`,
      message: 'maxInFlight bounds the rate model', at: 'maxInFlight: 5',
    },
    { what: 'built-in load without thresholds', spec: `${podKill}${http}      vus: 2\n`, message: 'no thresholds: the load is measured', at: 'http:' },
    {
      what: 'thresholds beside a k6 script', spec: `${podKill}  load:\n    k6:\n      script: load.js\n    thresholds:\n      http_req_failed: ["rate<0.01"]\n`,
      message: 'a k6 script carries its thresholds in its options', at: 'thresholds:',
    },
    {
      what: 'a threshold on a tag the built-in driver does not set',
      spec: `${podKill}${http}      vus: 2\n    thresholds:\n      "http_req_duration{group:api}": ["p(95)<500"]\n`,
      message: 'carry no tag `group`', at: '"http_req_duration{group:api}"',
    },
    {
      what: 'a threshold on a phase there is not',
      spec: `${podKill}${http}      vus: 2\n    thresholds:\n      "http_req_failed{phase:disruption}": ["rate<0.1"]\n`,
      message: 'no phase `disruption`', at: '"http_req_failed{phase:disruption}"',
    },
    {
      what: 'a node fault with neither selector nor nodesOf',
      spec: '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - nodeStop: {}\n  expect:\n    recoveryWithin: 30s\n',
      message: 'may stop every node: with neither selector nor nodesOf', at: 'nodeStop:',
    },
    {
      what: 'derivedSteadyState beside steadyState', spec: `${podKill}${web}  derivedSteadyState:\n    desiredStateHolds: false\n`,
      message: 'derivedSteadyState does nothing when steadyState is written', at: 'derivedSteadyState:',
    },
    {
      what: 'desiredStateHolds without a desired state',
      spec: '  namespace: web\n  steadyState:\n    - desiredStateHolds: {}\n  faults:\n    - podKill: { selector: app=web }\n  expect:\n    recoveryWithin: 30s\n',
      message: 'desiredStateHolds checks the fields rebound applied', at: 'desiredStateHolds:',
    },
    {
      what: 'a fault with count and percent', spec: podKill.replace('podKill: { selector: app=web }', 'podKill:\n        selector: app=web\n        count: 1\n        percent: 50'),
      message: 'give count or percent, not both', at: 'percent: 50',
    },
    {
      what: 'a check with count and min', spec: podKill.replace('podsReady: { selector: app=web, count: 3 }', 'podsReady:\n        selector: app=web\n        count: 3\n        min: 2'),
      message: 'give count (exactly) or min (at least), not both', at: 'min: 2',
    },
    {
      what: 'a node fault with selector and nodesOf',
      spec: podKill.replace('podKill: { selector: app=web }', 'nodeStop:\n        selector: pool=a\n        nodesOf: app=web'),
      message: 'give selector (node labels) or nodesOf', at: 'nodesOf: app=web',
    },
    {
      what: 'an object check with equals and matches',
      spec: podKill.replace('podsReady: { selector: app=web, count: 3 }', 'object:\n        apiVersion: apps/v1\n        kind: Deployment\n        name: web\n'
        + '        jsonPath: "{.status.readyReplicas}"\n        equals: "3"\n        matches: "^3$"'),
      message: 'give equals or matches, not both', at: 'matches: "^3$"',
    },
    {
      what: 'a scenario with nothing to check', spec: '  namespace: web\n  faults:\n    - podKill: { selector: app=web }\n  expect:\n    recoveryWithin: 30s\n',
      message: 'nothing to check', at: 'spec:',
    },
    { what: 'a rollout with neither set nor file', spec: rollout(''), message: 'give the new version', at: 'rollout:' },
    { what: 'a rollout set that changes nothing', spec: rollout('        set:\n          image: {}\n'), message: 'set changes nothing', at: 'set:' },
    {
      what: 'availableAtLeast with min and percent',
      spec: `  namespace: web\n${web}  steadyState:\n    - availableAtLeast:\n        name: web\n        min: 1\n        percent: 50\n`
        + '  faults:\n    - podKill: { selector: app=web }\n  expect:\n    recoveryWithin: 30s\n',
      message: 'give min or percent, not both', at: 'percent: 50',
    },
  );

  for (const { what, spec, message, at } of cases) {
    it(what, async () => {
      const text = scenario(spec);
      const result = await loadText(text);
      const found = issue([...result.errors, ...result.warnings], message);
      expect({ line: found.line, column: found.column }, show([found])).to.deep.equal(positionOf(text, at));
    });
  }
});

describe('a metadata label finding points at what is wrong in it', () => {
  after(removeTemporaryFolders);

  const labelled = (label: string): string => `apiVersion: rebound.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: positions\n  labels:\n    ${label}\nspec:\n`
    + '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n    - podKill: { selector: app=web }\n'
    + '  expect:\n    recoveryWithin: 30s\n';

  it('a bad key, at the key', async () => {
    const text = labelled('"-suite": smoke');
    const result = await loadText(text);
    expect(result.errors, show(result.errors)).to.have.length(1);
    expect({ path: result.errors[0]?.path, line: result.errors[0]?.line, column: result.errors[0]?.column })
      .to.deep.equal({ path: 'metadata.labels["-suite"]', ...positionOf(text, '"-suite"') });
  });

  it('a bad value, at the value', async () => {
    const text = labelled('suite: "-smoke"');
    const result = await loadText(text);
    expect(result.errors, show(result.errors)).to.have.length(1);
    expect({ path: result.errors[0]?.path, line: result.errors[0]?.line, column: result.errors[0]?.column })
      .to.deep.equal({ path: 'metadata.labels.suite', ...positionOf(text, '"-smoke"') });
  });
});

/**
 * A JSON Patch operation's findings name the field that is wrong and point at its value (`op: delete` at `delete`),
 * or, when the field is missing, name the operation and point at where it starts.
 */
describe('JSON Patch operation findings name and point at what is wrong', () => {
  after(removeTemporaryFolders);

  const patchSpec = (operation: string): string => '  namespace: web\n  steadyState:\n    - podsReady: { selector: app=web, count: 3 }\n  faults:\n'
    + '    - patch:\n        apiVersion: apps/v1\n        kind: Deployment\n        name: web\n        type: json\n        patch:\n'
    + `          - ${operation}\n  expect:\n    recoveryWithin: 30s\n`;
  const operationPath = 'spec.faults[0].patch.patch[0]';

  const cases: { what: string; operation: string; message: string; path: string; at: string }[] = [
    { what: 'an unknown op, at its value', operation: 'op: delete\n            path: /spec/paused', message: 'op must be one of', path: `${operationPath}.op`, at: 'delete' },
    { what: 'an op that is not text, at its value', operation: 'op: 5\n            path: /spec/paused', message: 'op must be one of', path: `${operationPath}.op`, at: '5\n' },
    { what: 'a missing op, at the operation', operation: 'path: /spec/paused', message: 'op must be one of', path: operationPath, at: 'path: /spec/paused' },
    { what: 'a path that is no JSON Pointer, at its value', operation: 'op: remove\n            path: spec/paused', message: '`spec/paused` is not a JSON Pointer', path: `${operationPath}.path`, at: 'spec/paused' },
    { what: 'a missing path, at the operation', operation: 'op: remove', message: 'an operation needs a path', path: operationPath, at: 'op: remove' },
    {
      what: 'a from that is no JSON Pointer, at its value', operation: 'op: move\n            from: labels/a\n            path: /metadata/labels/b',
      message: '`labels/a` is not a JSON Pointer', path: `${operationPath}.from`, at: 'labels/a',
    },
    { what: 'a missing from, at the operation', operation: 'op: copy\n            path: /metadata/labels/b', message: 'copy needs from', path: operationPath, at: 'op: copy' },
  ];

  for (const { what, operation, message, path, at } of cases) {
    it(what, async () => {
      const text = scenario(patchSpec(operation));
      const result = await loadText(text);
      expect(result.errors, show(result.errors)).to.have.length(1);
      const found = issue(result.errors, message);
      expect({ path: found.path, line: found.line, column: found.column }, show([found])).to.deep.equal({ path, ...positionOf(text, at) });
    });
  }
});
