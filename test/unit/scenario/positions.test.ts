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

  for (const { what, spec, message, at } of cases) {
    it(what, async () => {
      const text = scenario(spec);
      const result = await loadText(text);
      const found = issue([...result.errors, ...result.warnings], message);
      expect({ line: found.line, column: found.column }, show([found])).to.deep.equal(positionOf(text, at));
    });
  }
});
