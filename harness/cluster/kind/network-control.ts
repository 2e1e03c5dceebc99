import { ClusterError } from '../../errors.js';
import type { NetworkControl } from '../provider.js';
import type { ContainerEngine } from './engine.js';

/** A node's addresses on the cluster network, kept to give it the same ones back. */
interface Addresses {
  readonly ipv4: string;
  readonly ipv6: string;
}

/**
 * networkPartition on kind: the node's container is disconnected from the cluster's network (it keeps running and
 * keeps its pods, but reaches nothing and nothing reaches it), then connected again with the same addresses, so
 * that the certificates, the kubelet's --node-ip and the other nodes' routes stay right.
 */
export function kindNetworkControl(engine: ContainerEngine, network: string): NetworkControl {
  const saved = new Map<string, Addresses>();
  return {
    disconnect: async (node) => {
      const { stdout } = await engine.run(['inspect', '--format',
        `{{with index .NetworkSettings.Networks "${network}"}}{{.IPAddress}} {{.GlobalIPv6Address}}{{end}}`, node]);
      const [ipv4 = '', ipv6 = ''] = stdout.trim().split(/\s+/);
      if (ipv4 === '') throw new ClusterError(`node ${node} is not on network ${network}; is it already cut off?`);
      saved.set(node, { ipv4, ipv6 });
      await engine.run(['network', 'disconnect', network, node]);
    },
    reconnect: async (node, ipv4) => {
      const addresses = saved.get(node) ?? (ipv4 ? { ipv4, ipv6: '' } : undefined);
      if (!addresses) return;
      // Already on the network (never cut off, or connected again since): nothing to do.
      const { stdout } = await engine.run(['inspect', '--format', `{{with index .NetworkSettings.Networks "${network}"}}on{{end}}`, node]);
      if (stdout.trim() === 'on') {
        saved.delete(node);
        return;
      }
      const args = ['network', 'connect', '--ip', addresses.ipv4, ...(addresses.ipv6 ? ['--ip6', addresses.ipv6] : []), network, node];
      await engine.run(args);
      saved.delete(node);
    },
  };
}
