import { expect } from 'chai';
import { versionsOf, withChanges } from '../../../harness/faults/rollout.js';
import type { Manifest, RolloutParams } from '../../../harness/scenario/schema.js';

const web = (): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 4,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'app:v1', env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }] },
    },
  },
});

const manifest = (object: Record<string, unknown>): Manifest => ({
  apiVersion: String(object.apiVersion), kind: String(object.kind), name: String((object.metadata as { name: string }).name), object,
  source: { file: 'web.yaml', line: 1, column: 1, path: 'spec.desiredState[0].file[0]' },
});

const set = (change: Partial<Extract<RolloutParams['change'], { kind: 'set' }>>): Extract<RolloutParams['change'], { kind: 'set' }> =>
  ({ kind: 'set', image: {}, env: {}, annotations: {}, ...change });

describe('faults: rollout versions', () => {
  it('sets images, environment variables (a value replaces a valueFrom) and pod template annotations', () => {
    const next = withChanges(web(), set({ image: { web: 'app:v2' }, env: { web: { MODE: 'new', EXTRA: '1' } }, annotations: { 'rebound.dev/never-ready': 'true' } }), 'Deployment web');
    type Template = { metadata: { annotations: unknown }; spec: { containers: { image: string; env: unknown }[] } };
    const template = (next.spec as { template: Template }).template;
    expect(template.spec.containers[0]?.image).to.equal('app:v2');
    expect(template.spec.containers[0]?.env).to.deep.equal([{ name: 'MODE', value: 'new' }, { name: 'EXTRA', value: '1' }]);
    expect(template.metadata.annotations).to.deep.equal({ 'rebound.dev/never-ready': 'true' });
  });

  it('leaves the previous version as declared', () => {
    const previous = web();
    withChanges(previous, set({ image: { web: 'app:v2' } }), 'Deployment web');
    expect(JSON.stringify(previous)).to.contain('app:v1');
  });

  it('names the containers there are when a container is unknown', () => {
    expect(() => withChanges(web(), set({ image: { api: 'x' } }), 'Deployment web')).to.throw('rollout: Deployment web has no container `api` (its containers: web)');
  });

  it('wants the workload declared in the desired state, and places it in the scenario\'s namespace', () => {
    const params: RolloutParams = { kind: 'Deployment', name: 'web', change: set({ image: { web: 'app:v2' } }), rollback: { kind: 'never' } };
    const { previous, next, replicas } = versionsOf([manifest(web())], params, 'ns', 'ns');
    expect(replicas).to.equal(4);
    expect((previous[0]?.metadata as { namespace: string }).namespace).to.equal('ns');
    expect(JSON.stringify(next[0])).to.contain('app:v2');
    expect(() => versionsOf([], params, 'ns', 'ns')).to.throw('rollout: Deployment web is not declared in spec.desiredState');
  });

  it('takes a file\'s version as the new one, counting its replicas for the rollout and the declared ones for the rollback', () => {
    const scaledUp = web();
    (scaledUp.spec as { replicas: number }).replicas = 6;
    const params: RolloutParams = {
      kind: 'Deployment', name: 'web', rollback: { kind: 'onStall' },
      change: { kind: 'file', file: '/x/web-v2.yaml', manifests: [manifest(scaledUp)] },
    };
    const versions = versionsOf([manifest(web())], params, 'ns', 'ns');
    expect([versions.replicas, versions.previousReplicas]).to.deep.equal([6, 4]);
    expect((versions.next[0]?.spec as { replicas: number }).replicas).to.equal(6);
    expect((versions.previous[0]?.spec as { replicas: number }).replicas).to.equal(4);
  });
});
