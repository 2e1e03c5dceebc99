import { expect } from 'chai';
import { baseScenario, lines, loadData, loadText, removeTemporaryFolders, show } from './support.js';

type Doc = ReturnType<typeof baseScenario>;

const TARGET = { url: 'http://127.0.0.1:18480/healthz' };

/** Loads the base scenario with `load` as its spec.load. */
async function withLoad(
  load: unknown,
  files: Record<string,
    string> = {},
): Promise<{ errors: string[]; warnings: string[]; shown: string; valid: boolean }> {
  const doc: Doc = baseScenario();
  doc.spec.load = load;
  const result = await loadData(doc, { files });
  return {
    errors: lines(result.errors),
    warnings: lines(result.warnings),
    shown: show([...result.errors, ...result.warnings]),
    valid: result.scenario !== undefined,
  };
}

describe('scenario rules: spec.load', () => {
  after(removeTemporaryFolders);

  it('accepts the built-in driver at a rate with k6 thresholds, sub-metrics and the object form', async () => {
    const result = await withLoad({
      http: { targets: [TARGET], rate: 100 },
      thresholds: {
        http_req_failed: ['rate<0.01'],
        http_req_duration: ['p(95)<500', { threshold: 'p(99.9)<1000', abortOnFail: true, delayAbortEval: '5s' }],
        'http_req_failed{phase:recovery}': ['rate<0.05'],
        http_reqs: ['count>100'],
      },
    });
    expect(result.errors, result.shown).to.deep.equal([]);
    expect(result.warnings, result.shown).to.deep.equal([]);
  });

  it('needs exactly one driver, and exactly one model for http', async () => {
    expect((await withLoad({ thresholds: { http_req_failed: ['rate<0.01'] } })).errors).to.deep.equal(['spec.load: needs http (the built-in driver) or k6 (a k6 script)']);
    expect((await withLoad({ http: { targets: [TARGET], rate: 1 }, k6: { script: 'l.js' } }, { 'l.js': '' })).errors).to.deep.equal([
      'spec.load: give http or k6, not both',
    ]);
    expect((await withLoad({ http: { targets: [TARGET] }, thresholds: { http_reqs: ['count>1'] } })).errors).to.deep.equal(['spec.load.http: needs rate (requests per second) or vus (virtual users)']);
    expect((await withLoad({ http: { targets: [TARGET], rate: 5, vus: 2 }, thresholds: { http_reqs: ['count>1'] } })).errors).to.deep.equal(['spec.load.http: give rate or vus, not both']);
    expect((await withLoad({ http: { targets: [TARGET], vus: 2, maxInFlight: 5 }, thresholds: { http_reqs: ['count>1'] } })).errors).to.deep.equal([
      'spec.load.http.maxInFlight: maxInFlight bounds the rate model; with vus, at most vus requests are in flight',
    ]);
  });

  it('refuses thresholds k6 would refuse, each at its place', async () => {
    const result = await withLoad({
      http: { targets: [TARGET], rate: 10 },
      thresholds: { http_req_failed: ['p(95)<1'], http_req_duraton: ['avg<1'], http_req_duration: ['p95<1', 'avg < '] },
    });
    expect(result.valid).to.equal(false);
    expect(result.errors).to.have.length(4);
    expect(result.errors.filter((e) => e.startsWith('spec.load.thresholds.http_req_failed[0]: '))).to.have.length(1);
    expect(result.errors.some((e) => e.startsWith('spec.load.thresholds.http_req_duraton') && /http_req_duration/.test(e)), result.shown).to.equal(true);
    expect(result.errors.filter((e) => e.startsWith('spec.load.thresholds.http_req_duration['))).to.have.length(2);
  });

  it('refuses a sub-metric on a tag or phase no request carries (its threshold would judge nothing)', async () => {
    const result = await withLoad({
      http: { targets: [TARGET], rate: 10 },
      thresholds: { 'http_req_duration{group:api}': ['p(95)<1'], 'http_req_failed{phase:disruption}': ['rate<0.1'], 'http_req_failed{status:500}': ['rate<0.1'] },
    });
    expect(result.errors).to.deep.equal([
      'spec.load.thresholds["http_req_duration{group:api}"]: the built-in driver\'s requests carry no tag `group` (hint: tags: status, name, expected_response, phase)',
      'spec.load.thresholds["http_req_failed{phase:disruption}"]: no phase `disruption` (hint: phases: baseline, recovery, recovered)',
    ]);
  });

  it('refuses thresholds next to a k6 script, and a script that does not exist', async () => {
    const result = await withLoad({ k6: { script: 'missing.js' }, thresholds: { http_req_failed: ['rate<0.01'] } });
    expect(result.errors).to.have.length(2);
    expect(result.errors.some((e) => /^spec\.load\.thresholds: a k6 script carries its thresholds in its options/.test(e)), result.shown).to.equal(true);
    expect(result.errors.some((e) => /^spec\.load\.k6\.script: k6 script .*missing\.js: /.test(e)), result.shown).to.equal(true);
    expect((await withLoad({ k6: { script: 'load.js', env: { BASE: 'http://x' } } }, { 'load.js': 'export default function () {}\n' })).errors).to.deep.equal([]);
  });

  it('checks target URLs and warns about load that nothing judges', async () => {
    const bad = await withLoad({ http: { targets: [{ url: 'ftp://x/' }], rate: 1 }, thresholds: { http_reqs: ['count>1'] } });
    expect(bad.errors).to.deep.equal(['spec.load.http.targets[0].url: `ftp://x/` is not an http:// or https:// URL']);
    const unjudged = await withLoad({ http: { targets: [TARGET], rate: 1 } });
    expect(unjudged.errors).to.deep.equal([]);
    expect(unjudged.warnings).to.deep.equal(["spec.load.http: no thresholds: the load is measured and reported, but it cannot fail a trial (hint: add e.g. thresholds: { http_req_failed: ['rate<0.01'] })"]);
  });

  it('replaces user variables in targets and k6 env, leaves built-ins for run time, and places an unknown one', async () => {
    const text = `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: vars }
spec:
  variables: { PATH_PART: healthz }
  steadyState: [ { nodesReady: {} } ]
  faults: [ { podKill: { selector: app=web } } ]
  expect: { recoveryWithin: 30s }
  load:
    http:
      targets:
        - url: "http://\${NODE_PORT_30080}/\${PATH_PART}"
          headers: { X-Namespace: "\${NAMESPACE}", X-Bad: "\${NOPE}" }
      rate: 5
    thresholds: { http_req_failed: [ "rate<0.01" ] }
`;
    const result = await loadText(text);
    expect(lines(result.errors)).to.have.length(1);
    expect(lines(result.errors)[0]).to.match(/^spec\.load\.http\.targets\[0\]\.headers\.X-Bad: .*NOPE/);
    expect(result.errors[0]?.line).to.equal(13);
    const fixed = await loadText(text.replace(', X-Bad: "${NOPE}"', ''));
    expect(lines(fixed.errors), show(fixed.errors)).to.deep.equal([]);
    const driver = fixed.scenario?.spec.load?.driver;
    if (driver?.kind !== 'http') throw new Error('expected the http driver');
    expect(driver.targets[0]?.url).to.equal('http://${NODE_PORT_30080}/healthz');
    expect(driver.targets[0]?.headers).to.deep.equal({ 'X-Namespace': '${NAMESPACE}' });
  });

  it('keeps the rate, the requests in flight and the virtual users as written, and the k6 script and env', async () => {
    const load = async (spec: unknown) => {
      const doc: Doc = baseScenario();
      doc.spec.load = spec;
      const result = await loadData(doc, { files: { 'load.js': 'export default function () {}\n' } });
      expect(lines(result.errors), show(result.errors)).to.deep.equal([]);
      return result.scenario?.spec.load?.driver;
    };
    const rate = await load({ http: { targets: [TARGET], rate: 50, maxInFlight: 7 } });
    expect(rate).to.deep.include({ model: { kind: 'rate', rate: 50, maxInFlight: 7 } });
    const vus = await load({ http: { targets: [TARGET], vus: 3 } });
    expect(vus).to.deep.include({ model: { kind: 'vus', vus: 3 } });
    const k6 = await load({ k6: { script: 'load.js', env: { A: '1' } } });
    expect(k6).to.deep.include({ kind: 'k6', env: { A: '1' } });
    expect(k6?.kind === 'k6' ? k6.script : '').to.match(/\/load\.js$/);
  });
});
