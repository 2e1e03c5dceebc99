import type { NodeControl } from '../provider.js';
import type { ContainerEngine } from './engine.js';

/**
 * Node faults on kind act on the node's container: a stopped node is a killed container (its kubelet, containerd
 * and every pod die at once, as in a power cut), a paused node is a frozen one (cgroup freezer).
 */
export function kindNodeControl(engine: ContainerEngine): NodeControl {
  return {
    stop: async (node) => {
      await engine.run(['kill', '--signal', 'KILL', node]);
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
