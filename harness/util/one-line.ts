/**
 * Text shown on one line: messages quote what users wrote (a YAML key, a flag's value), which may hold line breaks
 * and other control characters that would break the line or the terminal; they are shown as escapes (`\n`,
 * `\u0006`), so an error stays the one line that names where the mistake is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with its control characters and line separators escaped. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
