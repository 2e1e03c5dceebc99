import { ClusterError } from '../../errors.js';
import type { ContainerControl } from '../provider.js';
import type { ContainerEngine } from './engine.js';

/**
 * containerKill on kind: inside the node container, the CRI (crictl, talking to the node's containerd) names the
 * running container of that pod and its main process, which gets SIGKILL.
 */
export function kindContainerControl(engine: ContainerEngine): ContainerControl {
  /** Ids of a pod's running containers (of one container name, when given). */
  const running = async (node: string, podUid: string, container?: string): Promise<string[]> => {
    const listed = await engine.run(['exec', node, 'crictl', 'ps', '--quiet', '--state', 'running',
      '--label', `io.kubernetes.pod.uid=${podUid}`, ...(container ? ['--label', `io.kubernetes.container.name=${container}`] : [])]);
    return listed.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  };
  /** SIGKILL to a container's main process; false when it ended before we got to it. */
  const kill = async (node: string, id: string): Promise<boolean> => {
    const inspected = await engine.run(['exec', node, 'crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', id], { allowFailure: true });
    const pid = Number(inspected.stdout.trim());
    if (inspected.code !== 0 || !Number.isInteger(pid) || pid <= 1) return false;
    return (await engine.run(['exec', node, 'kill', '-KILL', String(pid)], { allowFailure: true })).code === 0;
  };
  return {
    killContainer: async (node, podUid, container) => {
      const [id] = await running(node, podUid, container);
      if (!id) throw new ClusterError(`no running container "${container}" of pod ${podUid} on node ${node}`);
      if (!await kill(node, id)) throw new ClusterError(`container ${id} of pod ${podUid} on node ${node} has no process to kill`);
    },
    killPodContainers: async (node, podUid) => {
      let killed = 0;
      for (const id of await running(node, podUid)) if (await kill(node, id)) killed += 1;
      return killed;
    },
  };
}
