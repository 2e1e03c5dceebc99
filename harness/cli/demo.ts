import type { Command } from './command.js';
import { print, progress } from './output.js';

interface DemoArgs {
  keepCluster: boolean;
}

/**
 * `rebound demo` (what `npm run demo` runs): brings the embedded cluster up, deploys the example web tier from
 * scenarios/manifests/web.yaml and shows it healthy, then removes what it made.
 */
export const demoCommand: Command<DemoArgs> = {
  command: 'demo',
  describe: 'start the embedded cluster, deploy the example web tier and show it healthy',
  builder: (yargs) => yargs.option('keep-cluster', { type: 'boolean', default: false, describe: 'leave the cluster running afterwards' }),
  run: async (args) => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parseAllDocuments } = await import('yaml');
    const { up, down } = await import('../cluster/local/cluster.js');
    const { clientsFor } = await import('../cluster/kube.js');
    const { serverSideApply } = await import('../cluster/apply.js');
    const { packageRoot } = await import('../util/paths.js');
    const { waitFor } = await import('../util/sleep.js');

    const { state, reused } = await up({ name: 'local', nodes: 3 }, progress);
    const kube = clientsFor(state.kubeconfig);
    const namespace = `rebound-demo-${Math.random().toString(36).slice(2, 7)}`;
    try {
      await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
      await waitFor('the namespace\'s default ServiceAccount', async () =>
        kube.core.readNamespacedServiceAccount({ name: 'default', namespace }).then(() => true, () => undefined), 30_000);
      const file = join(packageRoot(), 'scenarios', 'manifests', 'web.yaml');
      for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const manifest = document.toJS() as { metadata: { namespace?: string } } & Record<string, unknown>;
        manifest.metadata.namespace = namespace;
        const applied = await serverSideApply(kube.objects, manifest as never);
        progress(`applied ${applied.kind}/${applied.metadata?.name} (uid ${applied.metadata?.uid})`);
      }
      const started = Date.now();
      await waitFor('3 available web replicas', async () => {
        const deployment = await kube.apps.readNamespacedDeployment({ name: 'web', namespace });
        return deployment.status?.availableReplicas === 3 ? true : undefined;
      }, 60_000);
      progress(`web is available with 3 replicas after ${Date.now() - started} ms`);
      const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      print('POD                                NODE      IP            READY');
      for (const pod of pods.items) {
        const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
        print(`${(pod.metadata?.name ?? '').padEnd(35)}${(pod.spec?.nodeName ?? '').padEnd(10)}${(pod.status?.podIP ?? '').padEnd(14)}${ready}`);
      }
      const endpoints = await waitFor('3 ready endpoints of Service web', async () => {
        const slices = await kube.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=web' });
        const ready = slices.items.flatMap((slice) => slice.endpoints).filter((e) => e.conditions?.ready !== false);
        return ready.length === 3 ? ready : undefined;
      }, 30_000);
      print(`Service web: ${endpoints.length} ready endpoints (${endpoints.map((e) => e.addresses.join(',')).join(' ')})`);
      print('The scenario engine (rebound run) is the next step; see the README.');
    } finally {
      await kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
      if (!reused && !args.keepCluster) await down('local', progress);
    }
    return 0;
  },
};
