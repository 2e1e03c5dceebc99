import { expect } from 'chai';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  ECHO_IMAGE, FIELD_MANAGER, UsageError, controllingEchoName, desiredConfigMap, desiredDeployment, desiredReplicas,
  desiredStatus, isStoredEcho, parseDuration, parseSettings, sameStatus, type Echo, type EchoStatus, type StoredEcho,
} from '../../scenarios/operators/echo/echo.js';

const UID = '7dbf0261-1fea-4c05-9512-81b69a28ab56';
const NOW = new Date('2025-03-01T12:00:00.123Z');

function echo(overrides: { replicas?: number; message?: string; generation?: number; status?: EchoStatus } = {}): StoredEcho {
  const { replicas = 2, message = 'hello', generation = 1, status } = overrides;
  return {
    apiVersion: 'demo.rebound.dev/v1alpha1',
    kind: 'Echo',
    metadata: { name: 'greeter', namespace: 'demo', uid: UID, generation },
    spec: { replicas, message },
    ...(status === undefined ? {} : { status }),
  };
}

/** A Deployment as the Deployment controller leaves it once it has caught up with `generation`. */
function deployment(replicas: number, available: number, options: { generation?: number; observed?: number; updated?: number } = {}): V1Deployment {
  const { generation = 1, observed = generation, updated = replicas } = options;
  return {
    metadata: { name: 'echo-greeter', namespace: 'demo', generation },
    spec: { replicas, selector: { matchLabels: { app: 'echo-greeter' } }, template: {} },
    status: { observedGeneration: observed, replicas, updatedReplicas: updated, availableReplicas: available, readyReplicas: available },
  };
}

describe('echo operator: desired objects', () => {
  it('owns a ConfigMap echo-<name> holding the message, controlled by the Echo', () => {
    const configMap = desiredConfigMap(echo({ message: 'hi there' }));
    expect(configMap).to.deep.include({ apiVersion: 'v1', kind: 'ConfigMap', data: { message: 'hi there' } });
    expect(configMap.metadata).to.deep.include({ name: 'echo-greeter', namespace: 'demo' });
    expect(configMap.metadata?.labels).to.deep.equal({ app: 'echo-greeter', 'app.kubernetes.io/managed-by': FIELD_MANAGER });
    expect(configMap.metadata?.ownerReferences).to.deep.equal([{
      apiVersion: 'demo.rebound.dev/v1alpha1', kind: 'Echo', name: 'greeter', uid: UID,
      controller: true, blockOwnerDeletion: true,
    }]);
  });

  it('owns a Deployment echo-<name> with spec.replicas pods labelled app=echo-<name>', () => {
    const result = desiredDeployment(echo({ replicas: 3 }));
    expect(result.metadata?.name).to.equal('echo-greeter');
    expect(result.metadata?.ownerReferences?.[0]).to.include({ kind: 'Echo', uid: UID, controller: true });
    expect(result.spec?.replicas).to.equal(3);
    expect(result.spec?.selector.matchLabels).to.deep.equal({ app: 'echo-greeter' });
    expect(result.spec?.template.metadata?.labels).to.deep.equal({ app: 'echo-greeter' });
    const container = result.spec?.template.spec?.containers[0];
    expect(container?.image).to.equal(ECHO_IMAGE);
    expect(container?.env?.[0]?.valueFrom?.configMapKeyRef).to.deep.equal({ name: 'echo-greeter', key: 'message' });
  });

  it('uses the CRD default of 1 replica when spec.replicas is missing or invalid, and keeps 0', () => {
    const bare: StoredEcho = { metadata: { name: 'greeter', namespace: 'demo', uid: UID } };
    expect(desiredReplicas(bare)).to.equal(1);
    expect(desiredReplicas(echo({ replicas: -1 }))).to.equal(1);
    expect(desiredReplicas(echo({ replicas: 1.5 }))).to.equal(1);
    expect(desiredReplicas(echo({ replicas: 0 }))).to.equal(0);
    expect(desiredConfigMap(bare).data).to.deep.equal({ message: '' });
  });

  it('accepts only Echoes with the name, namespace and uid an owner reference needs', () => {
    expect(isStoredEcho(echo())).to.equal(true);
    const withoutUid: Echo = { metadata: { name: 'greeter', namespace: 'demo' } };
    expect(isStoredEcho(withoutUid)).to.equal(false);
    expect(isStoredEcho({})).to.equal(false);
    expect(isStoredEcho({ metadata: { name: '', namespace: 'demo', uid: UID } })).to.equal(false);
  });
});

