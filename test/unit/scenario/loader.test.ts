import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../../harness/errors.js';
import { formatIssue } from '../../../harness/scenario/issues.js';
import {
  expandBuiltinVariables,
  expandScenarioArgs,
  loadScenarioFile,
  parseVarAssignments,
} from '../../../harness/scenario/loader.js';
import { folderWith, lines, loadText, removeTemporaryFolders, show } from './support.js';

const HEADER = `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata:
  name: positions
`;

describe('scenario loader', () => {
  after(removeTemporaryFolders);

  describe('positions', () => {
    it('points at an unknown key, a bad value, a missing field and a list entry', async () => {
      const result = await loadText(`${HEADER}spec:
  namespace: web
  steadyState:
    - podsReady: { selector: app=web, count: three }
  faults:
    - podKill:
        selector: app=web
        cont: 1
    - 42
  expect:
    settle: 1s
  trials: 2
`);
      const found = result.errors.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
      expect(found, show(result.errors)).to.deep.equal([
        '8:46 spec.steadyState[0].podsReady.count: must be a whole number (got "three")',
        '12:9 spec.faults[0].podKill.cont: unknown field `cont`',
        '13:7 spec.faults[1]: must be a map with the fault kind as its key: `podKill`, `podDelete`, `containerKill`, `nodeStop`, `nodeRestart`, `nodePause`, `nodeDrain`, `nodeCordon`, `nodeTaint`, `networkPartition`, `deleteObject`, `scale`, `patch`, `rollout` or `processKill` (got the number 42)',
        '14:3 spec.expect: missing required field `recoveryWithin`',
      ]);
      expect(result.errors[1]?.hint).to.equal('did you mean count?');
      expect(result.scenario).to.equal(undefined);
    });

    it('names the file as it was given, and formats file:line:col: path: message', async () => {
      const result = await loadText(`${HEADER}spec:\n  faults: []\n  expect: { recoveryWithin: 1s }\n  steadyState: [ { nodesReady: {} } ]\n`);
      expect(result.errors).to.have.length(1);
      const [issue] = result.errors;
      expect(issue?.file).to.equal(join(result.folder, 'scenario.yaml'));
      expect(formatIssue(issue ?? result.errors[0])).to.equal(`${join(result.folder, 'scenario.yaml')}:6:11: spec.faults: must not be empty`);
    });

    it('points at the first line of a value that is a block', async () => {
      const result = await loadText(`${HEADER}spec:
  namespace: web
  steadyState:
    - podsReady: { selector: app=web }
  faults:
    - podKill: { selector: app=web }
  expect:
    recoveryWithin: 30s
  load:
    thresholds:
      http_req_failed:
        rate: 0.01
`);
      expect(lines(result.errors)).to.deep.equal(['spec.load.thresholds.http_req_failed: must be a list (got a map)']);
      expect(result.errors[0]?.line).to.equal(16);
      expect(result.errors[0]?.column).to.equal(9);
    });

    it('reports YAML syntax errors at their position, and nothing else', async () => {
      const result = await loadText(`${HEADER}spec:\n  faults:\n    - podKill: [\n  expect: {}\n`);
      expect(result.errors.length).to.be.greaterThan(0);
      expect(result.errors.every((issue) => issue.message.startsWith('YAML: ') && issue.path === ''), show(result.errors)).to.equal(true);
      expect(result.errors[0]?.line).to.be.within(7, 8);
    });

    it('rejects duplicate keys', async () => {
      const result = await loadText(`${HEADER}spec:\n  trials: 1\n  trials: 2\n`);
      expect(lines(result.errors)).to.deep.equal([': YAML: Map keys must be unique']);
      expect([result.errors[0]?.line, result.errors[0]?.column]).to.deep.equal([7, 3]);
    });
  });

  describe('never throws for user mistakes', () => {
    const cases: [string, string | undefined, string][] = [
      ['a missing file', undefined, 'no such file'],
      ['an empty file', '', 'the file holds no YAML document'],
      ['a file of comments', '# nothing here\n', 'the file holds no YAML document'],
      ['a list', '- a\n- b\n', 'must be a map (got a list)'],
      ['a scalar', 'hello\n', 'must be a map (got "hello")'],
      ['null', 'null\n', 'the file holds no YAML document'],
      ['two documents', `${HEADER}---\n${HEADER}`, 'a scenario file holds one YAML document; this is document 2 of 2'],
      ['tabs', 'apiVersion:\tx\n\tkind: y\n', 'YAML: '],
    ];
    for (const [what, text, message] of cases) {
      it(`reports ${what}`, async () => {
        const folder = await folderWith(text === undefined ? {} : { 'scenario.yaml': text });
        const result = await loadScenarioFile(join(folder, 'scenario.yaml'));
        expect(result.scenario).to.equal(undefined);
        expect(result.errors.map((issue) => issue.message).join('\n')).to.contain(message);
      });
    }
    it('reports a directory given as a scenario file', async () => {
      const folder = await folderWith({ 'dir/x.txt': '' });
      const result = await loadScenarioFile(join(folder, 'dir'));
      expect(lines(result.errors)).to.deep.equal([': is a directory, not a file']);
    });
  });

  describe('defaults and normalization', () => {
    it('applies every default', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:
  steadyState:
    - podsReady: { selector: app=web }
    - endpointsReady: { service: web, count: 2 }
    - http: { url: "http://localhost:8080/" }
    - object: { apiVersion: v1, kind: Pod, name: p, jsonPath: "{.spec.priority}", equals: 3 }
  faults:
    - podKill: { selector: app=web }
    - podDelete: { selector: app=web, percent: 50 }
    - processKill: { pidFile: run/op.pid }
    - deleteObject: { apiVersion: v1, kind: Secret, name: tls }
  expect:
    recoveryWithin: 30s
`);
      expect(errors, show(errors)).to.deep.equal([]);
      if (scenario === undefined) throw new Error('no scenario');
      const { spec } = scenario;
      expect(scenario.metadata.labels).to.deep.equal({});
      expect(spec.namespace).to.equal(undefined);
      expect(spec.desiredState).to.deep.equal([]);
      expect(spec.allowNamespaces).to.deep.equal([]);
      expect(spec.processes).to.deep.equal([]);
      expect(spec.trials).to.equal(1);
      expect(spec.timeout.toString()).to.equal('10m');
      expect(spec.expect.recoveryWithin.toMilliseconds()).to.equal(30_000);
      expect(spec.expect.settle.toMilliseconds()).to.equal(1000);
      expect(spec.expect.maxDisruption).to.equal(undefined);
      expect(spec.expect.mustBreak).to.equal(false);
      expect(spec.load).to.equal(undefined);
      expect(spec.faults.map((fault) => [fault.kind, fault.index, fault.at.toMilliseconds()])).to.deep.equal([
        ['podKill', 0, 0], ['podDelete', 1, 0], ['processKill', 2, 0], ['deleteObject', 3, 0],
      ]);
      expect(spec.faults.map((fault) => fault.params)).to.deep.equal([
        { selector: 'app=web', count: 1 },
        { selector: 'app=web', percent: 50 },
        { signal: 'KILL', pidFile: join(scenario.file, '..', 'run', 'op.pid') },
        { apiVersion: 'v1', kind: 'Secret', name: 'tls', propagationPolicy: 'Background' },
      ]);
      expect(JSON.parse(JSON.stringify(spec.steadyState))).to.deep.equal([
        { kind: 'podsReady', index: 0, params: { selector: 'app=web', min: 1 } },
        { kind: 'endpointsReady', index: 1, params: { service: 'web', count: 2 } },
        { kind: 'http', index: 2, params: { url: 'http://localhost:8080/', status: 200, timeout: '2s' } },
        { kind: 'object', index: 3, params: { apiVersion: 'v1', kind: 'Pod', name: 'p', jsonPath: '{.spec.priority}', equals: '3' } },
      ]);
    });

    it('leaves steadyState undefined when omitted, to be derived from desiredState', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:
  desiredState:
    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }
  faults: [ { podKill: { selector: app=web } } ]
  expect: { recoveryWithin: 30s }
`);
      expect(errors, show(errors)).to.deep.equal([]);
      expect(scenario?.spec.steadyState).to.equal(undefined);
    });

    it('keeps everything that was written', async () => {
      const { scenario, errors } = await loadText(`${HEADER}  description: d
  labels: { suite: smoke }
spec:
  namespace: web
  allowNamespaces: [ops]
  processes:
    - { name: op, command: [./op, -v], env: { A: b }, workingDir: sub, restart: always, ready: { log: "^ready$" } }
  steadyState: [ { nodesReady: { selector: pool=a, count: 2 } } ]
  faults:
    - at: 1.5s
      nodeStop: { nodesOf: app=db, namespace: ops, duration: 1m, count: 2 }
    - at: 2s
      nodeTaint: { selector: pool=a, key: k, value: v, effect: NoSchedule, percent: 50 }
    - containerKill: { selector: app=web, container: sidecar, namespace: ops }
    - scale: { kind: StatefulSet, name: db, namespace: ops, replicas: 0 }
    - processKill: { process: op, signal: STOP }
    - processKill: { command: "manager --leader" }
    - deleteObject: { apiVersion: apps/v1, kind: Deployment, selector: app=web, propagationPolicy: Orphan }
  expect: { recoveryWithin: 2m, settle: 3s, maxDisruption: 1m, mustBreak: true }
  load: { http: { targets: [ { url: "http://127.0.0.1:8080/q", method: POST, body: "{}", expectedStatuses: [200, 201] } ], vus: 5 }, thresholds: { http_req_failed: ["rate<0.01"] } }
  trials: 4
  timeout: 30m
`);
      expect(errors, show(errors)).to.deep.equal([]);
      if (scenario === undefined) throw new Error('no scenario');
      const { spec } = scenario;
      expect(scenario.metadata).to.deep.equal({ name: 'positions', description: 'd', labels: { suite: 'smoke' } });
      expect(spec.namespace).to.equal('web');
      expect(spec.allowNamespaces).to.deep.equal(['ops']);
      expect(spec.processes).to.deep.equal([{
        name: 'op', command: ['./op', '-v'], env: { A: 'b' }, workingDir: join(scenario.file, '..', 'sub'), restart: 'always', ready: { log: '^ready$' },
      }]);
      expect(JSON.parse(JSON.stringify(spec.faults))).to.deep.equal([
        { kind: 'nodeStop', index: 0, at: '1.5s', params: { nodesOf: 'app=db', namespace: 'ops', count: 2, duration: '1m', graceful: false } },
        { kind: 'nodeTaint', index: 1, at: '2s', params: { selector: 'pool=a', percent: 50, key: 'k', value: 'v', effect: 'NoSchedule' } },
        { kind: 'containerKill', index: 2, at: '0s', params: { selector: 'app=web', namespace: 'ops', count: 1, container: 'sidecar' } },
        { kind: 'scale', index: 3, at: '0s', params: { kind: 'StatefulSet', name: 'db', namespace: 'ops', replicas: 0 } },
        { kind: 'processKill', index: 4, at: '0s', params: { signal: 'STOP', process: 'op' } },
        { kind: 'processKill', index: 5, at: '0s', params: { signal: 'KILL', command: 'manager --leader' } },
        { kind: 'deleteObject', index: 6, at: '0s', params: { apiVersion: 'apps/v1', kind: 'Deployment', propagationPolicy: 'Orphan', selector: 'app=web', count: 1 } },
      ]);
      expect(spec.expect.maxDisruption?.toString()).to.equal('1m');
      expect(spec.expect.mustBreak).to.equal(true);
      expect(JSON.parse(JSON.stringify(spec.load))).to.deep.equal({
        warmup: '2s',
        maxRequests: 1_000_000,
        thresholds: { http_req_failed: ['rate<0.01'] },
        driver: {
          kind: 'http',
          targets: [{ url: 'http://127.0.0.1:8080/q', method: 'POST', headers: {}, body: '{}', expectedStatuses: [200, 201] }],
          model: { kind: 'vus', vus: 5 },
          timeout: '2s',
        },
      });
      expect(spec.trials).to.equal(4);
      expect(spec.timeout.toMilliseconds()).to.equal(1_800_000);
    });
  });

  describe('manifests', () => {
    const SPEC_TAIL = `  faults: [ { podKill: { selector: app=web } } ]
  expect: { recoveryWithin: 30s }
`;

    it('loads multi-document files relative to the scenario, skipping empty documents', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:\n  desiredState:\n    - file: manifests/app.yaml\n    - inline: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: other } }\n${SPEC_TAIL}`, {
        files: {
          'manifests/app.yaml': '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n---\n',
        },
      });
      expect(errors, show(errors)).to.deep.equal([]);
      const manifests = scenario?.spec.desiredState ?? [];
      expect(manifests.map((m) => [m.apiVersion, m.kind, m.name, m.namespace, m.source.line, m.source.path])).to.deep.equal([
        ['apps/v1', 'Deployment', 'web', undefined, 2, 'spec.desiredState[0].file[0]'],
        ['v1', 'ConfigMap', 'settings', undefined, 8, 'spec.desiredState[0].file[1]'],
        ['v1', 'Service', 'web', 'other', 8, 'spec.desiredState[1].inline'],
      ]);
      expect(manifests[0]?.source.file).to.match(/manifests[/\\]app\.yaml$/);
      expect(manifests[1]?.object).to.deep.equal({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    });

    it('reports manifests without apiVersion, kind or metadata.name at their line in their file', async () => {
      const result = await loadText(`${HEADER}spec:\n  desiredState:\n    - file: m.yaml\n    - inline: { apiVersion: v1, kind: Pod, metadata: { labels: {} } }\n${SPEC_TAIL}`, {
        files: { 'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n---\nkind: Secret\nmetadata: { name: s }\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  generateName: s-\n---\n- a list\n' },
      });
      const found = result.errors.map((issue) => `${issue.file.endsWith('m.yaml') ? 'm.yaml' : 'scenario.yaml'}:${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
      expect(found, show(result.errors)).to.deep.equal([
        'scenario.yaml:8:44 spec.desiredState[1].inline.metadata: manifest has no metadata.name',
        'm.yaml:5:1 spec.desiredState[0].file[1]: manifest has no apiVersion',
        'm.yaml:10:1 spec.desiredState[0].file[2].metadata: manifest has no metadata.name',
        'm.yaml:13:1 spec.desiredState[0].file[3]: a manifest must be a map with apiVersion, kind and metadata',
      ]);
    });

    it('reports a missing manifest file at the file: entry', async () => {
      const result = await loadText(`${HEADER}spec:\n  desiredState:\n    - file: nope/missing.yaml\n${SPEC_TAIL}`);
      expect(result.errors).to.have.length(1);
      expect(result.errors[0]?.path).to.equal('spec.desiredState[0].file');
      expect([result.errors[0]?.line, result.errors[0]?.column]).to.deep.equal([7, 13]);
      expect(result.errors[0]?.message).to.match(/^manifest file .*nope[/\\]missing\.yaml: no such file$/);
    });

    it('reports YAML errors inside a manifest file in that file', async () => {
      const result = await loadText(`${HEADER}spec:\n  desiredState:\n    - file: m.yaml\n${SPEC_TAIL}`, { files: { 'm.yaml': 'apiVersion: v1\nkind: [\n' } });
      expect(result.errors.length).to.be.greaterThan(0);
      expect(result.errors.every((issue) => issue.file.endsWith('m.yaml') && issue.message.startsWith('YAML: '))).to.equal(true);
    });

    it('warns about an empty manifest file and an object declared twice', async () => {
      const result = await loadText(`${HEADER}spec:
  desiredState:
    - file: empty.yaml
    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }
    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }
${SPEC_TAIL}`, { files: { 'empty.yaml': '# nothing yet\n' } });
      expect(result.errors).to.deep.equal([]);
      expect(result.scenario).to.not.equal(undefined);
      expect(lines(result.warnings)).to.have.length(2);
      expect(lines(result.warnings)[0]).to.match(/^spec\.desiredState\[0\]\.file: manifest file .*empty\.yaml holds no manifests$/);
      expect(lines(result.warnings)[1]).to.match(/^spec\.desiredState\[2\]\.inline: ConfigMap c is declared twice; this one overrides .*scenario\.yaml:8$/);
    });
  });

  describe('${VAR} substitution', () => {
    const SPEC_TAIL = `  faults: [ { podKill: { selector: app=web } } ]
  expect: { recoveryWithin: 30s }
`;

    it('replaces variables in string values of files and inline manifests, and $${ writes a literal ${', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:
  desiredState:
    - file: m.yaml
    - inline:
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: "\${NAME}" }
        data: { "\${KEY}": "\${IMAGE}:\${TAG}", literal: "$\${HOME}", port: 80 }
${SPEC_TAIL}`, {
        vars: { IMAGE: 'nginx', TAG: '1.27', NAME: 'cfg' },
        files: { 'm.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: { name: web }\nspec: { containers: [ { name: w, image: "${IMAGE}:${TAG}", args: [ "$${X}", "a$b", "$", "${TAG}${TAG}" ] } ] }\n' },
      });
      expect(errors, show(errors)).to.deep.equal([]);
      const [pod, map] = scenario?.spec.desiredState ?? [];
      expect(pod?.object.spec).to.deep.equal({ containers: [{ name: 'w', image: 'nginx:1.27', args: ['${X}', 'a$b', '$', '1.271.27'] }] });
      expect(map?.name).to.equal('cfg');
      // Keys are not templates; values are.
      expect(map?.object.data).to.deep.equal({ '${KEY}': 'nginx:1.27', literal: '${HOME}', port: 80 });
    });

    it('reports an unknown variable with its name, file, line and column, never an empty string', async () => {
      const result = await loadText(`${HEADER}spec:
  desiredState:
    - file: m.yaml
    - inline: { apiVersion: v1, kind: Pod, metadata: { name: "pod-\${NAMEE}" } }
${SPEC_TAIL}`, {
        vars: { NAME: 'x' },
        files: { 'm.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: { version: "v-${VERSION}" }\n' },
      });
      expect(result.scenario).to.equal(undefined);
      const found = result.errors.map((issue) => `${issue.file.endsWith('m.yaml') ? 'm.yaml' : 'scenario.yaml'}:${issue.line}:${issue.column} ${issue.path}: ${issue.message} (hint: ${issue.hint ?? ''})`);
      expect(found).to.deep.equal([
        'scenario.yaml:8:67 spec.desiredState[1].inline.metadata.name: unknown variable NAMEE (hint: did you mean NAME?)',
        'm.yaml:5:25 spec.desiredState[0].file[0].metadata.labels.version: unknown variable VERSION (hint: pass it with --var VERSION=value)',
      ]);
    });

    it('reports malformed references', async () => {
      const result = await loadText(`${HEADER}spec:
  desiredState:
    - inline: { apiVersion: v1, kind: Pod, metadata: { name: p }, data: { a: "\${unterminated", b: "\${not-a-name}" } }
${SPEC_TAIL}`);
      expect(lines(result.errors)).to.deep.equal([
        'spec.desiredState[0].inline.data.a: `${` without a closing `}` (hint: write $${ for a literal ${)',
        'spec.desiredState[0].inline.data.b: `${not-a-name}` is not a variable: names are letters, digits and _ (hint: write $${ for a literal ${)',
      ]);
    });

    it('substitutes user variables in processes and leaves ${KUBECONFIG}, ${NAMESPACE} and $${ for run time', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:
  processes:
    - name: op
      command: ["\${OPERATOR}", --kubeconfig, "\${KUBECONFIG}", "--namespace=\${NAMESPACE}", "$\${KEEP}"]
      env: { IMAGE: "\${IMAGE}" }
      restart: never
${SPEC_TAIL.replace('podKill: { selector: app=web }', 'processKill: { process: op }')}  steadyState: [ { nodesReady: {} } ]
`, { vars: { OPERATOR: './bin/manager', IMAGE: 'op:dev' } });
      expect(errors, show(errors)).to.deep.equal([]);
      const [process] = scenario?.spec.processes ?? [];
      expect(process?.command).to.deep.equal(['./bin/manager', '--kubeconfig', '${KUBECONFIG}', '--namespace=${NAMESPACE}', '$${KEEP}']);
      expect(process?.env).to.deep.equal({ IMAGE: 'op:dev' });
      const builtins = { KUBECONFIG: '/tmp/kc', NAMESPACE: 'rebound-x' };
      expect(process?.command.map((part) => expandBuiltinVariables(part, builtins))).to.deep.equal([
        './bin/manager', '--kubeconfig', '/tmp/kc', '--namespace=rebound-x', '${KEEP}',
      ]);
    });

    it('reports unknown variables in processes, but not the built-ins', async () => {
      const result = await loadText(`${HEADER}spec:
  processes:
    - { name: op, command: ["\${OPERATOR_BIN}", "\${KUBECONFIG}"], restart: never }
  steadyState: [ { nodesReady: {} } ]
${SPEC_TAIL}`);
      expect(lines(result.errors)).to.deep.equal(['spec.processes[0].command[0]: unknown variable OPERATOR_BIN (hint: pass it with --var OPERATOR_BIN=value)']);
      expect([result.errors[0]?.line, result.errors[0]?.column]).to.deep.equal([7, 30]);
    });

    it('substitutes user variables in http check URLs and leaves ${NODE_PORT_<port>} for run time', async () => {
      const { scenario, errors } = await loadText(`${HEADER}spec:
  steadyState:
    - http: { url: "http://\${NODE_PORT_30080}/\${PATH_PART}" }
${SPEC_TAIL}`, { vars: { PATH_PART: 'ready' } });
      expect(errors, show(errors)).to.deep.equal([]);
      const [check] = scenario?.spec.steadyState ?? [];
      expect(check?.kind === 'http' ? check.params.url : undefined).to.equal('http://${NODE_PORT_30080}/ready');
    });

    it('reports an unknown variable in an http check URL at its position', async () => {
      const result = await loadText(`${HEADER}spec:
  steadyState:
    - http: { url: "http://\${HOST}/ready" }
${SPEC_TAIL}`);
      expect(lines(result.errors)).to.deep.equal(['spec.steadyState[0].http.url: unknown variable HOST (hint: pass it with --var HOST=value)']);
      expect([result.errors[0]?.line, result.errors[0]?.column]).to.deep.equal([7, 28]);
    });

    it('takes defaults from spec.variables, which --var overrides', async () => {
      const text = `${HEADER}spec:
  variables: { TAG: v1, NAME: cfg }
  desiredState:
    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: "\${NAME}" }, data: { image: "op:\${TAG}" } }
${SPEC_TAIL}`;
      const defaults = await loadText(text);
      expect(defaults.errors, show(defaults.errors)).to.deep.equal([]);
      expect(defaults.scenario?.spec.desiredState[0]?.object.data).to.deep.equal({ image: 'op:v1' });
      const overridden = await loadText(text, { vars: { TAG: 'v2' } });
      expect(overridden.scenario?.spec.desiredState[0]?.object.data).to.deep.equal({ image: 'op:v2' });
      expect(overridden.scenario?.spec.desiredState[0]?.name).to.equal('cfg');
    });

    it('rejects a spec.variables entry that is not a name with a string value', async () => {
      const result = await loadText(`${HEADER}spec:
  variables: { "bad-name": x, GOOD: 3 }
${SPEC_TAIL}`);
      expect(result.errors.map((e) => e.path).sort()).to.include.members(['spec.variables.GOOD']);
      expect(result.errors.length).to.be.greaterThan(1);
    });

    it('reports the built-ins as unknown in manifests, where nothing replaces them', async () => {
      const result = await loadText(`${HEADER}spec:
  desiredState:
    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: c }, data: { ns: "\${NAMESPACE}" } }
${SPEC_TAIL}`);
      expect(lines(result.errors)).to.deep.equal(['spec.desiredState[0].inline.data.ns: unknown variable NAMESPACE (hint: pass it with --var NAMESPACE=value)']);
    });
  });

  describe('command-line arguments', () => {
    it('parses --var assignments', () => {
      expect(parseVarAssignments(['A=1', 'B_2=x=y', 'EMPTY='])).to.deep.equal({ A: '1', B_2: 'x=y', EMPTY: '' });
    });
    for (const bad of ['A', '=1', '1A=2', 'A-B=1']) {
      it(`rejects --var ${bad}`, () => {
        expect(() => parseVarAssignments([bad])).to.throw(UsageError, 'write --var NAME=value');
      });
    }

    it('expands directories recursively to the YAML files of kind Scenario, and keeps named files', async () => {
      const folder = await folderWith({
        'a.yaml': `${HEADER}spec: {}\n`,
        'sub/b.yml': `# comment\n${HEADER.replace('kind: Scenario', 'kind: "Scenario"')}`,
        'sub/deeper/broken.yaml': 'kind: Scenario\nspec: [\n',
        'sub/manifest.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
        'sub/notes.txt': 'kind: Scenario\n',
        '.hidden/c.yaml': `${HEADER}`,
        'node_modules/d.yaml': `${HEADER}`,
        'explicit.yaml': 'kind: ConfigMap\n',
      });
      const { files, errors } = await expandScenarioArgs([folder, join(folder, 'explicit.yaml'), join(folder, 'a.yaml')]);
      expect(errors).to.deep.equal([]);
      expect(files.map((file) => file.slice(folder.length + 1).replace(/\\/g, '/'))).to.deep.equal([
        'a.yaml', 'sub/b.yml', 'sub/deeper/broken.yaml', 'explicit.yaml',
      ]);
    });

    it('reports names that do not exist and directories without scenarios', async () => {
      const folder = await folderWith({ 'empty/readme.md': '' });
      await mkdir(join(folder, 'void'));
      await writeFile(join(folder, 'ok.yaml'), 'kind: Scenario\n');
      const { files, errors } = await expandScenarioArgs([join(folder, 'missing.yaml'), join(folder, 'empty'), join(folder, 'ok.yaml')]);
      expect(files).to.deep.equal([join(folder, 'ok.yaml')]);
      expect(errors.map((issue) => formatIssue(issue))).to.deep.equal([
        `${join(folder, 'missing.yaml')}:1:1: no such file or directory`,
        `${join(folder, 'empty')}:1:1: no scenario files here (*.yaml or *.yml with kind: Scenario)`,
      ]);
    });
  });
});
