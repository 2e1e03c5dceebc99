import { createHash } from 'node:crypto';

/**
 * A deterministic stream of random numbers derived from (seed, scenario, trial, fault), so a run can be replayed
 * with --seed and one fault's choice never depends on how many numbers another fault drew. Built on SHA-256 in
 * counter mode: slow next to a PRNG, but a fault draws a handful of numbers.
 */
export class RandomStream {
  private counter = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  private constructor(private readonly key: string) {}

  /** The stream of one fault of one trial. */
  static derive(seed: number, scenario: string, trial: number, fault: number): RandomStream {
    return new RandomStream(`rebound/v1/${seed}/${scenario}/${trial}/${fault}`);
  }

  private nextUint32(): number {
    if (this.offset + 4 > this.buffer.length) {
      this.buffer = createHash('sha256').update(`${this.key}/${this.counter}`).digest();
      this.counter += 1;
      this.offset = 0;
    }
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A uniform integer in [0, bound), without modulo bias (rejection sampling). */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`bound ${bound} out of range`);
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) return value % bound;
    }
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.below(i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
}
