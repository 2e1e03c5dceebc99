import { expect } from 'chai';
import { baseScenario, lines, loadData, loadText, removeTemporaryFolders, show } from './support.js';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [ { name: web, image: "app:\${VERSION}" } ] }
`;

function rolloutScenario(rollout: Record<string, unknown>, expect: Record<string, unknown> = { recoveryWithin: '30s' }) {
  const doc = baseScenario();
  doc.spec = { ...doc.spec, desiredState: [{ file: 'web.yaml' }], faults: [{ rollout }], expect, variables: { VERSION: 'v1' } };
  return doc;
}

async function errorsOf(doc: unknown, files: Record<string, string> = { 'web.yaml': WEB }): Promise<string[]> {
  const result = await loadData(doc, { files });
  return lines(result.errors);
}

describe('scenario: rollout fault and rollout checks', () => {
  after(removeTemporaryFolders);

  it('normalizes a set: rollout with its defaults (kind Deployment, rollback never)', async () => {
    const result = await loadData(rolloutScenario({ name: 'web', set: { image: { web: 'app:v2' }, env: { web: { MODE: 'new' } } } }), { files: { 'web.yaml': WEB } });
    expect(result.errors, show(result.errors)).to.deep.equal([]);
    const [fault] = result.scenario?.spec.faults ?? [];
    expect(fault?.kind).to.equal('rollout');
    expect(fault?.params).to.deep.equal({
      kind: 'Deployment', name: 'web', rollback: { kind: 'never' },
      change: { kind: 'set', image: { web: 'app:v2' }, env: { web: { MODE: 'new' } }, annotations: {} },
    });
  });

  it('loads a rollout file like a desiredState file, ${VAR}s substituted', async () => {
    const doc = rolloutScenario({ name: 'web', file: 'web-v2.yaml', rollback: { after: '10s' } });
    const result = await loadData(doc, { files: { 'web.yaml': WEB, 'web-v2.yaml': WEB.replace('${VERSION}', '${VERSION}-next') } });
    expect(result.errors, show(result.errors)).to.deep.equal([]);
    type Params = { change: { kind: string; manifests: { object: unknown }[] }; rollback: { kind: string; after: { toString(): string } } };
    const params = result.scenario?.spec.faults[0]?.params as unknown as Params;
    expect(params.change.kind).to.equal('file');
    expect(JSON.stringify(params.change.manifests[0]?.object)).to.contain('app:v1-next');
    expect(params.rollback.kind).to.equal('after');
    expect(params.rollback.after.toString()).to.equal('10s');
  });

  it('wants exactly one of set and file', async () => {
    expect(await errorsOf(rolloutScenario({ name: 'web' }))).to.deep.equal(['spec.faults[0].rollout: give the new version: set (image, env, annotations) or file']);
    expect(await errorsOf(rolloutScenario({ name: 'web', set: { image: { web: 'x' } }, file: 'web.yaml' }))).to.deep.equal(['spec.faults[0].rollout: give set or file, not both']);
    expect(await errorsOf(rolloutScenario({ name: 'web', set: {} }))).to.deep.equal(['spec.faults[0].rollout.set: set changes nothing: give image, env or annotations']);
  });

  it('refuses rollback onStall where there is no progress deadline, and an unknown rollback', async () => {
    expect(await errorsOf(rolloutScenario({ kind: 'StatefulSet', name: 'web', set: { image: { web: 'x' } }, rollback: 'onStall' })))
      .to.deep.equal(["spec.faults[0].rollout.rollback: rollback: onStall waits for a Deployment's progress deadline; a StatefulSet has none (hint: use rollback: { after: 30s })"]);
    expect(await errorsOf(rolloutScenario({ name: 'web', set: { image: { web: 'x' } }, rollback: { after: '30s' } })))
      .to.deep.equal(['spec.faults[0].rollout.rollback.after: the rollback comes after 30s, not before expect.recoveryWithin (30s) ends: the trial waits for it, so it could never recover']);
    const errors = await errorsOf(rolloutScenario({ name: 'web', set: { image: { web: 'x' } }, rollback: 'sometimes' }));
    expect(errors).to.deep.equal(['spec.faults[0].rollout.rollback: must be `onStall` or `never`, or a map with `after` (got "sometimes")']);
  });

  it('places a rollout file object the desired state does not declare at its line, and a file without the workload', async () => {
    const other = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra }\ndata: { a: b }\n';
    const result = await loadText([
      'apiVersion: rebound.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: r }', 'spec:', '  namespace: web',
      '  desiredState: [ { file: web.yaml } ]', '  faults:', '    - rollout: { name: web, file: other.yaml }', '  expect: { recoveryWithin: 30s }', '',
    ].join('\n'), { files: { 'web.yaml': WEB, 'other.yaml': other }, vars: { VERSION: 'v1' } });
    const found = result.errors.map((e) => `${e.file.split('/').pop()}:${e.line}:${e.column}: ${e.message}`);
    expect(found).to.have.members([
      'other.yaml:1:1: ConfigMap extra of the rollout file is not declared in spec.desiredState, so a rollback could not re-declare its previous version',
      'scenario.yaml:8:35: the rollout file other.yaml holds no Deployment web, the workload this fault names',
    ]);
  });

  it('wants the named workload in the rollout file: its kind, its name, apps/v1', async () => {
    const holdsNo = 'spec.faults[0].rollout.file: the rollout file web-v2.yaml holds no Deployment web, the workload this fault names';
    const variants: Record<string, string> = {
      'another kind': WEB.replace('kind: Deployment', 'kind: StatefulSet'),
      'another name': WEB.replace('name: web }', 'name: api }'),
      'another API version': WEB.replace('apiVersion: apps/v1', 'apiVersion: apps/v1beta2'),
    };
    for (const [what, v2] of Object.entries(variants)) {
      const errors = await errorsOf(rolloutScenario({ name: 'web', file: 'web-v2.yaml' }), { 'web.yaml': WEB, 'web-v2.yaml': v2 });
      expect(errors, what).to.include(holdsNo);
    }
    expect(await errorsOf(rolloutScenario({ name: 'web', file: 'web-v2.yaml' }), { 'web.yaml': WEB, 'web-v2.yaml': WEB.replace('replicas: 4', 'replicas: 5') }))
      .to.deep.equal([]);
  });

  it('validates availableAtLeast and rolledOut, and rolloutWithin only with a rollout to time', async () => {
    const doc = rolloutScenario({ name: 'web', set: { image: { web: 'x' } } }, { recoveryWithin: '30s', rolloutWithin: '20s' });
    doc.spec.steadyState = [{ availableAtLeast: { name: 'web', min: 3 } }, { rolledOut: { kind: 'Deployment', name: 'web' } }];
    const result = await loadData(doc, { files: { 'web.yaml': WEB } });
    expect(result.errors, show(result.errors)).to.deep.equal([]);
    expect(result.scenario?.spec.steadyState?.map((c) => c.params)).to.deep.equal([
      { kind: 'Deployment', name: 'web', floor: { min: 3 } }, { kind: 'Deployment', name: 'web' }]);
    expect(result.scenario?.spec.expect.rolloutWithin?.toString()).to.equal('20s');
    doc.spec.steadyState = [{ availableAtLeast: { name: 'web', min: 3, percent: 50 } }];
    expect(await errorsOf(doc)).to.deep.equal(['spec.steadyState[0].availableAtLeast.percent: give min or percent, not both']);
    const plain = baseScenario();
    plain.spec.expect = { recoveryWithin: '30s', rolloutWithin: '10s' };
    expect(await errorsOf(plain)).to.deep.equal(['spec.expect.rolloutWithin: rolloutWithin needs a rollout fault to time']);
  });

  it('takes rollback onStall only for a Deployment, refuses a rollback after 0s and a set that changes nothing', async () => {
    const DB = WEB.replace('kind: Deployment', 'kind: StatefulSet').replace('name: web', 'name: db');
    const files = { 'web.yaml': WEB, 'db.yaml': DB };
    const onStall = (kind: string, name: string, rollback: unknown) => {
      const doc = rolloutScenario({ kind, name, set: { image: { web: 'x' } }, rollback });
      doc.spec.desiredState = [{ file: 'web.yaml' }, { file: 'db.yaml' }];
      return doc;
    };
    expect(await errorsOf(onStall('StatefulSet', 'db', 'onStall'), files)).to.deep.equal([
      'spec.faults[0].rollout.rollback: rollback: onStall waits for a Deployment\'s progress deadline; a StatefulSet has none (hint: use rollback: { after: 30s })']);
    expect(await errorsOf(onStall('StatefulSet', 'db', 'never'), files)).to.deep.equal([]);
    expect(await errorsOf(onStall('Deployment', 'web', 'onStall'), files)).to.deep.equal([]);
    expect(await errorsOf(onStall('Deployment', 'web', { after: '0s' }), files)).to.deep.equal(['spec.faults[0].rollout.rollback.after: must be longer than 0s']);
    expect(await errorsOf(rolloutScenario({ name: 'web', set: { image: {}, env: {} } }))).to.deep.equal([
      'spec.faults[0].rollout.set: set changes nothing: give image, env or annotations']);
  });

  it('takes rolloutWithin when one of several faults is a rollout', async () => {
    const doc = rolloutScenario({ name: 'web', set: { image: { web: 'x' } } }, { recoveryWithin: '30s', rolloutWithin: '20s' });
    doc.spec.faults = [{ podKill: { selector: 'app=web' } }, ...(doc.spec.faults as unknown[])];
    expect(await errorsOf(doc)).to.deep.equal([]);
  });

  it('refuses a rolloutWithin of 0s: no rollout completes in no time', async () => {
    const doc = rolloutScenario({ name: 'web', set: { image: { web: 'x' } } }, { recoveryWithin: '30s', rolloutWithin: '0s' });
    expect(await errorsOf(doc, { 'web.yaml': WEB })).to.deep.equal(['spec.expect.rolloutWithin: must be longer than 0s']);
  });
});

/**
 * A rollout file's objects must each be declared in the desired state (the rollback re-declares that version), matched
 * as the fault matches them: by API group (not version), kind, name, and namespace (spec.namespace where a manifest
 * names none). The file must hold the workload the fault names, of the fault's kind.
 */
describe('scenario: the objects of a rollout file', () => {
  after(removeTemporaryFolders);

  const fileRollout = (rollout: Record<string, unknown> = {}) => rolloutScenario({ name: 'web', file: 'web-v2.yaml', ...rollout });
  const inNamespace = (namespace: string) => WEB.replace('metadata: { name: web }', `metadata: { name: web, namespace: ${namespace} }`);
  const notDeclared = 'Deployment web of the rollout file is not declared in spec.desiredState, so a rollback could not re-declare its previous version';

  it('matches an object in spec.namespace when the desired state or the rollout file names no namespace', async () => {
    expect(await errorsOf(fileRollout(), { 'web.yaml': WEB, 'web-v2.yaml': inNamespace('web') })).to.deep.equal([]);
    expect(await errorsOf(fileRollout(), { 'web.yaml': inNamespace('web'), 'web-v2.yaml': WEB })).to.deep.equal([]);
    expect(await errorsOf(fileRollout(), { 'web.yaml': WEB, 'web-v2.yaml': inNamespace('other') }))
      .to.deep.equal([`spec.faults[0].rollout.file[0]: ${notDeclared}`]);
  });

  it('matches an object by API group, not version', async () => {
    const hpa = (version: string) => `---\napiVersion: autoscaling/${version}\nkind: HorizontalPodAutoscaler\nmetadata: { name: web }\n`
      + 'spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 2, maxReplicas: 4 }\n';
    const files = { 'web.yaml': WEB + hpa('v2'), 'web-v2.yaml': WEB + hpa('v2beta2') };
    expect(await errorsOf(fileRollout(), files)).to.deep.equal([]);
    const elsewhere = { ...files, 'web-v2.yaml': WEB + hpa('v2').replace('autoscaling/', 'policy.example.com/') };
    expect(await errorsOf(fileRollout(), elsewhere)).to.deep.equal([
      'spec.faults[0].rollout.file[1]: HorizontalPodAutoscaler web of the rollout file is not declared in spec.desiredState, so a rollback could not re-declare its previous version',
    ]);
  });

  it('looks for the workload of the kind the fault names, among the other objects of the file', async () => {
    const sts = WEB.replace('kind: Deployment', 'kind: StatefulSet');
    const settings = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { mode: new }\n';
    const doc = fileRollout({ kind: 'StatefulSet' });
    expect(await errorsOf(doc, { 'web.yaml': sts + settings, 'web-v2.yaml': `${settings}---\n${sts}` })).to.deep.equal([]);
    expect(await errorsOf(doc, { 'web.yaml': sts + settings, 'web-v2.yaml': settings })).to.deep.equal([
      'spec.faults[0].rollout.file: the rollout file web-v2.yaml holds no StatefulSet web, the workload this fault names',
    ]);
  });

  it('says only why a rollout file could not be read or its object was refused, not also that it lacks the workload', async () => {
    const missing = await loadData(fileRollout(), { files: { 'web.yaml': WEB } });
    expect(lines(missing.errors)).to.have.length(1);
    expect(lines(missing.errors)[0]).to.match(/^spec\.faults\[0\]\.rollout\.file: manifest file .*web-v2\.yaml: no such file \(hint: paths are relative to the scenario file\)$/);
    expect(await errorsOf(fileRollout(), { 'web.yaml': WEB, 'web-v2.yaml': WEB.replace('apiVersion: apps/v1\n', '') })).to.deep.equal([
      'spec.faults[0].rollout.file[0]: manifest has no apiVersion (hint: e.g. apiVersion: apps/v1)',
    ]);
  });

  it('refuses a rollout file that holds no objects: it would roll out nothing', async () => {
    const result = await loadData(fileRollout(), { files: { 'web.yaml': WEB, 'web-v2.yaml': '# the next version, to be written\n' } });
    expect(lines(result.errors)).to.deep.equal(['spec.faults[0].rollout.file: the rollout file web-v2.yaml holds no Deployment web, the workload this fault names']);
    expect(lines(result.warnings)).to.have.length(1);
    expect(lines(result.warnings)[0]).to.match(/^spec\.faults\[0\]\.rollout\.file: manifest file .*web-v2\.yaml holds no manifests$/);
  });

  it('says a rollout file holds nothing beside an error elsewhere in the scenario: every problem at once', async () => {
    const doc = fileRollout();
    doc.spec.desiredState = [{ file: 'web.yaml' }, { file: 'gone.yaml' }];
    const result = await loadData(doc, { files: { 'web.yaml': WEB, 'web-v2.yaml': '# the next version, to be written\n' } });
    const errors = lines(result.errors);
    expect(errors, show(result.errors)).to.have.length(2);
    expect(errors.filter((line) => /^spec\.desiredState\[1\]\.file: manifest file .*gone\.yaml: no such file/.test(line))).to.have.length(1);
    expect(errors).to.include('spec.faults[0].rollout.file: the rollout file web-v2.yaml holds no Deployment web, the workload this fault names');
  });

  it('refuses an empty file: with the one error the schema gives', async () => {
    expect(await errorsOf(fileRollout({ file: '' }))).to.deep.equal(['spec.faults[0].rollout.file: must not be empty']);
  });
});
