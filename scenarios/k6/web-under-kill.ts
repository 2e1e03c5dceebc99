// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- k6 runs this file itself; @types/k6 only types it
/// <reference types="k6" />
// A k6 script for scenarios/k6/pod-kill-k6.yaml: the user's own load test, reused as it is. k6 (v1 runs TypeScript
// as it is) gets BASE and REBOUND_DURATION from rebound with -e; the thresholds are k6's, and k6's end-of-test
// summary gives rebound their verdict. Typed with @types/k6: `npm run build` type-checks it.
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

export const options: Options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: 100,
      timeUnit: '1s',
      // The longest a trial can take, warm-up included: the load covers the whole trial.
      duration: __ENV.REBOUND_DURATION ?? '30s',
      preAllocatedVUs: 20,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.05'],
    http_req_duration: ['p(95)<500'],
    checks: ['rate>0.95'],
  },
};

export default function (): void {
  const response = http.get(`${__ENV.BASE}/`);
  check(response, { 'status is 200': (r) => r.status === 200 });
}
