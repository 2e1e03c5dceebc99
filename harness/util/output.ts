/** Progress and notices for people go to stderr; stdout carries only what a script may capture. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A result line on stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
