import { expect } from 'chai';
import { guardContext } from '../../../harness/cluster/context-guard.js';
import { UsageError } from '../../../harness/errors.js';

describe('the context guard', () => {
  it('lets test clusters through by their conventional names', () => {
    for (const context of ['kind-kind', 'kind-chaos', 'rebound-local', 'kwok-test']) expect(() => guardContext(context)).to.not.throw();
  });

  it('refuses any other context before anything is touched, saying how to allow it', () => {
    expect(() => guardContext('prod-eu-west')).to.throw(UsageError, /refusing kube context "prod-eu-west".*--allow-context 'prod-eu-west'/);
    expect(() => guardContext('my-kind-cluster')).to.throw(UsageError);
  });

  it('takes extra glob patterns from --allow-context', () => {
    expect(() => guardContext('staging-chaos-1', ['staging-chaos-*'])).to.not.throw();
    expect(() => guardContext('staging-1', ['staging-chaos-*'])).to.throw(UsageError);
  });
});
