/**
 * A list of names for one line of text: all of them when there are few, else the first few and how many more, so
 * a message about 1,000 pods or 500 nodes stays one readable line.
 */
export function summarizeNames(names: readonly string[], shown = 10): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/**
 * A fault's targets for its one-line summary: as before up to `shown` of them ("pod a (node-1), pod b (node-2)"),
 * else how many and the first few ("1000 pods: pod a (node-1), ... and 990 more"). The full list is in the results.
 */
export function summarizeTargets(noun: string, items: readonly string[], shown = 10): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.length} ${noun}: ${summarizeNames(items, shown)}`;
}
