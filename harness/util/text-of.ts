/**
 * Any value as text for a message: an Error's message, a string as it is, other values as JSON where they have
 * one (so an object never prints as "[object Object]").
 */
export function textOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
