import { UsageError } from '../errors.js';

/** The settings of a comparison when the command line gives none. */
export const COMPARE_DEFAULTS = {
  /** A candidate may be this much slower (as a fraction: 0.10 is 10 %) before it counts as a regression. */
  maxRegression: 0.1,
  alpha: 0.05,
  /** Fixed, so that running the same comparison twice gives the same confidence intervals. */
  seed: 0,
} as const;

/**
 * `--max-regression`: "10%" or the fraction "0.1". A bare number of 1 or more is refused rather than guessed at:
 * "10" could mean 10 % or 1000 %.
 */
export function parseMaxRegression(text: string, option = '--max-regression'): number {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(trimmed);
  if (percent) return Number(percent[1]) / 100;
  if (/^(\d+(?:\.\d+)?|\.\d+)$/.test(trimmed)) {
    const fraction = Number(trimmed);
    if (fraction < 1) return fraction;
    throw new UsageError(`${option} ${text}: write a percentage such as 10% (or the fraction 0.1)`);
  }
  throw new UsageError(`${option} ${text}: not a percentage; write for example 10% (or the fraction 0.1), never negative`);
}

/** `--alpha`: the significance level, a number strictly between 0 and 1 ("0.05", or "5%"). */
export function parseAlpha(text: string, option = '--alpha'): number {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(trimmed);
  const value = percent ? Number(percent[1]) / 100 : /^(\d+(?:\.\d+)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : NaN;
  if (value > 0 && value < 1) return value;
  throw new UsageError(`${option} ${text}: the significance level must be a number between 0 and 1, such as 0.05`);
}

/** Checks settings given in code (the run's gate), with the same words as the command line's. */
export function checkCompareSettings(settings: { maxRegression: number; alpha: number; seed?: number }): void {
  if (!(Number.isFinite(settings.maxRegression) && settings.maxRegression >= 0)) {
    throw new UsageError(`max regression ${settings.maxRegression}: must be a fraction of 0 or more (0.1 for 10%)`);
  }
  if (!(settings.alpha > 0 && settings.alpha < 1)) throw new UsageError(`alpha ${settings.alpha}: must be between 0 and 1, such as 0.05`);
  if (settings.seed !== undefined && !(Number.isSafeInteger(settings.seed) && settings.seed >= 0)) {
    throw new UsageError(`seed ${settings.seed}: must be a whole number of 0 or more`);
  }
}
