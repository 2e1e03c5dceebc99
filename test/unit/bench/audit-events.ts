import type { AuditEvent } from '../../../bench/fidelity/audit.js';

/** The moment the recorded audit events of the bench's tests count from. */
export const T = Date.parse('2026-12-02T10:00:00Z');

/** A Deployment's status with `available` available replicas of 3, as the audit log records it. */
export function deployment(available: number): unknown {
  return { kind: 'Deployment', metadata: { name: 'web', generation: 1 }, status: { observedGeneration: 1, updatedReplicas: 3, availableReplicas: available } };
}

/** Makes audit events of namespace `namespace`: a write of `body` done at T + at ms, received 1 ms before. */
export function auditEvents(namespace: string) {
  return (at: number, verb: string, resource: string, body: unknown, extra: Partial<AuditEvent> = {}): AuditEvent => {
    const name = (body as { metadata?: { name?: string } }).metadata?.name;
    return {
      verb, stage: 'ResponseComplete', user: 'u', resource, subresource: undefined, namespace, name, code: 200,
      receivedMs: T + at - 1, completedMs: T + at, requestObject: undefined, responseObject: body, ...extra,
    };
  };
}