describe('echo operator: which Echo an event concerns', () => {
  const owned = (apiVersion: string, kind: string, controller: boolean | undefined) => ({
    metadata: { ownerReferences: [{ apiVersion, kind, name: 'greeter', uid: UID, ...(controller === undefined ? {} : { controller }) }] },
  });

  it('follows the controller owner reference to an Echo, of any version of the group', () => {
    expect(controllingEchoName(owned('demo.rebound.dev/v1alpha1', 'Echo', true))).to.equal('greeter');
    expect(controllingEchoName(owned('demo.rebound.dev/v1', 'Echo', true))).to.equal('greeter');
  });

  it('ignores objects without an Echo as their controller', () => {
    expect(controllingEchoName({})).to.equal(undefined);
    expect(controllingEchoName(owned('demo.rebound.dev/v1alpha1', 'Echo', false))).to.equal(undefined);
    expect(controllingEchoName(owned('demo.rebound.dev/v1alpha1', 'Echo', undefined))).to.equal(undefined);
    expect(controllingEchoName(owned('other.example/v1', 'Echo', true))).to.equal(undefined);
    expect(controllingEchoName(owned('apps/v1', 'ReplicaSet', true))).to.equal(undefined);
  });
});

describe('echo operator: status', () => {
  it('is Ready when every replica is updated and available', () => {
    const status = desiredStatus(echo({ generation: 4 }), deployment(2, 2), NOW);
    expect(status).to.deep.equal({
      observedGeneration: 4,
      readyReplicas: 2,
      conditions: [{
        type: 'Ready', status: 'True', reason: 'Available', message: '2/2 replicas available',
        lastTransitionTime: '2025-03-01T12:00:00Z', observedGeneration: 4,
      }],
    });
  });

  it('is not Ready while replicas are missing', () => {
    const [condition] = desiredStatus(echo(), deployment(2, 1), NOW).conditions ?? [];
    expect(condition).to.include({ status: 'False', reason: 'Progressing', message: '1/2 replicas available' });
  });

  it('is not Ready when the Deployment does not exist', () => {
    const status = desiredStatus(echo(), undefined, NOW);
    expect(status.readyReplicas).to.equal(0);
    expect(status.conditions?.[0]).to.include({ status: 'False', reason: 'DeploymentMissing' });
  });

  it('does not trust a Deployment whose controller has not seen its latest spec', () => {
    const stale = deployment(2, 2, { generation: 3, observed: 2 });
    expect(desiredStatus(echo(), stale, NOW).conditions?.[0]?.status).to.equal('False');
  });

  it('is not Ready while a rollout or a drifted replica count is under way', () => {
    expect(desiredStatus(echo(), deployment(2, 2, { updated: 1 }), NOW).conditions?.[0]?.status).to.equal('False');
    expect(desiredStatus(echo({ replicas: 3 }), deployment(2, 2), NOW).conditions?.[0]?.status).to.equal('False');
  });

  it('is Ready with zero replicas when zero are asked for', () => {
    expect(desiredStatus(echo({ replicas: 0 }), deployment(0, 0), NOW).conditions?.[0]?.status).to.equal('True');
  });

  it('keeps lastTransitionTime while the condition status stays the same, and moves it on a change', () => {
    const earlier = desiredStatus(echo(), deployment(2, 2), new Date('2025-01-01T00:00:00Z'));
    const same = desiredStatus(echo({ status: earlier }), deployment(2, 2), NOW);
    expect(same.conditions?.[0]?.lastTransitionTime).to.equal('2025-01-01T00:00:00Z');
    const changed = desiredStatus(echo({ status: earlier }), deployment(2, 1), NOW);
    expect(changed.conditions?.[0]?.lastTransitionTime).to.equal('2025-03-01T12:00:00Z');
  });

  it('compares statuses by content, so an unchanged status is not written again', () => {
    const status = desiredStatus(echo(), deployment(2, 2), NOW);
    // As read back from the API server: the same content with its keys in another order.
    const readBack = JSON.parse(JSON.stringify({ conditions: status.conditions, readyReplicas: 2, observedGeneration: 1 })) as EchoStatus;
    expect(sameStatus(readBack, status)).to.equal(true);
    expect(sameStatus(undefined, status)).to.equal(false);
    expect(sameStatus({ ...readBack, readyReplicas: 1 }, status)).to.equal(false);
    expect(sameStatus(desiredStatus(echo(), deployment(2, 1), NOW), status)).to.equal(false);
  });
});

