/** How a comparison's figures are written, the same in reasons, on the terminal and in compare.md. */

/** A ratio as a factor ("x1.31"); Infinity (a baseline median of 0) as "unbounded". */
export function times(ratio: number | null): string {
  return ratio !== null && Number.isFinite(ratio) ? `x${ratio.toFixed(2)}` : 'unbounded';
}

/** A confidence interval of a ratio: "[1.22, 1.41]". */
export function bracket(lower: number | null, upper: number | null): string {
  const show = (v: number | null): string => (v !== null && Number.isFinite(v) ? v.toFixed(2) : 'unbounded');
  return `[${show(lower)}, ${show(upper)}]`;
}

/** A fraction as a percentage: 0.1 -> "10%". */
export function percentText(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A p-value in two significant digits; tiny ones as an upper bound. */
export function pText(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return Number(p.toPrecision(2)).toString();
}

/** "p = 0.031", or "p < 0.0001" for tiny ones. */
export function pClause(p: number): string {
  const text = pText(p);
  return text.startsWith('<') ? `p < ${text.slice(1)}` : `p = ${text}`;
}
