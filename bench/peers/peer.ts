/** The peers the fidelity benchmark sets beside rebound, and what one peer's run records. */

export const PEERS = ['krkn-lib', 'chaostoolkit', 'kubectl-rollout', 'kubectl-endpoints'] as const;
export type PeerName = (typeof PEERS)[number];

/** One trial of a peer: what the peer said (its own figures, ms) and the bench's own clock around it. */
export interface PeerTrial {
  readonly trial: number;
  /** When the bench handed the trial to the peer (the steady state had held 1 s): the trial's truth is looked for from here. */
  readonly windowStartMs: number;
  /** From handing the trial over to the peer's answer: the peer's wall time for the trial. */
  readonly wallMs: number;
  /** The peer's verdict in its own words (recovered, completed, deviated, timeout...). */
  readonly verdict: string;
  /** The peer's durations that a user would read as the recovery, by the peer's own name; null when it gave none. */
  readonly figures: Record<string, number | null>;
  readonly detail: Record<string, unknown>;
}

export interface PeerRun {
  readonly peer: PeerName;
  readonly namespace: string;
  readonly startedAtMs: number;
  /** A one-process peer's start-up before its first trial (krkn-lib's imports and client), not in any trial's wall. */
  startupMs: number;
  finishedAtMs?: number;
  readonly trials: PeerTrial[];
}
