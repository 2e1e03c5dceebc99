/**
 * NodePorts a kind cluster publishes on 127.0.0.1 (through its control-plane node), so that checks and load reach
 * Services the way clients outside the cluster do. Scenarios name the address with `${NODE_PORT_<port>}`.
 */
export const PUBLISHED_NODE_PORTS = [30080, 30081, 30082, 30083] as const;

/** The built-in variable that holds where a NodePort is published: NODE_PORT_30080 -> 127.0.0.1:<host port>. */
export function nodePortVariable(nodePort: number): string {
  return `NODE_PORT_${nodePort}`;
}
