import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { guardCluster, type ContextAllowance } from '../../../harness/cluster/context-guard.js';
import { serverLocality } from '../../../harness/cluster/server-locality.js';
import { UsageError } from '../../../harness/errors.js';

/** 203.0.113.0/24 is reserved for documentation (RFC 5737): never this machine, never contacted. */
const ELSEWHERE = 'https://203.0.113.10:6443';
const HERE = 'https://127.0.0.1:6443';

async function refusal(context: string, server: string, allowances: readonly ContextAllowance[] = []): Promise<string> {
  try {
    await guardCluster(context, server, allowances);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`the guard let ${context} (${server}) through`);
}

describe('the context guard', () => {
  it('lets test clusters through by their conventional names when their server is on this machine', async () => {
    for (const context of ['kind-kind', 'kind-chaos', 'rebound-local', 'kwok-test']) await guardCluster(context, HERE, []);
    await guardCluster('kind-x', 'https://localhost:39211', []);
    await guardCluster('kind-x', 'https://[::1]:6443', []);
  });

  it('refuses any other context before anything is touched, saying how to allow it', async () => {
    expect(await refusal('prod-eu-west', HERE)).to.match(/refusing kube context "prod-eu-west".*--allow-context 'prod-eu-west'.*config\.yaml/);
    expect(await refusal('my-kind-cluster', HERE)).to.match(/refusing kube context "my-kind-cluster"/);
  });

  it('refuses a test cluster\'s name whose server is elsewhere: a renamed production context', async () => {
    const message = await refusal('kind-x', ELSEWHERE);
    expect(message).to.match(/refusing kube context "kind-x": its name matches kind-\*, but its server https:\/\/203\.0\.113\.10:6443 is not on this machine/);
    expect(await refusal('rebound-prod', 'https://api.prod.example.invalid:6443')).to.match(/cannot be resolved/);
    expect(await refusal('kwok-x', 'not a url')).to.match(/not a URL/);
  });

  it('takes extra glob patterns, from --allow-context or a config file, whatever the server', async () => {
    await guardCluster('staging-chaos-1', ELSEWHERE, [{ patterns: ['staging-chaos-*'], from: '--allow-context' }]);
    await guardCluster('kind-x', ELSEWHERE, [{ patterns: ['kind-x'], from: '/home/me/.rebound/config.yaml' }]);
    expect(await refusal('staging-1', HERE, [{ patterns: ['staging-chaos-*'], from: '--allow-context' }])).to.match(/matching kind-\*, rebound-\*, kwok-\*, staging-chaos-\*/);
  });
});

describe('where a server is', () => {
  it('is on this machine at a loopback address, localhost, or one of its own interfaces', async () => {
    expect(await serverLocality('https://127.0.0.1:6443')).to.include({ local: true });
    expect(await serverLocality('https://127.3.4.5:6443')).to.include({ local: true });
    expect(await serverLocality('https://localhost:6443')).to.include({ local: true });
    const own = Object.values(networkInterfaces()).flat().find((info) => info !== undefined && info.family === 'IPv4' && !info.internal);
    if (own) expect(await serverLocality(`https://${own.address}:6443`)).to.include({ local: true });
  });

  it('is elsewhere at any other address, or when its name does not resolve', async () => {
    expect(await serverLocality(ELSEWHERE)).to.include({ local: false });
    expect(await serverLocality('https://198.51.100.1')).to.include({ local: false });
    expect((await serverLocality('https://nowhere.invalid:443')).detail).to.match(/cannot be resolved/);
    expect((await serverLocality(undefined)).local).to.equal(false);
  });
});
