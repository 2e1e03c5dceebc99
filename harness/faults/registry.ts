import type { FaultKind } from '../scenario/schema.js';
import { deleteObject } from './delete-object.js';
import type { FaultHandler } from './fault.js';
import { nodeCordon, nodeTaint } from './node-cordon.js';
import { nodePause, nodeRestart, nodeStop } from './node-down.js';
import { nodeDrain } from './node-drain.js';
import { podDelete, podKill } from './pod-kill.js';
import { processKill } from './process-kill.js';
import { scale } from './scale.js';
import { containerKill, networkPartition } from './unsupported.js';

/** Every fault kind of the format, with its handler. */
export const FAULTS: { readonly [K in FaultKind]: FaultHandler<K> } = {
  podKill, podDelete, containerKill, nodeStop, nodeRestart, nodePause, nodeDrain, nodeCordon, nodeTaint,
  networkPartition, deleteObject, scale, processKill,
};

/** Node faults whose effect depends on the cluster's failure detection (for --dry-run's least recovery time). */
export const NODE_LOSS_FAULTS: readonly FaultKind[] = ['nodeStop', 'nodePause', 'networkPartition'];
