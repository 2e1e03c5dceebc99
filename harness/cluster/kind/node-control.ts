import type { NodeControl } from '../provider.js';
import type { ContainerEngine } from './engine.js';

/**
 * Node faults on kind act on the node's container: a stopped node is a killed container (its kubelet, containerd
 * and every pod die at once, as in a power cut) or, graceful, a stopped one (systemd shuts it down in order); a
 * paused node is a frozen one (cgroup freezer).
 */
export function kindNodeControl(engine: ContainerEngine): NodeControl {
  return {
    stop: async (node, options) => {
      // graceful: docker stop sends the image's stop signal (SIGRTMIN+3: systemd shuts down, stopping the kubelet
      // and containerd in order), and kills after 30 s.
      if (options?.graceful) await engine.run(['stop', '--time', '30', node], { timeoutMs: 60_000 });
      else await engine.run(['kill', '--signal', 'KILL', node]);
    },
    start: async (node) => {
      await engine.run(['start', node]);
    },
    restart: async (node) => {
      await engine.run(['kill', '--signal', 'KILL', node]);
      await engine.run(['start', node]);
    },
    pause: async (node) => {
      await engine.run(['pause', node]);
    },
    resume: async (node) => {
      await engine.run(['unpause', node]);
    },
  };
}