describe('echo operator: settings', () => {
  it('reads the namespace, the kubeconfig and the reconcile delay from flags', () => {
    const settings = parseSettings(['--namespace', 'demo', '--kubeconfig', '/tmp/kc', '--reconcile-delay', '2s'], {});
    expect(settings).to.deep.equal({ namespace: 'demo', kubeconfig: '/tmp/kc', reconcileDelayMs: 2000, echoImage: ECHO_IMAGE, ignoreDrift: undefined });
  });

  it('takes the delay from ECHO_RECONCILE_DELAY when the flag is absent or empty, and defaults it to 0', () => {
    expect(parseSettings(['--namespace', 'demo'], { ECHO_RECONCILE_DELAY: '1.5s' }).reconcileDelayMs).to.equal(1500);
    expect(parseSettings(['--namespace', 'demo', '--reconcile-delay', ''], { ECHO_RECONCILE_DELAY: '250ms' }).reconcileDelayMs)
      .to.equal(250);
    expect(parseSettings(['--namespace', 'demo', '--reconcile-delay', '0s'], { ECHO_RECONCILE_DELAY: '9s' }).reconcileDelayMs)
      .to.equal(0);
    expect(parseSettings(['--namespace', 'demo'], {})).to.deep.equal({ namespace: 'demo', kubeconfig: undefined, reconcileDelayMs: 0, echoImage: ECHO_IMAGE, ignoreDrift: undefined });
  });

  it('takes the echo pods\' image from --echo-image, else $ECHO_IMAGE', () => {
    expect(parseSettings(['--namespace', 'demo', '--echo-image', 'a:1'], { ECHO_IMAGE: 'b:2' }).echoImage).to.equal('a:1');
    expect(parseSettings(['--namespace', 'demo'], { ECHO_IMAGE: 'b:2' }).echoImage).to.equal('b:2');
    expect(desiredDeployment(echo({ replicas: 1 }), 'a:1').spec?.template.spec?.containers[0]?.image).to.equal('a:1');
  });

  it('plants its drift bug only when asked, by --ignore-drift or $ECHO_IGNORE_DRIFT, and refuses an unknown one', () => {
    expect(parseSettings(['--namespace', 'demo', '--ignore-drift', 'configmap-message'], {}).ignoreDrift).to.equal('configmap-message');
    expect(parseSettings(['--namespace', 'demo'], { ECHO_IGNORE_DRIFT: 'configmap-message' }).ignoreDrift).to.equal('configmap-message');
    expect(parseSettings(['--namespace', 'demo', '--ignore-drift', ''], {}).ignoreDrift).to.equal(undefined);
    expect(() => parseSettings(['--namespace', 'demo', '--ignore-drift', 'replicas'], {})).to.throw(UsageError, /not a drift it can ignore/);
  });

  it('rejects a missing namespace, unknown flags and bad durations with a UsageError', () => {
    expect(() => parseSettings([], {})).to.throw(UsageError, /--namespace is required/);
    expect(() => parseSettings(['--namespace', 'demo', '--verbose'], {})).to.throw(UsageError);
    expect(() => parseSettings(['--namespace', 'demo', '--reconcile-delay', '2'], {})).to.throw(UsageError, /not a duration/);
  });

  it('parses Go-style durations', () => {
    expect(parseDuration('0')).to.equal(0);
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('1h')).to.equal(3_600_000);
    expect(() => parseDuration('-1s')).to.throw(UsageError);
    expect(() => parseDuration('2 s')).to.throw(UsageError);
  });
});
