/**
 * The timeline a report charts: whether the steady state held and how many pods, nodes and endpoints were ready,
 * sampled on every change, plus labelled moments (injected, reverted, broken, recovered). Memory stays bounded
 * over long runs: identical consecutive samples coalesce, and past `maxSamples` every other sample that is not a
 * change of `holds` is dropped.
 */

/** One point of the chart. */
export interface TimelineSample {
  readonly at: number;
  readonly holds: boolean;
  readonly readyPods: number;
  readonly readyNodes: number;
  readonly readyEndpoints: number;
}

/** What a marker marks. */
export type MarkerKind = 'injected' | 'reverted' | 'broken' | 'recovered' | 'note' | 'operator';

/** A labelled moment. */
export interface TimelineMarker {
  readonly at: number;
  readonly kind: MarkerKind;
  readonly label: string;
}

/** The counts a sample carries (countsOf gives them). */
export interface SampleCounts {
  readonly readyPods: number;
  readonly readyNodes: number;
  readonly readyEndpoints: number;
}

/** Options of a Timeline. */
export interface TimelineOptions {
  /** Most samples kept (default 10,000); markers are kept up to the same number. */
  readonly maxSamples?: number;
}

/** Samples and markers of a run, in time order. */
export class Timeline {
  private list: TimelineSample[] = [];
  private readonly markerList: TimelineMarker[] = [];
  private readonly maxSamples: number;

  constructor(options: TimelineOptions = {}) {
    this.maxSamples = Math.max(2, options.maxSamples ?? 10_000);
  }

  /** Records the state at `at`; nothing when it equals the last sample; replaces a sample of the same moment. */
  sample(at: number, holds: boolean, counts: SampleCounts): void {
    const last = this.list.at(-1);
    // Stamps never go back; one that does is taken as made at the last moment.
    const moment = last === undefined ? at : Math.max(at, last.at);
    const sample: TimelineSample = {
      at: moment,
      holds,
      readyPods: counts.readyPods,
      readyNodes: counts.readyNodes,
      readyEndpoints: counts.readyEndpoints,
    };
    // The same moment evaluated again: the latest evaluation is the state at that moment.
    if (last !== undefined && last.at === moment) this.list.pop();
    const previous = this.list.at(-1);
    if (previous !== undefined && sameValues(previous, sample)) return;
    this.list.push(sample);
    if (this.list.length > this.maxSamples) this.thin();
  }

  /** Adds a labelled moment. */
  mark(at: number, kind: MarkerKind, label: string): void {
    const index = this.markerList.findLastIndex((marker) => marker.at <= at);
    this.markerList.splice(index + 1, 0, { at, kind, label });
    if (this.markerList.length > this.maxSamples) this.markerList.shift();
  }

  /**
   * The samples between `from` and `to` (inclusive; unbounded when omitted). With `from`, the sample in force at
   * that moment comes first, stamped `from`, so a chart of a trial starts with the state the trial started in.
   */
  samples(from?: number, to?: number): TimelineSample[] {
    const inside = this.list.filter((sample) => (from === undefined || sample.at >= from) && (to === undefined || sample.at <= to));
    if (from === undefined) return inside;
    const before = this.list.findLast((sample) => sample.at < from);
    return before !== undefined && inside[0]?.at !== from ? [{ ...before, at: from }, ...inside] : inside;
  }

  /** The markers between `from` and `to` (inclusive; unbounded when omitted). */
  markers(from?: number, to?: number): TimelineMarker[] {
    return this.markerList.filter((marker) => (from === undefined || marker.at >= from) && (to === undefined || marker.at <= to));
  }

  /** Drops every other sample that does not change `holds` (the first and last are kept), oldest first if need be. */
  private thin(): void {
    const kept: TimelineSample[] = [];
    let dropNext = false;
    this.list.forEach((sample, index) => {
      const previous = kept.at(-1);
      const isChange = previous === undefined || previous.holds !== sample.holds || index === this.list.length - 1;
      if (!isChange && dropNext) {
        dropNext = false;
        return;
      }
      if (!isChange) dropNext = true;
      kept.push(sample);
    });
    this.list = kept.length > this.maxSamples ? kept.slice(kept.length - this.maxSamples) : kept;
  }
}

function sameValues(a: TimelineSample, b: TimelineSample): boolean {
  return a.holds === b.holds && a.readyPods === b.readyPods && a.readyNodes === b.readyNodes && a.readyEndpoints === b.readyEndpoints;
}
