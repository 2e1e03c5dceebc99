import { ClusterError } from '../../errors.js';
import type { ContainerControl } from '../provider.js';
import type { ContainerEngine } from './engine.js';

/**
 * containerKill on kind: inside the node container, the CRI (crictl, talking to the node's containerd) names the
 * running container of that pod and its main process, which gets SIGKILL.
 */
export function kindContainerControl(engine: ContainerEngine): ContainerControl {
  return {
    killContainer: async (node, podUid, container) => {
      const listed = await engine.run(['exec', node, 'crictl', 'ps', '--quiet', '--state', 'running',
        '--label', `io.kubernetes.pod.uid=${podUid}`, '--label', `io.kubernetes.container.name=${container}`]);
      const id = listed.stdout.trim().split('\n')[0]?.trim();
      if (!id) throw new ClusterError(`no running container "${container}" of pod ${podUid} on node ${node}`);
      const inspected = await engine.run(['exec', node, 'crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', id]);
      const pid = Number(inspected.stdout.trim());
      if (!Number.isInteger(pid) || pid <= 1) throw new ClusterError(`crictl gave no process id for container ${id} on node ${node} (${inspected.stdout.trim()})`);
      await engine.run(['exec', node, 'kill', '-KILL', String(pid)]);
    },
  };
}
