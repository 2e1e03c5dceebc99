/**
 * The Chaos Toolkit peer: an experiment of ours (steady-state hypothesis of chaostoolkit-kubernetes probes, one
 * pod-kill action) and what its journal tells a user. The toolkit measures no recovery: it checks the hypothesis
 * before and after the method. The nearest figure a user can read is from the action's start to the end of the
 * hypothesis after it (its deployment probe waits for all replicas ready), reported as such.
 */
import { APP, REPLICAS } from '../fidelity/scenario.js';

export function chaosExperiment(namespace: string): Record<string, unknown> {
  const probe = (name: string, func: string, args: Record<string, unknown>): Record<string, unknown> => ({
    type: 'probe', name, tolerance: true,
    provider: { type: 'python', module: func.slice(0, func.lastIndexOf('.')), func: func.slice(func.lastIndexOf('.') + 1), arguments: args },
  });
  return {
    version: '1.0.0',
    title: `One pod of ${APP} is killed and the workload recovers`,
    description: 'rebound fidelity benchmark: the same kill and steady state as the fidelity scenario.',
    'steady-state-hypothesis': {
      title: `${APP} is available with ${REPLICAS} ready pods behind its Service`,
      probes: [
        probe('deployment-fully-available', 'chaosk8s.deployment.probes.deployment_fully_available', { name: APP, ns: namespace, timeout: 60 }),
        probe('pods-running', 'chaosk8s.pod.probes.count_min_pods', { label_selector: `app=${APP}`, phase: 'Running', min_count: REPLICAS, ns: namespace }),
        probe('service-initialized', 'chaosk8s.service.probes.service_is_initialized', { name: APP, ns: namespace }),
      ],
    },
    method: [{
      type: 'action', name: 'kill-one-pod',
      provider: { type: 'python', module: 'chaosk8s.pod.actions', func: 'terminate_pods', arguments: { label_selector: `app=${APP}`, qty: 1, ns: namespace } },
    }],
    rollbacks: [],
  };
}

interface Activity {
  activity?: { name?: string };
  status?: string;
  start?: string;
  end?: string;
  duration?: number;
}

interface Hypothesis {
  steady_state_met?: boolean;
  probes?: Activity[];
}

interface Journal {
  status?: string;
  deviated?: boolean;
  start?: string;
  end?: string;
  duration?: number;
  steady_states?: { before?: Hypothesis | null; after?: Hypothesis | null };
  run?: Activity[];
}

/** The journal's times are UTC without a zone. */
function utc(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(value) ? null : value;
}

export interface JournalReading {
  readonly verdict: string;
  readonly figures: Record<string, number | null>;
  readonly detail: Record<string, unknown>;
}

export function readJournal(text: string): JournalReading {
  const journal = JSON.parse(text) as Journal;
  const action = journal.run?.[0];
  const after = journal.steady_states?.after?.probes ?? [];
  const afterEnd = after.length === 0 ? null : Math.max(...after.map((p) => utc(p.end) ?? -Infinity));
  const actionStart = utc(action?.start);
  return {
    verdict: `${journal.status ?? 'unknown'}${journal.deviated === true ? ', deviated' : ''}`,
    figures: {
      'action start to hypothesis end': actionStart !== null && afterEnd !== null && Number.isFinite(afterEnd) ? afterEnd - actionStart : null,
    },
    detail: {
      journalDurationS: journal.duration,
      actionDurationS: action?.duration,
      probesAfter: after.map((p) => ({ name: p.activity?.name, status: p.status, durationS: p.duration })),
      steadyStateMetAfter: journal.steady_states?.after?.steady_state_met,
    },
  };
}
