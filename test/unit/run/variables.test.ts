import { expect } from 'chai';
import type { ClusterHandle } from '../../../harness/cluster/provider.js';
import { UsageError } from '../../../harness/errors.js';
import { builtinVariables, expandSteadyState } from '../../../harness/run/variables.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { SteadyStateCheck } from '../../../harness/scenario/schema.js';

const handle = (provider: ClusterHandle['provider'], variables?: Record<string, string>): ClusterHandle => ({
  provider, name: 'c', kubeconfig: '/tmp/kc', timings: {}, release: async () => undefined, ...(variables ? { variables } : {}),
});

const http = (url: string): SteadyStateCheck => ({ kind: 'http', index: 0, params: { url, status: 200, timeout: Duration.parse('2s') } });

describe('built-in variables of a run', () => {
  it('fills NODE_PORT_<port> in http checks from what the kind cluster published', () => {
    const builtins = builtinVariables(handle('kind', { NODE_PORT_30080: '127.0.0.1:41234' }), 'ns-1');
    const [check] = expandSteadyState([http('http://${NODE_PORT_30080}/ready?ns=${NAMESPACE}')], builtins) ?? [];
    expect(check?.kind === 'http' ? check.params.url : undefined).to.equal('http://127.0.0.1:41234/ready?ns=ns-1');
  });

  it('is an error naming the variable on a provider that publishes no NodePorts, or for a port not published', () => {
    expect(() => expandSteadyState([http('http://${NODE_PORT_30080}/ready')], builtinVariables(handle('kubeconfig'), 'ns-1')))
      .to.throw(UsageError, /\$\{NODE_PORT_30080\} .* has no value on this cluster \(the published NodePorts are 30080, 30081, 30082, 30083, on the local and kind providers\)/);
    expect(() => expandSteadyState([http('http://${NODE_PORT_30099}/ready')], builtinVariables(handle('kind', { NODE_PORT_30080: 'x' }), 'ns-1')))
      .to.throw(UsageError, /NODE_PORT_30099/);
  });

  it('leaves other checks and an absent steady state alone, and writes $${ as a literal ${', () => {
    const builtins = builtinVariables(handle('kubeconfig'), 'ns-1');
    expect(expandSteadyState(undefined, builtins)).to.equal(undefined);
    const pods: SteadyStateCheck = { kind: 'podsReady', index: 1, params: { selector: 'app=web', min: 1 } };
    const [first, second] = expandSteadyState([http('http://127.0.0.1:1/$${x}'), pods], builtins) ?? [];
    expect(first?.kind === 'http' ? first.params.url : undefined).to.equal('http://127.0.0.1:1/${x}');
    expect(second).to.equal(pods);
  });
});
