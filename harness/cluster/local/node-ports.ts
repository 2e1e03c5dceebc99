import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import { clientsFor, type KubeClients } from '../kube.js';
import { nodePortVariable, PUBLISHED_NODE_PORTS } from '../provider.js';

/**
 * NodePorts on the embedded cluster, answered on behalf of its simulated pods. kwok's pods run nothing, so there is
 * no container to answer and no kube-proxy to route; what a client outside the cluster would see is still decided by
 * the control plane: a NodePort routes to a ready endpoint of its Service when there is one, and refuses the
 * connection when there is none. This server answers exactly that, from the Service's EndpointSlices at the moment
 * of the request: 200 and the endpoint's pod name (round robin), or a closed connection. So a scenario with
 * `http: {url: "http://${NODE_PORT_30080}/..."}` runs unchanged on the local cluster and on kind; on the local one
 * the check follows the endpoints, on kind real containers answer through kube-proxy.
 */
export class NodePortResponder {
  private constructor(
    private readonly servers: readonly Server[],
    /** Built-in variables: NODE_PORT_30080 -> 127.0.0.1:<port>. */
    readonly variables: Readonly<Record<string, string>>,
  ) {}

  static async start(kubeconfig: string, context: string): Promise<NodePortResponder> {
    const kube = clientsFor(kubeconfig, context);
    const servers: Server[] = [];
    const variables: Record<string, string> = {};
    for (const nodePort of PUBLISHED_NODE_PORTS) {
      let next = 0;
      const server = createServer((request, response) => {
        void readyEndpoints(kube, nodePort).then((pods) => {
          const pod = pods.length > 0 ? pods[next++ % pods.length] : undefined;
          if (pod === undefined) {
            request.socket.destroy();
            return;
          }
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end(`simulated ${pod}\n`);
        }, () => request.socket.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
      variables[nodePortVariable(nodePort)] = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    return new NodePortResponder(servers, variables);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })));
  }
}

/** Names of the pods behind the ready endpoints of the Service that owns a NodePort (none when no Service does). */
async function readyEndpoints(kube: KubeClients, nodePort: number): Promise<string[]> {
  const services = await kube.core.listServiceForAllNamespaces();
  const service = services.items.find((s: k8s.V1Service) => s.spec?.ports?.some((port) => port.nodePort === nodePort));
  const name = service?.metadata?.name;
  const namespace = service?.metadata?.namespace;
  if (!name || !namespace) return [];
  const slices = await kube.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${name}` });
  const pods = new Set<string>();
  for (const slice of slices.items) {
    for (const endpoint of slice.endpoints) {
      // An absent ready condition means ready, as for the endpointsReady check.
      if (endpoint.conditions?.ready !== false) pods.add(endpoint.targetRef?.name ?? endpoint.addresses[0] ?? '?');
    }
  }
  return [...pods].sort();
}
