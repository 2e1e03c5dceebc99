/**
 * Durations as scenarios write them: Go-style strings (`500ms`, `30s`, `5m`, `1h`, `1m30s`, `1.5s`), the spelling
 * Kubernetes users already know from kubectl flags and controller settings.
 */
import { oneLine } from '../util/one-line.js';

/** The units a scenario may use, with their length in milliseconds. */
const UNITS: Readonly<Record<string, bigint>> = { h: 3_600_000n, m: 60_000n, s: 1_000n, ms: 1n };

/** What the error messages show as the accepted form. */
const ACCEPTED = 'a duration such as 500ms, 30s, 5m, 1h or 1m30s (units h, m, s, ms; decimals like 1.5s allowed)';

// One component is a number and a unit; `ms` must be tried before `m`.
const COMPONENT = /(\d+)(?:\.(\d+))?(ms|h|m|s)/y;

/** Thrown by `Duration.parse` for text that is not a duration; the message says what is accepted. */
export class DurationSyntaxError extends Error {
  constructor(readonly text: string, reason: string) {
    // The reason quotes the text, which may hold line breaks (a flag's value, a YAML string).
    super(`${oneLine(reason)}; expected ${ACCEPTED}`);
    this.name = 'DurationSyntaxError';
  }
}

/** A non-negative length of time, held in whole milliseconds (the resolution rebound measures at). */
export class Duration {
  private constructor(private readonly milliseconds: number) {}

  static readonly ZERO = new Duration(0);

  /** A duration from a Go-style string; throws `DurationSyntaxError` with a message fit to show a user. */
  static parse(text: string): Duration {
    const trimmed = text.trim();
    if (trimmed === '') throw new DurationSyntaxError(text, 'empty duration');
    if (trimmed.startsWith('-')) throw new DurationSyntaxError(text, `negative duration \`${trimmed}\` is not allowed`);
    // Go accepts a bare 0; anything else without a unit is ambiguous (seconds? milliseconds?).
    if (trimmed === '0') return Duration.ZERO;
    if (/^\+?\d+(\.\d+)?$/.test(trimmed)) {
      throw new DurationSyntaxError(text, `\`${trimmed}\` has no unit (write ${trimmed}s or ${trimmed}ms)`);
    }
    const body = trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
    // A sign alone is no duration (the loop below would read nothing and sum to zero).
    if (body === '') throw new DurationSyntaxError(text, `\`${trimmed}\` is not a duration`);
    let total = 0n;
    let position = 0;
    while (position < body.length) {
      COMPONENT.lastIndex = position;
      const match = COMPONENT.exec(body);
      if (match === null) {
        const unit = /^\d+(?:\.\d+)?([a-zµμ]+)/i.exec(body.slice(position));
        const reason = unit?.[1] !== undefined
          ? `unknown unit \`${unit[1]}\` in \`${trimmed}\``
          : `\`${trimmed}\` is not a duration`;
        throw new DurationSyntaxError(text, reason);
      }
      const [, whole = '0', fraction = '', unit = 's'] = match;
      const scale = UNITS[unit] ?? 1n;
      const denominator = 10n ** BigInt(fraction.length);
      const scaledFraction = BigInt(fraction === '' ? '0' : fraction) * scale;
      if (scaledFraction % denominator !== 0n) {
        throw new DurationSyntaxError(text, `\`${trimmed}\` is not a whole number of milliseconds`);
      }
      total += BigInt(whole) * scale + scaledFraction / denominator;
      position = COMPONENT.lastIndex;
    }
    if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new DurationSyntaxError(text, `\`${trimmed}\` is too long`);
    return new Duration(Number(total));
  }

  /** A duration of a whole, non-negative number of milliseconds. */
  static fromMilliseconds(milliseconds: number): Duration {
    if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
      throw new RangeError(`a duration is a whole, non-negative number of milliseconds, not ${milliseconds}`);
    }
    return milliseconds === 0 ? Duration.ZERO : new Duration(milliseconds);
  }

  toMilliseconds(): number {
    return this.milliseconds;
  }

  /** The shortest Go-style form, which `parse` reads back: `1m30s`, `1.5s`, `250ms`, `0s`. */
  toString(): string {
    const ms = this.milliseconds;
    if (ms === 0) return '0s';
    if (ms < 1000) return `${ms}ms`;
    const hours = Math.floor(ms / 3_600_000);
    const minutes = Math.floor((ms % 3_600_000) / 60_000);
    const rest = ms % 60_000;
    const seconds = rest % 1000 === 0 ? String(rest / 1000) : (rest / 1000).toFixed(3).replace(/0+$/, '');
    return `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${rest > 0 ? `${seconds}s` : ''}`;
  }

  /** Reports and JSON output show durations the way scenarios write them. */
  toJSON(): string {
    return this.toString();
  }

  equals(other: Duration): boolean {
    return this.milliseconds === other.milliseconds;
  }
}
