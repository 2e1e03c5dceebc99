/**
 * How to undo a change, as data (faults and the run describe their changes this way; harness/run/revert-steps.ts
 * performs them): what the run's journal on disk holds, so that `rebound recover` can undo a killed run's changes.
 */
import type { WorkloadKind } from '../scenario/schema.js';

/** A field a patch changed (a JSON Pointer), with its value before and after; a value left out: it was absent. */
export interface PatchedField {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** One undo step. */
export type RevertStep =
  | { readonly op: 'nodeStart'; readonly node: string }
  | { readonly op: 'nodeResume'; readonly node: string }
  | { readonly op: 'networkReconnect'; readonly node: string }
  | { readonly op: 'uncordon'; readonly node: string }
  | { readonly op: 'untaint'; readonly node: string; readonly key: string; readonly effect: string }
  | { readonly op: 'scale'; readonly kind: WorkloadKind; readonly namespace: string; readonly name: string; readonly replicas: number }
  | { readonly op: 'continueProcess'; readonly pid: number; readonly command: readonly string[] }
  | { readonly op: 'stopProcess'; readonly pid: number; readonly command: readonly string[] }
  | { readonly op: 'deleteObject'; readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string; readonly uid: string }
  /** A patch: fields still off are written back; a pod released by its controller (controllerUid) is deleted. */
  | { readonly op: 'revertPatch'; readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string;
    readonly uid: string; readonly fields: readonly PatchedField[]; readonly controllerUid?: string }
  /** Server-side apply (field manager `rebound`) of these objects' previous version, as a GitOps revert would. */
  | { readonly op: 'apply'; readonly objects: readonly Readonly<Record<string, unknown>>[] }
  /** A namespace the run created: deleted only while it carries the run's label (RUN_LABEL: runId). */
  | { readonly op: 'deleteNamespace'; readonly name: string; readonly runId: string };

/** The label of what a run creates, valued with the run's id. */
export const RUN_LABEL = 'rebound.dev/run';
