/**
 * Tokens and client keys from kubeconfigs never appear in logs or reports. A kubeconfig for the test cluster gets a
 * user with a client certificate made for this test (its key is a secret) and a planted bearer token; runs of a
 * scenario that passes, one that fails and one that errors, a broken kubeconfig, an unreachable server and
 * `recover` then go through it, at the debug log level; every output is searched for the secrets: stdout, stderr,
 * every file under each --out folder (JSON, JUnit, Markdown, HTML, run.log, process logs), every journal written
 * under ~/.rebound/ledger while they ran, and the cluster's rebound-system ConfigMaps.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { clientsFor } from '../../harness/cluster/kube.js';
import { clusterDir } from '../../harness/cluster/local/state.js';
import { reboundHome } from '../../harness/util/paths.js';
import { rebound, readResults, type Outcome } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

const CONTEXT = 'rebound-secrets-test';
const UNREACHABLE = 'rebound-secrets-unreachable';

interface Kubeconfig {
  clusters: { name: string; cluster: Record<string, string> }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: Record<string, string> }[];
  'current-context'?: string;
}

/** A text that may hold a secret, and where it came from. */
interface Output {
  readonly where: string;
  readonly text: string;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every secret, in the forms it could leak in: as written in the kubeconfig, decoded, line by line. */
function secretForms(secrets: Readonly<Record<string, string>>): [string, string][] {
  const forms: [string, string][] = [];
  for (const [name, value] of Object.entries(secrets)) {
    forms.push([name, value]);
    forms.push([`${name} (base64)`, Buffer.from(value).toString('base64')]);
  }
  return forms;
}

describe('secrets never in logs or reports (integration)', function () {
  this.timeout(10 * 60_000);
  const outputs: Output[] = [];
  const journals = new Map<string, string>();
  let work: string;
  let kubeconfig: string;
  let secrets: Record<string, string>;
  let watcher: FSWatcher | undefined;

  /** Runs the CLI and keeps what it printed. */
  async function cli(what: string, args: string[]): Promise<Outcome> {
    const outcome = await rebound(args);
    outputs.push({ where: `${what}: stdout`, text: outcome.stdout }, { where: `${what}: stderr`, text: outcome.stderr });
    return outcome;
  }

  before(async () => {
    const state = await testCluster();
    work = mkdtempSync(join(tmpdir(), 'rebound-secrets-'));
    // A client certificate of this test's own, signed by the cluster's CA: the API server trusts it (x509), and its
    // key is the client key that must never show.
    const pki = join(clusterDir(TEST_CLUSTER), 'pki');
    const key = join(work, 'client.key');
    const csr = join(work, 'client.csr');
    const cert = join(work, 'client.crt');
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/O=system:masters/CN=rebound-secrets-test'], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial', '-CAserial', join(work, 'ca.srl'), '-out', cert, '-days', '1'], { stdio: 'ignore' });
    const keyPem = readFileSync(key, 'utf8');
    const base = parse(readFileSync(state.kubeconfig, 'utf8')) as Kubeconfig;
    const [cluster] = base.clusters;
    const [admin] = base.users;
    if (cluster === undefined || admin === undefined) throw new Error(`${state.kubeconfig} has no cluster or user`);
    const planted = `rebound-planted-secret-${randomBytes(12).toString('hex')}`;
    const keyBody = keyPem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
    secrets = {
      'the planted token': planted,
      "the cluster's admin token": admin.user.token ?? '',
      'the client key (client-key-data)': Buffer.from(keyPem).toString('base64'),
      'the client key (PEM body)': keyBody,
    };
    for (const [index, line] of keyPem.split('\n').filter((text) => text.length >= 16 && !text.startsWith('-----')).entries()) {
      secrets[`the client key (PEM line ${index + 1})`] = line;
    }
    const document: Kubeconfig = {
      clusters: [cluster, { name: 'nowhere', cluster: { ...cluster.cluster, server: 'https://127.0.0.1:1' } }],
      users: [
        {
          name: 'planted',
          user: {
            token: planted,
            'client-certificate-data': readFileSync(cert).toString('base64'),
            'client-key-data': Buffer.from(keyPem).toString('base64'),
          },
        },
        // The cluster's real token, in a user no context of the runs uses: nothing should read it out either.
        { name: 'admin', user: { token: admin.user.token ?? '' } },
      ],
      contexts: [
        { name: CONTEXT, context: { cluster: cluster.name, user: 'planted' } },
        { name: UNREACHABLE, context: { cluster: 'nowhere', user: 'planted' } },
      ],
      'current-context': CONTEXT,
    };
    kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, stringify({ apiVersion: 'v1', kind: 'Config', ...document }), { mode: 0o600 });
    // The ledger's journals are removed once undone: keep each as it is written.
    const ledger = join(reboundHome(), 'ledger');
    mkdirSync(ledger, { recursive: true });
    watcher = watch(ledger, (_, name) => {
      if (name === null) return;
      try {
        journals.set(`${name} (${journals.size})`, readFileSync(join(ledger, name), 'utf8'));
      } catch {
        // Gone (renamed or removed) before it could be read; its next state is read on the next event.
      }
    });
  });

  after(() => {
    watcher?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('the kubeconfig works: its client certificate is accepted whatever the planted token', () => {
    const kube = clientsFor(kubeconfig, CONTEXT);
    return kube.core.listNamespace().then((list) => expect(list.items.length).to.be.greaterThan(0));
  });

  it('a passing, a failing and an erroring run through it, at the debug log level, give the expected verdicts', async () => {
    const scenarios = join(work, 'scenarios');
    mkdirSync(scenarios);
    const scenario = (name: string, spec: Record<string, unknown>): string => {
      const file = join(scenarios, `${name}.yaml`);
      writeFileSync(file, stringify({ apiVersion: 'rebound.dev/v1alpha1', kind: 'Scenario', metadata: { name }, spec }));
      return file;
    };
    const web = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } },
      },
    };
    const passing = scenario('secrets-pass', {
      desiredState: [{ inline: web }],
      steadyState: [{ podsReady: { selector: 'app=web', count: 2 } }],
      faults: [{ podKill: { selector: 'app=web', count: 1 } }],
      expect: { recoveryWithin: '30s', settle: '1s' },
      trials: 1,
      timeout: '3m',
    });
    // The API server refuses the object (no such kind): the run is an ERROR, with the server's words in it.
    const erroring = scenario('secrets-error', {
      desiredState: [{ inline: { apiVersion: 'example.com/v1', kind: 'NoSuchThing', metadata: { name: 'x' } } }],
      steadyState: [{ podsReady: { selector: 'app=web', count: 1 } }],
      faults: [{ podKill: { selector: 'app=web' } }],
      expect: { recoveryWithin: '10s', settle: '1s' },
      trials: 1,
      timeout: '2m',
    });
    const common = ['--kubeconfig', kubeconfig, '--context', CONTEXT, '--log-level', 'debug', '--seed', '1'];
    const runs: [string, string, number, string][] = [
      ['pass', passing, 0, 'PASS'],
      ['fail', 'scenarios/fail-bare-pod.yaml', 1, 'FAIL'],
      ['error', erroring, 2, 'ERROR'],
    ];
    for (const [name, file, code, verdict] of runs) {
      const out = join(work, `out-${name}`);
      const outcome = await cli(`run ${name}`, ['run', file, ...common, '--out', out]);
      const report = readResults(out);
      const why = `${report.scenarios[0]?.verdict}: ${report.scenarios[0]?.reason}\n${outcome.stderr.slice(-2000)}`;
      expect(report.scenarios[0]?.verdict, why).to.equal(verdict);
      expect(outcome.code, why).to.equal(code);
      const written = filesUnder(out);
      for (const kind of ['results.json', 'run.log', '.xml', '.md', '.html']) expect(written.some((path) => path.endsWith(kind)), `${kind} in ${out}`).to.equal(true);
      for (const path of written) outputs.push({ where: path, text: readFileSync(path).toString('utf8') });
    }
    const dry = await cli('dry run', ['run', passing, ...common, '--dry-run']);
    expect(dry.code, dry.stderr).to.equal(0);
  });

  it('error paths through it end with exit 2: an unreachable server, a broken kubeconfig, a context that is not there', async () => {
    const unreachable = await cli('unreachable', ['run', 'scenarios/fail-bare-pod.yaml', '--kubeconfig', kubeconfig, '--context', UNREACHABLE, '--out', join(work, 'out-unreachable'), '--log-level', 'debug']);
    expect(unreachable.code, unreachable.stderr).to.equal(2);
    for (const path of filesUnder(join(work, 'out-unreachable'))) outputs.push({ where: path, text: readFileSync(path).toString('utf8') });
    // A YAML mistake right next to the secrets: the parser's message would quote those lines.
    const broken = join(work, 'broken-kubeconfig');
    writeFileSync(broken, readFileSync(kubeconfig, 'utf8').replace(/(\n\s+)client-key-data:/, '$1 client-key-data:'), { mode: 0o600 });
    for (const command of [['run', 'scenarios/fail-bare-pod.yaml', '--out', join(work, 'out-broken')], ['recover']]) {
      const outcome = await cli(`${command[0]} with a broken kubeconfig`, [...command, '--kubeconfig', broken, '--context', CONTEXT]);
      expect(outcome.code, outcome.stderr).to.equal(2);
      expect(outcome.stderr.trimEnd().split('\n'), outcome.stderr).to.have.length(1);
      expect(outcome.stderr).to.match(/^rebound: kubeconfig .* cannot be read: /);
    }
    const missing = await cli('unknown context', ['run', 'scenarios/fail-bare-pod.yaml', '--kubeconfig', kubeconfig, '--context', 'rebound-nope', '--out', join(work, 'out-missing')]);
    expect(missing.code, missing.stderr).to.equal(2);
    for (const out of ['out-broken', 'out-missing']) {
      for (const path of existsSync(join(work, out)) ? filesUnder(join(work, out)) : []) outputs.push({ where: path, text: readFileSync(path).toString('utf8') });
    }
  });

  it('recover through it has nothing to undo', async () => {
    const outcome = await cli('recover', ['recover', '--kubeconfig', kubeconfig, '--context', CONTEXT]);
    expect(outcome.code, outcome.stderr).to.equal(0);
  });

  it('no token and no client key in any output, report, log, journal or rebound ConfigMap', async () => {
    const kube = clientsFor(kubeconfig, CONTEXT);
    const configMaps = await kube.core.listNamespacedConfigMap({ namespace: 'rebound-system' }).then((list) => list.items, () => []);
    const searched: Output[] = [
      ...outputs,
      ...[...journals].map(([name, text]) => ({ where: `ledger journal ${name}`, text })),
      ...configMaps.map((map) => ({ where: `ConfigMap rebound-system/${map.metadata?.name ?? ''}`, text: JSON.stringify(map) })),
    ];
    // The search sees what it should: the reports name the context, and the journals were caught.
    expect(searched.some((output) => output.where.endsWith('results.json') && output.text.includes(CONTEXT))).to.equal(true);
    expect(journals.size, 'journals written under ~/.rebound/ledger during the runs').to.be.greaterThan(0);
    const leaks: string[] = [];
    for (const [name, value] of secretForms(secrets)) {
      expect(value.length, name).to.be.greaterThan(15);
      for (const output of searched) if (output.text.includes(value)) leaks.push(`${name} in ${output.where}`);
    }
    expect(leaks, `searched ${searched.length} outputs`).to.deep.equal([]);
  });
});
