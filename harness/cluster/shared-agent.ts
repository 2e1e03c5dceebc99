import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import * as k8s from '@kubernetes/client-node';

/** The TLS options client-node copies into the agent it makes for each request. */
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** A text key of the TLS options: agents made from equal options are interchangeable. */
function keyOf(options: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(TLS_KEYS.map((name) => {
    const value = options[name];
    return Buffer.isBuffer(value) ? value.toString('base64') : value ?? null;
  }));
}

/** One agent per set of TLS options, for the whole process: every API client of the same cluster shares it. */
const AGENTS = new Map<string, Agent>();

/**
 * Sends each request through one https agent per set of TLS options instead of the new agent client-node makes for
 * every request. A new agent meant a new secure context (the CA parsed again) and a full TLS handshake for every
 * call; a shared one keeps one context and resumes TLS sessions. It mattered when podKill deleted 500 pods at once:
 * the 500 contexts and handshakes held rebound's thread for a second while watch events waited (BENCHMARKS.md,
 * Scale). Connections are still not kept alive, as before.
 */
export class SharedAgentHttpLibrary implements k8s.HttpLibrary {
  constructor(private readonly inner: k8s.HttpLibrary = new k8s.IsomorphicFetchHttpLibrary()) {}

  send(request: k8s.RequestContext): k8s.Observable<k8s.ResponseContext> {
    const agent = request.getAgent();
    if (agent instanceof Agent) request.setAgent(this.agentFor(agent));
    return this.inner.send(request);
  }

  /** The agent shared by every request with the same TLS options as `made`. */
  private agentFor(made: Agent): Agent {
    const options = made.options as Readonly<Record<string, unknown>>;
    const key = keyOf(options);
    let shared = AGENTS.get(key);
    if (shared === undefined) {
      const { ca, cert, key: privateKey, pfx, passphrase } = made.options;
      shared = new Agent({ ...made.options, secureContext: createSecureContext({ ca, cert, key: privateKey, pfx, passphrase }) });
      AGENTS.set(key, shared);
    }
    return shared;
  }
}
