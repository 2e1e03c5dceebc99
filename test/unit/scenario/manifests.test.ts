import { expect } from 'chai';
import type { ValidationIssue } from '../../../harness/scenario/issues.js';
import { loadText, removeTemporaryFolders, show } from './support.js';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [ { name: web, image: "app:v1" } ] }
`;

const SCENARIO = `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: manifests }
spec:
  namespace: web
  desiredState: [ { file: web.yaml } ]
  faults:
    - rollout: { name: web, file: web-v2.yaml }
  expect: { recoveryWithin: 30s }
`;

/** The line and column of `marker`'s first letter in `text`, after the workload (in the file's second object). */
function positionOf(text: string, marker: string): string {
  const index = text.indexOf(marker, text.indexOf('---'));
  if (index < 0) throw new Error(`${marker} is not in the text`);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

const shown = (issue: ValidationIssue): string =>
  `${issue.file.split(/[/\\]/).pop() ?? ''}:${issue.line}:${issue.column} ${issue.path}: ${issue.message}${issue.hint === undefined ? '' : ` (hint: ${issue.hint})`}`;

/**
 * What a manifest needs before server-side apply can take it: apiVersion and kind as non-empty text, metadata as a
 * map with a non-empty name, a namespace only as text. Each problem is one error naming the field (or the object that
 * lacks it) at its key in the manifest's own file; here the second object of a rollout file, after the workload.
 */
describe('scenario: the manifests of a file, refused one problem at a time', () => {
  after(removeTemporaryFolders);

  const object = 'spec.faults[0].rollout.file[1]';
  const cases: { what: string; manifest: string; at: string; path: string; message: string }[] = [
    {
      what: 'no apiVersion', manifest: 'kind: ConfigMap\nmetadata: { name: settings }\n', at: 'kind: ConfigMap',
      path: object, message: 'manifest has no apiVersion (hint: e.g. apiVersion: apps/v1)',
    },
    {
      what: 'an empty apiVersion', manifest: 'apiVersion: ""\nkind: ConfigMap\nmetadata: { name: settings }\n', at: 'apiVersion: ""',
      path: `${object}.apiVersion`, message: 'apiVersion must be a non-empty string (hint: e.g. apiVersion: apps/v1)',
    },
    {
      what: 'a kind that is not text', manifest: 'apiVersion: v1\nkind: 3\nmetadata: { name: settings }\n', at: 'kind: 3',
      path: `${object}.kind`, message: 'kind must be a non-empty string (hint: e.g. kind: Deployment)',
    },
    {
      what: 'no kind', manifest: 'apiVersion: v1\nmetadata: { name: settings }\n', at: 'apiVersion: v1\nmetadata',
      path: object, message: 'manifest has no kind (hint: e.g. kind: Deployment)',
    },
    {
      what: 'no metadata', manifest: 'apiVersion: v1\nkind: ConfigMap\ndata: { a: b }\n', at: 'apiVersion: v1\nkind: ConfigMap\ndata',
      path: object, message: 'manifest has no metadata (hint: e.g. metadata: { name: web })',
    },
    {
      what: 'metadata that is not a map', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: [ settings ]\n', at: 'metadata: [ settings ]',
      path: `${object}.metadata`, message: 'metadata must be a map (hint: e.g. metadata: { name: web })',
    },
    {
      what: 'an empty name', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "" }\n', at: 'name: ""',
      path: `${object}.metadata.name`, message: 'metadata.name must be a non-empty string (hint: rebound tracks what it applies by name (generateName is not supported))',
    },
    {
      what: 'a name that is not text', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: 7 }\n', at: 'name: 7',
      path: `${object}.metadata.name`, message: 'metadata.name must be a non-empty string (hint: rebound tracks what it applies by name (generateName is not supported))',
    },
    {
      what: 'no name', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { labels: { a: b } }\n', at: 'metadata: { labels',
      path: `${object}.metadata`, message: 'manifest has no metadata.name (hint: rebound tracks what it applies by name (generateName is not supported))',
    },
    {
      what: 'a namespace that is not text', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: 5 }\n', at: 'namespace: 5',
      path: `${object}.metadata.namespace`, message: 'metadata.namespace must be a string',
    },
  ];

  for (const { what, manifest, at, path, message } of cases) {
    it(what, async () => {
      const file = `${WEB}---\n${manifest}`;
      const result = await loadText(SCENARIO, { files: { 'web.yaml': WEB, 'web-v2.yaml': file } });
      expect(result.errors.map(shown), show(result.errors)).to.deep.equal([`web-v2.yaml:${positionOf(file, at)} ${path}: ${message}`]);
    });
  }

  it('takes a manifest with a namespace, and reports every problem of one manifest', async () => {
    const declared = `${WEB}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: web }\n`;
    const fine = await loadText(SCENARIO, { files: { 'web.yaml': declared, 'web-v2.yaml': declared } });
    expect(fine.errors, show(fine.errors)).to.deep.equal([]);
    const file = `${WEB}---\napiVersion: 1\nkind: ""\nmetadata: { namespace: [ web ] }\n`;
    const result = await loadText(SCENARIO, { files: { 'web.yaml': WEB, 'web-v2.yaml': file } });
    expect(result.errors.map(shown), show(result.errors)).to.deep.equal([
      `web-v2.yaml:${positionOf(file, 'apiVersion: 1')} ${object}.apiVersion: apiVersion must be a non-empty string (hint: e.g. apiVersion: apps/v1)`,
      `web-v2.yaml:${positionOf(file, 'kind: ""')} ${object}.kind: kind must be a non-empty string (hint: e.g. kind: Deployment)`,
      `web-v2.yaml:${positionOf(file, 'metadata: { namespace')} ${object}.metadata: manifest has no metadata.name (hint: rebound tracks what it applies by name (generateName is not supported))`,
      `web-v2.yaml:${positionOf(file, 'namespace: [')} ${object}.metadata.namespace: metadata.namespace must be a string`,
    ]);
  });
});
